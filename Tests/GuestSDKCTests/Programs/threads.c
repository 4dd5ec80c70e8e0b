/*
 * GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
 * Licensed under the Apache License, Version 2.0.
 *
 * threads: eight threads update and read one handle at the same time, while a
 * ninth opens and closes handles of its own. Every call must succeed and every
 * read must see the session the host serves. Prints "ok <calls>" and exits 0, or
 * names the first failure and exits 1.
 */

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "vmGuestLib.h"

#define THREADS 8
#define ROUNDS 150

static VMGuestLibHandle shared;
static VMSessionId expected_session;
static pthread_mutex_t report_lock = PTHREAD_MUTEX_INITIALIZER;
static int failures;
static long calls;

static void fail(const char *what, int code)
{
    pthread_mutex_lock(&report_lock);
    if (failures++ == 0) {
        printf("failed: %s: %d\n", what, code);
    }
    pthread_mutex_unlock(&report_lock);
}

static void *worker(void *argument)
{
    int round;
    long made = 0;
    (void)argument;

    for (round = 0; round < ROUNDS; round++) {
        uint32 limit = 0;
        uint64 elapsed = 0;
        VMSessionId session = 0;
        char path[600];
        size_t size = sizeof(path);
        int code;

        if ((code = VMGuestLib_UpdateInfo(shared)) != 0) { fail("UpdateInfo", code); }
        if ((code = VMGuestLib_GetCpuLimitMHz(shared, &limit)) != 0) { fail("GetCpuLimitMHz", code); }
        if ((code = VMGuestLib_GetElapsedMs(shared, &elapsed)) != 0) { fail("GetElapsedMs", code); }
        if ((code = VMGuestLib_GetResourcePoolPath(shared, &size, path)) != 0) { fail("GetResourcePoolPath", code); }
        if ((code = VMGuestLib_GetSessionId(shared, &session)) != 0) { fail("GetSessionId", code); }
        if (session != expected_session) { fail("session changed", 0); }
        made += 6;
    }
    pthread_mutex_lock(&report_lock);
    calls += made;
    pthread_mutex_unlock(&report_lock);
    return NULL;
}

static void *churn(void *argument)
{
    int round;
    (void)argument;

    for (round = 0; round < ROUNDS; round++) {
        VMGuestLibHandle own = NULL;
        int code;
        if ((code = VMGuestLib_OpenHandle(&own)) != 0) { fail("OpenHandle", code); continue; }
        if ((code = VMGuestLib_CloseHandle(own)) != 0) { fail("CloseHandle", code); }
        if ((code = VMGuestLib_CloseHandle(own)) != VMGUESTLIB_ERROR_INVALID_HANDLE) {
            fail("second CloseHandle", code);
        }
    }
    return NULL;
}

int main(void)
{
    pthread_t threads[THREADS + 1];
    int index;
    int code;

    if ((code = VMGuestLib_OpenHandle(&shared)) != 0 || (code = VMGuestLib_UpdateInfo(shared)) != 0 ||
        (code = VMGuestLib_GetSessionId(shared, &expected_session)) != 0) {
        printf("failed: setup: %d\n", code);
        return 1;
    }
    for (index = 0; index < THREADS; index++) {
        pthread_create(&threads[index], NULL, worker, NULL);
    }
    pthread_create(&threads[THREADS], NULL, churn, NULL);
    for (index = 0; index <= THREADS; index++) {
        pthread_join(threads[index], NULL);
    }
    VMGuestLib_CloseHandle(shared);
    if (failures > 0) {
        return 1;
    }
    printf("ok %ld\n", calls);
    return 0;
}
