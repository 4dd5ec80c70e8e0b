/*
 * GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
 * Licensed under the Apache License, Version 2.0.
 *
 * appmonitor-heartbeat: turns HA application monitoring on and heartbeats, as
 * an application written for the Guest SDK does. Link it with -lappmonitorlib.
 *
 *   usage: appmonitor-heartbeat [-n BEATS] [-i SECONDS] [-k]
 *
 * Enables monitoring, then calls MarkActive BEATS times (default 3; 0 runs
 * until interrupted), SECONDS apart (default 15, well inside the 30-second
 * deadline), printing the app status after each beat. Without -k it disables
 * monitoring at the end, so the VM is not reset when it stops; with -k it leaves
 * monitoring on. Exit status: 0, 1 when a call fails, 64 on a usage error.
 */

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "vmGuestAppMonitorLib.h"

static void print_status(void)
{
    char *status = VMGuestAppMonitor_GetAppStatus();

    printf("status: %s\n", status != NULL ? status : "(none)");
    VMGuestAppMonitor_Free(status);
}

int main(int argc, char **argv)
{
    long beats = 3;
    long interval = 15;
    long beat;
    int keep = 0;
    int option;
    VMGuestAppMonitorLibError error;

    while ((option = getopt(argc, argv, "n:i:kh")) != -1) {
        switch (option) {
        case 'n': beats = strtol(optarg, NULL, 10); break;
        case 'i': interval = strtol(optarg, NULL, 10); break;
        case 'k': keep = 1; break;
        case 'h':
            printf("usage: appmonitor-heartbeat [-n BEATS] [-i SECONDS] [-k]\n");
            return 0;
        default:
            fprintf(stderr, "usage: appmonitor-heartbeat [-n BEATS] [-i SECONDS] [-k]\n");
            return 64;
        }
    }

    error = VMGuestAppMonitor_Enable();
    printf("enable: %d\n", (int)error);
    if (error != VMGUESTAPPMONITORLIB_ERROR_SUCCESS) {
        return 1;
    }
    printf("isEnabled: %d\n", VMGuestAppMonitor_IsEnabled());
    for (beat = 0; beats == 0 || beat < beats; beat++) {
        if (beat > 0 && interval > 0) {
            sleep((unsigned)interval);
        }
        error = VMGuestAppMonitor_MarkActive();
        printf("markActive: %d\n", (int)error);
        if (error != VMGUESTAPPMONITORLIB_ERROR_SUCCESS) {
            return 1;
        }
        print_status();
        fflush(stdout);
    }
    if (!keep) {
        error = VMGuestAppMonitor_Disable();
        printf("disable: %d\n", (int)error);
        if (error != VMGUESTAPPMONITORLIB_ERROR_SUCCESS) {
            return 1;
        }
        print_status();
    }
    return 0;
}
