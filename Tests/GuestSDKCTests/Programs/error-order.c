/*
 * GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
 * Licensed under the Apache License, Version 2.0.
 *
 * error-order: calls every function of libguestlib.so.0 the ways a C caller can
 * get them wrong and right, and prints one line of result codes per function,
 * for GuestSDKCTests to compare with what it expects. The host is the one
 * GUESTSDK_RPC names. Each out-parameter sits between guard words; a write past
 * it, or a write on failure, ends the program with status 2.
 */

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmGuestLib.h"

#pragma GCC diagnostic ignored "-Wdeprecated-declarations"

typedef VMGuestLibError (*Get32)(VMGuestLibHandle, uint32 *);
typedef VMGuestLibError (*Get64)(VMGuestLibHandle, uint64 *);

static const struct {
    const char *name;
    int bits;
    void *function;
} getters[] = {
    {"CpuReservationMHz", 32, (void *)VMGuestLib_GetCpuReservationMHz},
    {"CpuLimitMHz", 32, (void *)VMGuestLib_GetCpuLimitMHz},
    {"CpuShares", 32, (void *)VMGuestLib_GetCpuShares},
    {"CpuUsedMs", 64, (void *)VMGuestLib_GetCpuUsedMs},
    {"HostProcessorSpeed", 32, (void *)VMGuestLib_GetHostProcessorSpeed},
    {"MemReservationMB", 32, (void *)VMGuestLib_GetMemReservationMB},
    {"MemLimitMB", 32, (void *)VMGuestLib_GetMemLimitMB},
    {"MemShares", 32, (void *)VMGuestLib_GetMemShares},
    {"MemMappedMB", 32, (void *)VMGuestLib_GetMemMappedMB},
    {"MemActiveMB", 32, (void *)VMGuestLib_GetMemActiveMB},
    {"MemOverheadMB", 32, (void *)VMGuestLib_GetMemOverheadMB},
    {"MemBalloonedMB", 32, (void *)VMGuestLib_GetMemBalloonedMB},
    {"MemSwappedMB", 32, (void *)VMGuestLib_GetMemSwappedMB},
    {"MemSharedMB", 32, (void *)VMGuestLib_GetMemSharedMB},
    {"MemSharedSavedMB", 32, (void *)VMGuestLib_GetMemSharedSavedMB},
    {"MemUsedMB", 32, (void *)VMGuestLib_GetMemUsedMB},
    {"ElapsedMs", 64, (void *)VMGuestLib_GetElapsedMs},
    {"CpuStolenMs", 64, (void *)VMGuestLib_GetCpuStolenMs},
    {"MemTargetSizeMB", 64, (void *)VMGuestLib_GetMemTargetSizeMB},
    {"HostNumCpuCores", 32, (void *)VMGuestLib_GetHostNumCpuCores},
    {"HostCpuUsedMs", 64, (void *)VMGuestLib_GetHostCpuUsedMs},
    {"HostMemSwappedMB", 64, (void *)VMGuestLib_GetHostMemSwappedMB},
    {"HostMemSharedMB", 64, (void *)VMGuestLib_GetHostMemSharedMB},
    {"HostMemUsedMB", 64, (void *)VMGuestLib_GetHostMemUsedMB},
    {"HostMemPhysMB", 64, (void *)VMGuestLib_GetHostMemPhysMB},
    {"HostMemPhysFreeMB", 64, (void *)VMGuestLib_GetHostMemPhysFreeMB},
    {"HostMemKernOvhdMB", 64, (void *)VMGuestLib_GetHostMemKernOvhdMB},
    {"HostMemMappedMB", 64, (void *)VMGuestLib_GetHostMemMappedMB},
    {"HostMemUnmappedMB", 64, (void *)VMGuestLib_GetHostMemUnmappedMB},
    {"MemZippedMB", 32, (void *)VMGuestLib_GetMemZippedMB},
    {"MemZipSavedMB", 32, (void *)VMGuestLib_GetMemZipSavedMB},
    {"MemLLSwappedMB", 32, (void *)VMGuestLib_GetMemLLSwappedMB},
    {"MemSwapTargetMB", 32, (void *)VMGuestLib_GetMemSwapTargetMB},
    {"MemBalloonTargetMB", 32, (void *)VMGuestLib_GetMemBalloonTargetMB},
    {"MemBalloonMaxMB", 32, (void *)VMGuestLib_GetMemBalloonMaxMB},
    {"MemShares64", 64, (void *)VMGuestLib_GetMemShares64},
};

#define GETTER_COUNT (sizeof(getters) / sizeof(getters[0]))
#define UNTOUCHED64 UINT64_C(0xA5A5A5A5A5A5A5A5)
#define UNTOUCHED32 UINT32_C(0xA5A5A5A5)
#define GUARD64 UINT64_C(0x0123456789ABCDEF)
#define GUARD32 UINT32_C(0x89ABCDEF)

struct Out32 { uint32 before; uint32 value; uint32 after; };
struct Out64 { uint64 before; uint64 value; uint64 after; };

/* Calls getter index with out (or NULL); checks the guards and that a failure writes nothing. */
static VMGuestLibError call(size_t index, VMGuestLibHandle handle, int null_out, uint64 *value)
{
    VMGuestLibError error;

    if (getters[index].bits == 32) {
        struct Out32 out = {GUARD32, UNTOUCHED32, GUARD32};
        error = ((Get32)getters[index].function)(handle, null_out ? NULL : &out.value);
        if (out.before != GUARD32 || out.after != GUARD32 ||
            (error != VMGUESTLIB_ERROR_SUCCESS && out.value != UNTOUCHED32)) {
            printf("GUARD BROKEN %s\n", getters[index].name);
            exit(2);
        }
        *value = out.value;
    } else {
        struct Out64 out = {GUARD64, UNTOUCHED64, GUARD64};
        error = ((Get64)getters[index].function)(handle, null_out ? NULL : &out.value);
        if (out.before != GUARD64 || out.after != GUARD64 ||
            (error != VMGUESTLIB_ERROR_SUCCESS && out.value != UNTOUCHED64)) {
            printf("GUARD BROKEN %s\n", getters[index].name);
            exit(2);
        }
        *value = out.value;
    }
    return error;
}

int main(void)
{
    VMGuestLibHandle handle = NULL;
    VMGuestLibHandle closed = NULL;
    int local = 0;
    VMGuestLibHandle foreign = (VMGuestLibHandle)(void *)&local;
    /* Shaped like the library's tokens, but never issued. */
    VMGuestLibHandle made_up = (VMGuestLibHandle)(uintptr_t)0x47530000FFFFFFF0ULL;
    int null_handle[GETTER_COUNT], foreign_handle[GETTER_COUNT], null_out[GETTER_COUNT], no_info[GETTER_COUNT];
    int result[GETTER_COUNT], after_close[GETTER_COUNT];
    uint64 values[GETTER_COUNT];
    uint64 scratch;
    size_t index;
    int code;

    /* Handles: open, a NULL out-pointer, close twice, foreign and made-up tokens. */
    printf("OpenHandle null=%d\n", (int)VMGuestLib_OpenHandle(NULL));
    code = VMGuestLib_OpenHandle(&closed);
    printf("CloseHandle open=%d ", code);
    {
        int first = VMGuestLib_CloseHandle(closed);
        int second = VMGuestLib_CloseHandle(closed);
        int null = VMGuestLib_CloseHandle(NULL);
        int other = VMGuestLib_CloseHandle(foreign);
        int invented = VMGuestLib_CloseHandle(made_up);
        printf("first=%d second=%d null=%d foreign=%d made-up=%d\n", first, second, null, other, invented);
    }
    printf("UpdateInfo null=%d foreign=%d closed=%d\n", (int)VMGuestLib_UpdateInfo(NULL),
           (int)VMGuestLib_UpdateInfo(foreign), (int)VMGuestLib_UpdateInfo(closed));

    code = VMGuestLib_OpenHandle(&handle);
    if (code != VMGUESTLIB_ERROR_SUCCESS) {
        printf("OpenHandle failed: %d\n", code);
        return 1;
    }
    for (index = 0; index < GETTER_COUNT; index++) {
        null_handle[index] = call(index, NULL, 0, &scratch);
        foreign_handle[index] = call(index, foreign, 0, &scratch);
        null_out[index] = call(index, handle, 1, &scratch);
        no_info[index] = call(index, handle, 0, &scratch);
    }
    {
        VMSessionId session = 0;
        int before = VMGuestLib_GetSessionId(handle, &session);
        int update = VMGuestLib_UpdateInfo(handle);
        int null_session = VMGuestLib_GetSessionId(handle, NULL);
        int after = VMGuestLib_GetSessionId(handle, &session);
        printf("SessionId no-info=%d update=%d null-out=%d result=%d nonzero=%d\n", before, update, null_session,
               after, session != 0);
    }
    for (index = 0; index < GETTER_COUNT; index++) {
        values[index] = 0;
        result[index] = call(index, handle, 0, &values[index]);
    }

    /* The resource pool path: NULL arguments, a 10-byte buffer, then an exact one. */
    {
        char small[10];
        char *exact;
        size_t size = sizeof(small);
        size_t needed;
        int small_code, exact_code;

        printf("ResourcePoolPath null-handle=%d null-size=%d null-buffer=%d",
               (int)VMGuestLib_GetResourcePoolPath(NULL, &size, small),
               (int)VMGuestLib_GetResourcePoolPath(handle, NULL, small),
               (int)VMGuestLib_GetResourcePoolPath(handle, &size, NULL));
        small_code = VMGuestLib_GetResourcePoolPath(handle, &size, small);
        needed = size;
        exact = malloc(needed);
        exact_code = VMGuestLib_GetResourcePoolPath(handle, &size, exact);
        printf(" small=%d needed=%zu exact=%d size-after=%zu strlen=%zu\n", small_code, needed, exact_code, size,
               exact_code == 0 ? strlen(exact) : (size_t)0);
        free(exact);
    }

    /* StatGet: argument checks, a 255-byte limit, a document, and NULL-safe frees. */
    {
        char *reply = (char *)&local;
        size_t size = 99;
        char long_stat[300];
        int document;

        memset(long_stat, 'x', sizeof(long_stat) - 1);
        long_stat[sizeof(long_stat) - 1] = '\0';
        printf("StatGet null-encoding=%d null-reply=%d null-size=%d",
               (int)VMGuestLib_StatGet(NULL, "session", &reply, &size),
               (int)VMGuestLib_StatGet("json", "session", NULL, &size),
               (int)VMGuestLib_StatGet("json", "session", &reply, NULL));
        printf(" long=%d", (int)VMGuestLib_StatGet("json", long_stat, &reply, &size));
        VMGuestLib_StatFree(reply == (char *)&local ? NULL : reply, size);
        document = VMGuestLib_StatGet("json", "session", &reply, &size);
        printf(" session=%d size-matches=%d", document, reply != NULL && strlen(reply) == size);
        VMGuestLib_StatFree(reply, size);
        code = VMGuestLib_StatGet("json", "no-such-stat", &reply, &size);
        printf(" unknown=%d reply=%s\n", code, reply != NULL ? reply : "(null)");
        VMGuestLib_StatFree(reply, size);
        VMGuestLib_StatFree(NULL, 0);
    }

    /* AtomicUpdateCookie: the host's cookie starts empty. */
    {
        char *reply = NULL;
        size_t size = 0;
        char long_cookie[300];
        Bool first, second, third;

        memset(long_cookie, 'c', sizeof(long_cookie) - 1);
        long_cookie[sizeof(long_cookie) - 1] = '\0';
        printf("AtomicUpdateCookie null=%d long=%d", (int)VMGuestLib_AtomicUpdateCookie(NULL, "a", &reply, &size),
               (int)VMGuestLib_AtomicUpdateCookie("", long_cookie, &reply, &size));
        first = VMGuestLib_AtomicUpdateCookie("", "one", &reply, &size);
        printf(" first=%d reply=%s", (int)first, reply != NULL ? reply : "(null)");
        VMGuestLib_StatFree(reply, size);
        second = VMGuestLib_AtomicUpdateCookie("stale", "two", &reply, &size);
        printf(" stale=%d reply=%s", (int)second, reply != NULL ? reply : "(null)");
        VMGuestLib_StatFree(reply, size);
        third = VMGuestLib_AtomicUpdateCookie("one", "two", NULL, NULL);
        printf(" matching=%d\n", (int)third);
    }

    for (index = 0; index < 13; index++) {
        printf("ErrorText %d: %s\n", (int)index - 1, VMGuestLib_GetErrorText((VMGuestLibError)((int)index - 1)));
    }

    VMGuestLib_CloseHandle(handle);
    for (index = 0; index < GETTER_COUNT; index++) {
        after_close[index] = call(index, handle, 0, &scratch);
    }
    for (index = 0; index < GETTER_COUNT; index++) {
        printf("%s null-handle=%d foreign=%d null-out=%d no-info=%d result=%d", getters[index].name,
               null_handle[index], foreign_handle[index], null_out[index], no_info[index], result[index]);
        if (result[index] == VMGUESTLIB_ERROR_SUCCESS) {
            printf(" value=%" PRIu64, (uint64_t)values[index]);
        }
        printf(" closed=%d\n", after_close[index]);
    }
    return 0;
}
