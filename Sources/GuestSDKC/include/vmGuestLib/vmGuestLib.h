/*
 * GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
 * Licensed under the Apache License, Version 2.0.
 *
 * vmGuestLib.h: the guest statistics interface of the vSphere Guest SDK, as
 * GuestSDK's libvmGuestLib.so (also installed as libguestlib.so.0) implements
 * it. Names, types and enum values are the Guest SDK's; the contract is
 * PROTOCOL.md section 8.
 *
 * Usage: open a handle, call VMGuestLib_UpdateInfo to take a snapshot of the
 * statistics from the host, read them with the getters, update again to
 * refresh. Every getter answers from the handle's last snapshot only.
 *
 * Every getter checks, in this order: a NULL or unknown handle gives
 * VMGUESTLIB_ERROR_INVALID_HANDLE; a NULL out-pointer gives
 * VMGUESTLIB_ERROR_INVALID_ARG; no successful update gives
 * VMGUESTLIB_ERROR_NO_INFO; a statistic the host did not send gives
 * VMGUESTLIB_ERROR_UNSUPPORTED_VERSION; one it marked invalid gives
 * VMGUESTLIB_ERROR_NOT_AVAILABLE.
 *
 * GuestSDK differences a caller may notice: a handle that was closed, or a
 * pointer that never was a handle, gives VMGUESTLIB_ERROR_INVALID_HANDLE
 * instead of undefined behaviour, and one handle may be used from several
 * threads at once.
 */

#ifndef _VM_GUEST_LIB_H_
#define _VM_GUEST_LIB_H_

#include "includeCheck.h"
#include "vm_basic_types.h"
#include "vmSessionId.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Marks an interface kept for old callers; the compiler warns on its use. */
#if defined(__clang__) || (defined(__GNUC__) && (__GNUC__ > 3 || (__GNUC__ == 3 && __GNUC_MINOR__ >= 1)))
#define VMGUESTLIB_DEPRECATED __attribute__((deprecated))
#elif defined(_MSC_VER) && _MSC_VER >= 1300
#define VMGUESTLIB_DEPRECATED __declspec(deprecated)
#else
#define VMGUESTLIB_DEPRECATED
#endif

/* The result of every VMGuestLib_ call; the values are fixed by the Guest SDK. */
typedef enum {
    VMGUESTLIB_ERROR_SUCCESS = 0,             /* "No error" */
    VMGUESTLIB_ERROR_OTHER = 1,               /* "Other error" */
    VMGUESTLIB_ERROR_NOT_RUNNING_IN_VM = 2,   /* no hypervisor and no GUESTSDK_RPC endpoint */
    VMGUESTLIB_ERROR_NOT_ENABLED = 3,         /* the host does not serve guest statistics */
    VMGUESTLIB_ERROR_NOT_AVAILABLE = 4,       /* the host sent this statistic marked invalid */
    VMGUESTLIB_ERROR_NO_INFO = 5,             /* VMGuestLib_UpdateInfo has not succeeded */
    VMGUESTLIB_ERROR_MEMORY = 6,              /* out of memory */
    VMGUESTLIB_ERROR_BUFFER_TOO_SMALL = 7,    /* the caller's buffer cannot hold the answer */
    VMGUESTLIB_ERROR_INVALID_HANDLE = 8,      /* NULL, closed or unknown handle */
    VMGUESTLIB_ERROR_INVALID_ARG = 9,         /* a required pointer is NULL */
    VMGUESTLIB_ERROR_UNSUPPORTED_VERSION = 10 /* the host's protocol does not carry this statistic */
} VMGuestLibError;

/* An opaque handle; only the library interprets it. */
typedef struct _VMGuestLibHandle *VMGuestLibHandle;

/*
 * Returns a static, NUL-terminated English text for an error code; codes
 * outside the enum give "Other error". The text must not be freed.
 */
char const *VMGuestLib_GetErrorText(VMGuestLibError error);

/*
 * Opens a handle. NOT_RUNNING_IN_VM when neither a VMware hypervisor nor a
 * GUESTSDK_RPC endpoint is present, or when GUESTSDK_RPC names no endpoint;
 * then INVALID_ARG when handle is NULL.
 */
VMGuestLibError VMGuestLib_OpenHandle(VMGuestLibHandle *handle);

/* Closes a handle; using it afterwards gives INVALID_HANDLE. */
VMGuestLibError VMGuestLib_CloseHandle(VMGuestLibHandle handle);

/*
 * Asks the host for a fresh snapshot of the statistics (the RPC
 * "guestlib.info.get"). On failure the handle holds no snapshot, so the
 * getters give NO_INFO until an update succeeds again.
 */
VMGuestLibError VMGuestLib_UpdateInfo(VMGuestLibHandle handle);

/* The session of the last snapshot; it changes on migration, resume or revert. */
VMGuestLibError VMGuestLib_GetSessionId(VMGuestLibHandle handle, VMSessionId *id);

/* CPU: the reservation, limit (0xFFFFFFFF is unlimited) and shares of this VM. */
VMGuestLibError VMGuestLib_GetCpuReservationMHz(VMGuestLibHandle handle, uint32 *cpuReservationMHz);
VMGuestLibError VMGuestLib_GetCpuLimitMHz(VMGuestLibHandle handle, uint32 *cpuLimitMHz);
VMGuestLibError VMGuestLib_GetCpuShares(VMGuestLibHandle handle, uint32 *cpuShares);

/* CPU time this VM used, in milliseconds since the session began. */
VMGuestLibError VMGuestLib_GetCpuUsedMs(VMGuestLibHandle handle, uint64 *cpuUsedMs);

/* The clock rate of the host's processors, in MHz. */
VMGuestLibError VMGuestLib_GetHostProcessorSpeed(VMGuestLibHandle handle, uint32 *mhz);

/* Memory: the reservation, limit (0xFFFFFFFF is unlimited) and shares of this VM. */
VMGuestLibError VMGuestLib_GetMemReservationMB(VMGuestLibHandle handle, uint32 *memReservationMB);
VMGuestLibError VMGuestLib_GetMemLimitMB(VMGuestLibHandle handle, uint32 *memLimitMB);

/* NOT_AVAILABLE when the shares do not fit in 32 bits; see VMGuestLib_GetMemShares64. */
VMGuestLibError VMGuestLib_GetMemShares(VMGuestLibHandle handle, uint32 *memShares);

/* Memory of this VM, in MB: mapped, active, overhead, ballooned, swapped, shared,
 * saved by sharing, and used. */
VMGuestLibError VMGuestLib_GetMemMappedMB(VMGuestLibHandle handle, uint32 *memMappedMB);
VMGuestLibError VMGuestLib_GetMemActiveMB(VMGuestLibHandle handle, uint32 *memActiveMB);
VMGuestLibError VMGuestLib_GetMemOverheadMB(VMGuestLibHandle handle, uint32 *memOverheadMB);
VMGuestLibError VMGuestLib_GetMemBalloonedMB(VMGuestLibHandle handle, uint32 *memBalloonedMB);
VMGuestLibError VMGuestLib_GetMemSwappedMB(VMGuestLibHandle handle, uint32 *memSwappedMB);
VMGuestLibError VMGuestLib_GetMemSharedMB(VMGuestLibHandle handle, uint32 *memSharedMB);
VMGuestLibError VMGuestLib_GetMemSharedSavedMB(VMGuestLibHandle handle, uint32 *memSharedSavedMB);
VMGuestLibError VMGuestLib_GetMemUsedMB(VMGuestLibHandle handle, uint32 *memUsedMB);

/* Wall-clock time this VM has run, in milliseconds since the session began. */
VMGuestLibError VMGuestLib_GetElapsedMs(VMGuestLibHandle handle, uint64 *elapsedMs);

/*
 * Copies the VM's resource pool path, NUL included, into pathBuffer of
 * *bufferSize bytes. Both pointers must be non-NULL (INVALID_ARG). When the
 * buffer is too small the result is BUFFER_TOO_SMALL and *bufferSize is set
 * to the size needed; on success *bufferSize is left unchanged.
 */
VMGuestLibError VMGuestLib_GetResourcePoolPath(VMGuestLibHandle handle, size_t *bufferSize, char *pathBuffer);

/* The functions below need the version 3 protocol: an older host gives UNSUPPORTED_VERSION. */
#ifndef SWIGJAVA

/* CPU time this VM was ready to run but not scheduled, in milliseconds. */
VMGuestLibError VMGuestLib_GetCpuStolenMs(VMGuestLibHandle handle, uint64 *cpuStolenMs);

/* The memory size the host aims to give this VM, in MB. */
VMGuestLibError VMGuestLib_GetMemTargetSizeMB(VMGuestLibHandle handle, uint64 *memTargetSizeMB);

/* Host-wide counters: NOT_AVAILABLE unless the host exposes host information. */
VMGuestLibError VMGuestLib_GetHostNumCpuCores(VMGuestLibHandle handle, uint32 *hostNumCpuCores);
VMGuestLibError VMGuestLib_GetHostCpuUsedMs(VMGuestLibHandle handle, uint64 *hostCpuUsedMs);
VMGuestLibError VMGuestLib_GetHostMemSwappedMB(VMGuestLibHandle handle, uint64 *hostMemSwappedMB);
VMGuestLibError VMGuestLib_GetHostMemSharedMB(VMGuestLibHandle handle, uint64 *hostMemSharedMB);
VMGuestLibError VMGuestLib_GetHostMemUsedMB(VMGuestLibHandle handle, uint64 *hostMemUsedMB);
VMGuestLibError VMGuestLib_GetHostMemPhysMB(VMGuestLibHandle handle, uint64 *hostMemPhysMB);
VMGuestLibError VMGuestLib_GetHostMemPhysFreeMB(VMGuestLibHandle handle, uint64 *hostMemPhysFreeMB);

/* Deprecated since Guest SDK 11.2.0: always SUCCESS with 0 after the standard checks. */
VMGUESTLIB_DEPRECATED VMGuestLibError VMGuestLib_GetHostMemKernOvhdMB(VMGuestLibHandle handle,
                                                                      uint64 *hostMemKernOvhdMB);

VMGuestLibError VMGuestLib_GetHostMemMappedMB(VMGuestLibHandle handle, uint64 *hostMemMappedMB);
VMGuestLibError VMGuestLib_GetHostMemUnmappedMB(VMGuestLibHandle handle, uint64 *hostMemUnmappedMB);

/*
 * Exported by the Guest SDK's library without a declaration in its header;
 * declared here so that callers need not declare them themselves. Memory of
 * this VM in MB: compressed, saved by compression, swapped to a host cache,
 * the swap target, the balloon target and the balloon maximum.
 */
VMGuestLibError VMGuestLib_GetMemZippedMB(VMGuestLibHandle handle, uint32 *memZippedMB);
VMGuestLibError VMGuestLib_GetMemZipSavedMB(VMGuestLibHandle handle, uint32 *memZipSavedMB);
VMGuestLibError VMGuestLib_GetMemLLSwappedMB(VMGuestLibHandle handle, uint32 *memLLSwappedMB);
VMGuestLibError VMGuestLib_GetMemSwapTargetMB(VMGuestLibHandle handle, uint32 *memSwapTargetMB);
VMGuestLibError VMGuestLib_GetMemBalloonTargetMB(VMGuestLibHandle handle, uint32 *memBalloonTargetMB);
VMGuestLibError VMGuestLib_GetMemBalloonMaxMB(VMGuestLibHandle handle, uint32 *memBalloonMaxMB);

/*
 * The memory shares of this VM in 64 bits. A host that does not send them
 * gives the 32-bit VMGuestLib_GetMemShares value, widened.
 */
VMGuestLibError VMGuestLib_GetMemShares64(VMGuestLibHandle handle, uint64 *memShares64);

/*
 * Asks the host for an extended statistic (the RPC "guestlib.stat.get"):
 * encoding is "json", "text", "yaml" or "xml"; an empty or NULL stat asks for
 * the list of statistics. Needs no handle. On SUCCESS *reply is a
 * NUL-terminated heap copy of the document and *replySize its length without
 * the NUL; on NOT_AVAILABLE *reply may hold the host's reason or be NULL.
 * Release *reply with VMGuestLib_StatFree in both cases.
 */
VMGuestLibError VMGuestLib_StatGet(const char *encoding, const char *stat, char **reply, size_t *replySize);

/* Releases a reply of VMGuestLib_StatGet or VMGuestLib_AtomicUpdateCookie; NULL is allowed. */
void VMGuestLib_StatFree(char *reply, size_t replySize);

#endif /* SWIGJAVA */

/*
 * Exported by the Guest SDK's library without a declaration in its header:
 * asks the host to replace cookie src by dst atomically (the RPC
 * "guestlib.ioctl"). Each cookie is at most 256 bytes. Returns TRUE when the
 * host accepted the request, with its reply in *reply (release with
 * VMGuestLib_StatFree) and the reply's length in *replySize.
 */
Bool VMGuestLib_AtomicUpdateCookie(const char *src, const char *dst, char **reply, size_t *replySize);

#ifdef __cplusplus
}
#endif

#endif /* _VM_GUEST_LIB_H_ */
