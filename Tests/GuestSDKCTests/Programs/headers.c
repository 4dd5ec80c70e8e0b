/*
 * GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
 * Licensed under the Apache License, Version 2.0.
 *
 * headers: compiled as C and as C++ with every warning an error. The sizes and
 * enum values are the Guest SDK's (PROTOCOL.md 8.1, 8.2, 8.5); each function's
 * declared type is checked by assigning it to a pointer of the exact type.
 */

#include "includeCheck.h"
#include "vmGuestAppMonitorLib.h"
#include "vmGuestLib.h"
#include "vmSessionId.h"
#include "vm_basic_types.h"

#define CHECK(name, condition) typedef char name[(condition) ? 1 : -1]

CHECK(bool_is_one_byte, sizeof(Bool) == 1);
CHECK(uint32_is_four_bytes, sizeof(uint32) == 4);
CHECK(uint64_is_eight_bytes, sizeof(uint64) == 8);
CHECK(session_is_eight_bytes, sizeof(VMSessionId) == 8);
CHECK(error_is_int_sized, sizeof(VMGuestLibError) == sizeof(int));
CHECK(appmonitor_error_is_int_sized, sizeof(VMGuestAppMonitorLibError) == sizeof(int));
CHECK(handle_is_pointer_sized, sizeof(VMGuestLibHandle) == sizeof(void *));
CHECK(true_is_one, TRUE == 1 && FALSE == 0);
CHECK(error_values, VMGUESTLIB_ERROR_SUCCESS == 0 && VMGUESTLIB_ERROR_OTHER == 1 &&
      VMGUESTLIB_ERROR_NOT_RUNNING_IN_VM == 2 && VMGUESTLIB_ERROR_NOT_ENABLED == 3 &&
      VMGUESTLIB_ERROR_NOT_AVAILABLE == 4 && VMGUESTLIB_ERROR_NO_INFO == 5 && VMGUESTLIB_ERROR_MEMORY == 6 &&
      VMGUESTLIB_ERROR_BUFFER_TOO_SMALL == 7 && VMGUESTLIB_ERROR_INVALID_HANDLE == 8 &&
      VMGUESTLIB_ERROR_INVALID_ARG == 9 && VMGUESTLIB_ERROR_UNSUPPORTED_VERSION == 10);
CHECK(appmonitor_values, VMGUESTAPPMONITORLIB_ERROR_SUCCESS == 0 && VMGUESTAPPMONITORLIB_ERROR_OTHER == 1 &&
      VMGUESTAPPMONITORLIB_ERROR_NOT_RUNNING_IN_VM == 2 && VMGUESTAPPMONITORLIB_ERROR_NOT_ENABLED == 3 &&
      VMGUESTAPPMONITORLIB_ERROR_NOT_SUPPORTED == 4);

typedef VMGuestLibError (*Get32)(VMGuestLibHandle, uint32 *);
typedef VMGuestLibError (*Get64)(VMGuestLibHandle, uint64 *);

int main(void)
{
    char const *(*error_text)(VMGuestLibError) = VMGuestLib_GetErrorText;
    VMGuestLibError (*open_handle)(VMGuestLibHandle *) = VMGuestLib_OpenHandle;
    VMGuestLibError (*close_handle)(VMGuestLibHandle) = VMGuestLib_CloseHandle;
    VMGuestLibError (*update_info)(VMGuestLibHandle) = VMGuestLib_UpdateInfo;
    VMGuestLibError (*session_id)(VMGuestLibHandle, VMSessionId *) = VMGuestLib_GetSessionId;
    VMGuestLibError (*pool_path)(VMGuestLibHandle, size_t *, char *) = VMGuestLib_GetResourcePoolPath;
    VMGuestLibError (*stat_get)(const char *, const char *, char **, size_t *) = VMGuestLib_StatGet;
    void (*stat_free)(char *, size_t) = VMGuestLib_StatFree;
    Bool (*cookie)(const char *, const char *, char **, size_t *) = VMGuestLib_AtomicUpdateCookie;
    Get32 get32[] = {
        VMGuestLib_GetCpuReservationMHz, VMGuestLib_GetCpuLimitMHz, VMGuestLib_GetCpuShares,
        VMGuestLib_GetHostProcessorSpeed, VMGuestLib_GetMemReservationMB, VMGuestLib_GetMemLimitMB,
        VMGuestLib_GetMemShares, VMGuestLib_GetMemMappedMB, VMGuestLib_GetMemActiveMB, VMGuestLib_GetMemOverheadMB,
        VMGuestLib_GetMemBalloonedMB, VMGuestLib_GetMemSwappedMB, VMGuestLib_GetMemSharedMB,
        VMGuestLib_GetMemSharedSavedMB, VMGuestLib_GetMemUsedMB, VMGuestLib_GetHostNumCpuCores,
        VMGuestLib_GetMemZippedMB, VMGuestLib_GetMemZipSavedMB, VMGuestLib_GetMemLLSwappedMB,
        VMGuestLib_GetMemSwapTargetMB, VMGuestLib_GetMemBalloonTargetMB, VMGuestLib_GetMemBalloonMaxMB,
    };
    Get64 get64[] = {
        VMGuestLib_GetCpuUsedMs, VMGuestLib_GetElapsedMs, VMGuestLib_GetCpuStolenMs,
        VMGuestLib_GetMemTargetSizeMB, VMGuestLib_GetHostCpuUsedMs, VMGuestLib_GetHostMemSwappedMB,
        VMGuestLib_GetHostMemSharedMB, VMGuestLib_GetHostMemUsedMB, VMGuestLib_GetHostMemPhysMB,
        VMGuestLib_GetHostMemPhysFreeMB, VMGuestLib_GetHostMemMappedMB, VMGuestLib_GetHostMemUnmappedMB,
        VMGuestLib_GetMemShares64,
    };
    VMGuestAppMonitorLibError (*enable)(void) = VMGuestAppMonitor_Enable;
    VMGuestAppMonitorLibError (*disable)(void) = VMGuestAppMonitor_Disable;
    int (*is_enabled)(void) = VMGuestAppMonitor_IsEnabled;
    VMGuestAppMonitorLibError (*mark_active)(void) = VMGuestAppMonitor_MarkActive;
    char *(*app_status)(void) = VMGuestAppMonitor_GetAppStatus;
    VMGuestAppMonitorLibError (*post_state)(const char *) = VMGuestAppMonitor_PostAppState;
    void (*free_status)(char *) = VMGuestAppMonitor_Free;

    (void)error_text; (void)open_handle; (void)close_handle; (void)update_info; (void)session_id;
    (void)pool_path; (void)stat_get; (void)stat_free; (void)cookie; (void)get32; (void)get64;
    (void)enable; (void)disable; (void)is_enabled; (void)mark_active; (void)app_status; (void)post_state;
    (void)free_status;
    return 0;
}
