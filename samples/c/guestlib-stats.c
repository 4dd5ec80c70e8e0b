/*
 * GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
 * Licensed under the Apache License, Version 2.0.
 *
 * guestlib-stats: prints every guest statistic, again and again. It loads
 * libvmGuestLib.so by name with dlopen and resolves each of its functions with
 * dlsym, as programs written for the Guest SDK do, so it runs unchanged against
 * GuestSDK's library or VMware's.
 *
 *   usage: guestlib-stats [-n COUNT] [-i SECONDS] [-l LIBRARY] [-s STAT]
 *
 * COUNT rounds (default 1; 0 runs until interrupted), SECONDS apart (default 1).
 * Each round updates the handle and prints one "Name: value" line per statistic,
 * or "Name: error N (text)". With -s, each round ends with the host's JSON
 * document for the extended statistic STAT (VMGuestLib_StatGet; "" lists them).
 * Exit status: 0, 1 when the library or a symbol is
 * missing or a handle cannot be opened or updated, 64 on a usage error.
 */

#include <dlfcn.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vmGuestLib.h"

typedef VMGuestLibError (*Get32)(VMGuestLibHandle, uint32 *);
typedef VMGuestLibError (*Get64)(VMGuestLibHandle, uint64 *);

struct Getter {
    const char *name;
    const char *symbol;
    int bits;
    void *function;
};

/* Every statistic getter, in stat id order (PROTOCOL.md 8.4). */
static struct Getter getters[] = {
    {"CpuReservationMHz", "VMGuestLib_GetCpuReservationMHz", 32, NULL},
    {"CpuLimitMHz", "VMGuestLib_GetCpuLimitMHz", 32, NULL},
    {"CpuShares", "VMGuestLib_GetCpuShares", 32, NULL},
    {"CpuUsedMs", "VMGuestLib_GetCpuUsedMs", 64, NULL},
    {"HostProcessorSpeed", "VMGuestLib_GetHostProcessorSpeed", 32, NULL},
    {"MemReservationMB", "VMGuestLib_GetMemReservationMB", 32, NULL},
    {"MemLimitMB", "VMGuestLib_GetMemLimitMB", 32, NULL},
    {"MemShares", "VMGuestLib_GetMemShares", 32, NULL},
    {"MemMappedMB", "VMGuestLib_GetMemMappedMB", 32, NULL},
    {"MemActiveMB", "VMGuestLib_GetMemActiveMB", 32, NULL},
    {"MemOverheadMB", "VMGuestLib_GetMemOverheadMB", 32, NULL},
    {"MemBalloonedMB", "VMGuestLib_GetMemBalloonedMB", 32, NULL},
    {"MemSwappedMB", "VMGuestLib_GetMemSwappedMB", 32, NULL},
    {"MemSharedMB", "VMGuestLib_GetMemSharedMB", 32, NULL},
    {"MemSharedSavedMB", "VMGuestLib_GetMemSharedSavedMB", 32, NULL},
    {"MemUsedMB", "VMGuestLib_GetMemUsedMB", 32, NULL},
    {"ElapsedMs", "VMGuestLib_GetElapsedMs", 64, NULL},
    {"CpuStolenMs", "VMGuestLib_GetCpuStolenMs", 64, NULL},
    {"MemTargetSizeMB", "VMGuestLib_GetMemTargetSizeMB", 64, NULL},
    {"HostNumCpuCores", "VMGuestLib_GetHostNumCpuCores", 32, NULL},
    {"HostCpuUsedMs", "VMGuestLib_GetHostCpuUsedMs", 64, NULL},
    {"HostMemSwappedMB", "VMGuestLib_GetHostMemSwappedMB", 64, NULL},
    {"HostMemSharedMB", "VMGuestLib_GetHostMemSharedMB", 64, NULL},
    {"HostMemUsedMB", "VMGuestLib_GetHostMemUsedMB", 64, NULL},
    {"HostMemPhysMB", "VMGuestLib_GetHostMemPhysMB", 64, NULL},
    {"HostMemPhysFreeMB", "VMGuestLib_GetHostMemPhysFreeMB", 64, NULL},
    {"HostMemKernOvhdMB", "VMGuestLib_GetHostMemKernOvhdMB", 64, NULL},
    {"HostMemMappedMB", "VMGuestLib_GetHostMemMappedMB", 64, NULL},
    {"HostMemUnmappedMB", "VMGuestLib_GetHostMemUnmappedMB", 64, NULL},
    {"MemZippedMB", "VMGuestLib_GetMemZippedMB", 32, NULL},
    {"MemZipSavedMB", "VMGuestLib_GetMemZipSavedMB", 32, NULL},
    {"MemLLSwappedMB", "VMGuestLib_GetMemLLSwappedMB", 32, NULL},
    {"MemSwapTargetMB", "VMGuestLib_GetMemSwapTargetMB", 32, NULL},
    {"MemBalloonTargetMB", "VMGuestLib_GetMemBalloonTargetMB", 32, NULL},
    {"MemBalloonMaxMB", "VMGuestLib_GetMemBalloonMaxMB", 32, NULL},
    {"MemShares64", "VMGuestLib_GetMemShares64", 64, NULL},
};

#define COUNT_OF(array) (sizeof(array) / sizeof((array)[0]))

static char const *(*GetErrorText)(VMGuestLibError);
static VMGuestLibError (*OpenHandle)(VMGuestLibHandle *);
static VMGuestLibError (*CloseHandle)(VMGuestLibHandle);
static VMGuestLibError (*UpdateInfo)(VMGuestLibHandle);
static VMGuestLibError (*GetSessionId)(VMGuestLibHandle, VMSessionId *);
static VMGuestLibError (*GetResourcePoolPath)(VMGuestLibHandle, size_t *, char *);
static VMGuestLibError (*StatGet)(const char *, const char *, char **, size_t *);
static void (*StatFree)(char *, size_t);
static Bool (*AtomicUpdateCookie)(const char *, const char *, char **, size_t *);

/* Resolves one symbol; a missing one ends the program. */
static void *resolve(void *library, const char *symbol)
{
    void *function;

    dlerror();
    function = dlsym(library, symbol);
    if (function == NULL) {
        fprintf(stderr, "guestlib-stats: %s is missing: %s\n", symbol, dlerror());
        exit(1);
    }
    return function;
}

static void report(const char *name, VMGuestLibError error)
{
    printf("%s: error %d (%s)\n", name, (int)error, GetErrorText(error));
}

/* Prints the resource pool path, growing the buffer when the library asks for more. */
static void print_resource_pool_path(VMGuestLibHandle handle)
{
    size_t size = 8;
    char *buffer = malloc(size);
    VMGuestLibError error;

    while (buffer != NULL) {
        error = GetResourcePoolPath(handle, &size, buffer);
        if (error != VMGUESTLIB_ERROR_BUFFER_TOO_SMALL) {
            if (error == VMGUESTLIB_ERROR_SUCCESS) {
                printf("ResourcePoolPath: %s\n", buffer);
            } else {
                report("ResourcePoolPath", error);
            }
            break;
        }
        free(buffer);
        buffer = malloc(size);
    }
    free(buffer);
}

static void print_round(VMGuestLibHandle handle)
{
    size_t index;
    VMSessionId session;
    VMGuestLibError error;

    error = GetSessionId(handle, &session);
    if (error == VMGUESTLIB_ERROR_SUCCESS) {
        printf("SessionId: 0x%016" PRIx64 "\n", (uint64_t)session);
    } else {
        report("SessionId", error);
    }
    for (index = 0; index < COUNT_OF(getters); index++) {
        uint32 value32 = 0;
        uint64 value64 = 0;
        if (getters[index].bits == 32) {
            error = ((Get32)getters[index].function)(handle, &value32);
            value64 = value32;
        } else {
            error = ((Get64)getters[index].function)(handle, &value64);
        }
        if (error == VMGUESTLIB_ERROR_SUCCESS) {
            printf("%s: %" PRIu64 "\n", getters[index].name, (uint64_t)value64);
        } else {
            report(getters[index].name, error);
        }
    }
    print_resource_pool_path(handle);
}

/* Prints one extended statistic as the host formats it in JSON. */
static void print_extended(const char *stat)
{
    char *reply = NULL;
    size_t size = 0;
    VMGuestLibError error = StatGet("json", stat, &reply, &size);

    if (error == VMGUESTLIB_ERROR_SUCCESS) {
        printf("StatGet %s (%zu bytes): %s\n", stat, size, reply);
    } else {
        printf("StatGet %s: error %d (%s): %s\n", stat, (int)error, GetErrorText(error),
               reply != NULL ? reply : "");
    }
    StatFree(reply, size);
}

int main(int argc, char **argv)
{
    const char *library_name = "libvmGuestLib.so";
    const char *extended = NULL;
    long rounds = 1;
    long interval = 1;
    long round;
    int option;
    size_t index;
    void *library;
    VMGuestLibHandle handle;
    VMGuestLibError error;

    while ((option = getopt(argc, argv, "n:i:l:s:h")) != -1) {
        switch (option) {
        case 'n': rounds = strtol(optarg, NULL, 10); break;
        case 'i': interval = strtol(optarg, NULL, 10); break;
        case 'l': library_name = optarg; break;
        case 's': extended = optarg; break;
        case 'h':
            printf("usage: guestlib-stats [-n COUNT] [-i SECONDS] [-l LIBRARY] [-s STAT]\n");
            return 0;
        default:
            fprintf(stderr, "usage: guestlib-stats [-n COUNT] [-i SECONDS] [-l LIBRARY] [-s STAT]\n");
            return 64;
        }
    }

    library = dlopen(library_name, RTLD_NOW);
    if (library == NULL) {
        fprintf(stderr, "guestlib-stats: cannot load %s: %s\n", library_name, dlerror());
        return 1;
    }
    *(void **)&GetErrorText = resolve(library, "VMGuestLib_GetErrorText");
    *(void **)&OpenHandle = resolve(library, "VMGuestLib_OpenHandle");
    *(void **)&CloseHandle = resolve(library, "VMGuestLib_CloseHandle");
    *(void **)&UpdateInfo = resolve(library, "VMGuestLib_UpdateInfo");
    *(void **)&GetSessionId = resolve(library, "VMGuestLib_GetSessionId");
    *(void **)&GetResourcePoolPath = resolve(library, "VMGuestLib_GetResourcePoolPath");
    *(void **)&StatGet = resolve(library, "VMGuestLib_StatGet");
    *(void **)&StatFree = resolve(library, "VMGuestLib_StatFree");
    *(void **)&AtomicUpdateCookie = resolve(library, "VMGuestLib_AtomicUpdateCookie");
    for (index = 0; index < COUNT_OF(getters); index++) {
        getters[index].function = resolve(library, getters[index].symbol);
    }

    error = OpenHandle(&handle);
    if (error != VMGUESTLIB_ERROR_SUCCESS) {
        fprintf(stderr, "guestlib-stats: OpenHandle: %s\n", GetErrorText(error));
        return 1;
    }
    for (round = 0; rounds == 0 || round < rounds; round++) {
        if (round > 0 && interval > 0) {
            sleep((unsigned)interval);
        }
        error = UpdateInfo(handle);
        if (error != VMGUESTLIB_ERROR_SUCCESS) {
            fprintf(stderr, "guestlib-stats: UpdateInfo: %s\n", GetErrorText(error));
            CloseHandle(handle);
            return 1;
        }
        printf("-- round %ld\n", round + 1);
        print_round(handle);
        if (extended != NULL) {
            print_extended(extended);
        }
        fflush(stdout);
    }
    CloseHandle(handle);
    dlclose(library);
    return 0;
}
