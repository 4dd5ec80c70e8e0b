/*
 * GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
 * Licensed under the Apache License, Version 2.0.
 *
 * A C client of VMware's own libguestlib.so.0 for interoperability tests. It
 * dlopens the library named by its first argument, opens a handle, and for each
 * further argument:
 *   update        calls VMGuestLib_UpdateInfo and prints every getter
 *   stat:ENC:NAME calls VMGuestLib_StatGet(ENC, NAME) and prints the reply
 * Output lines are "<name> <code> <value>", with "-" as the value when the code
 * is not 0 (success); a block ends with "end".
 */
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef int (*open_handle_fn)(void **);
typedef int (*handle_fn)(void *);
typedef int (*get32_fn)(void *, uint32_t *);
typedef int (*get64_fn)(void *, uint64_t *);
typedef int (*path_fn)(void *, size_t *, char *);
typedef int (*stat_get_fn)(const char *, const char *, char **, size_t *);
typedef void (*stat_free_fn)(char *, size_t);

static const char *getters32[] = {
    "CpuReservationMHz", "CpuLimitMHz", "CpuShares", "HostProcessorSpeed", "MemReservationMB", "MemLimitMB",
    "MemShares", "MemMappedMB", "MemActiveMB", "MemOverheadMB", "MemBalloonedMB", "MemSwappedMB",
    "MemSharedMB", "MemSharedSavedMB", "MemUsedMB", "HostNumCpuCores", "MemZippedMB", "MemZipSavedMB",
    "MemLLSwappedMB", "MemSwapTargetMB", "MemBalloonTargetMB", "MemBalloonMaxMB",
};

static const char *getters64[] = {
    "CpuUsedMs", "ElapsedMs", "CpuStolenMs", "MemTargetSizeMB", "HostCpuUsedMs", "HostMemSwappedMB",
    "HostMemSharedMB", "HostMemUsedMB", "HostMemPhysMB", "HostMemPhysFreeMB", "HostMemKernOvhdMB",
    "HostMemMappedMB", "HostMemUnmappedMB", "MemShares64", "SessionId",
};

static void *library;

static void *need(const char *name) {
    void *symbol = dlsym(library, name);
    if (symbol == NULL) {
        printf("missing %s\n", name);
        exit(3);
    }
    return symbol;
}

static void print_getters(void *handle) {
    char name[128];
    for (size_t index = 0; index < sizeof getters32 / sizeof *getters32; index++) {
        snprintf(name, sizeof name, "VMGuestLib_Get%s", getters32[index]);
        uint32_t value = 0;
        int code = ((get32_fn)need(name))(handle, &value);
        if (code == 0) {
            printf("%s 0 %u\n", getters32[index], value);
        } else {
            printf("%s %d -\n", getters32[index], code);
        }
    }
    for (size_t index = 0; index < sizeof getters64 / sizeof *getters64; index++) {
        snprintf(name, sizeof name, "VMGuestLib_Get%s", getters64[index]);
        uint64_t value = 0;
        int code = ((get64_fn)need(name))(handle, &value);
        if (code == 0) {
            printf("%s 0 %llu\n", getters64[index], (unsigned long long)value);
        } else {
            printf("%s %d -\n", getters64[index], code);
        }
    }
    char path[1024];
    size_t size = sizeof path;
    int code = ((path_fn)need("VMGuestLib_GetResourcePoolPath"))(handle, &size, path);
    if (code == 0) {
        printf("ResourcePoolPath 0 %s\n", path);
    } else {
        printf("ResourcePoolPath %d -\n", code);
    }
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: guestlib-client LIBRARY [update | stat:ENC:NAME]...\n");
        return 64;
    }
    setvbuf(stdout, NULL, _IONBF, 0);
    library = dlopen(argv[1], RTLD_NOW);
    if (library == NULL) {
        printf("dlopen %s\n", dlerror());
        return 2;
    }
    void *handle = NULL;
    int code = ((open_handle_fn)need("VMGuestLib_OpenHandle"))(&handle);
    printf("OpenHandle %d\n", code);
    if (code != 0) {
        return 1;
    }
    for (int index = 2; index < argc; index++) {
        if (strcmp(argv[index], "update") == 0) {
            printf("UpdateInfo %d\n", ((handle_fn)need("VMGuestLib_UpdateInfo"))(handle));
            print_getters(handle);
        } else if (strncmp(argv[index], "stat:", 5) == 0) {
            char encoding[64] = "";
            const char *rest = argv[index] + 5;
            const char *colon = strchr(rest, ':');
            size_t length = colon ? (size_t)(colon - rest) : strlen(rest);
            if (length >= sizeof encoding) {
                length = sizeof encoding - 1;
            }
            memcpy(encoding, rest, length);
            encoding[length] = 0;
            const char *stat = colon ? colon + 1 : "";
            char *reply = NULL;
            size_t size = 0;
            int result = ((stat_get_fn)need("VMGuestLib_StatGet"))(encoding, stat, &reply, &size);
            printf("StatGet %d %zu\n%.*s\n", result, size, (int)size, reply ? reply : "");
            if (reply != NULL) {
                ((stat_free_fn)need("VMGuestLib_StatFree"))(reply, size);
            }
        }
        printf("end\n");
    }
    ((handle_fn)need("VMGuestLib_CloseHandle"))(handle);
    return 0;
}
