/*
 * GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
 * Licensed under the Apache License, Version 2.0.
 *
 * appmonitor-calls: makes the libappmonitor calls named on its command line, in
 * order, and prints one "call: result" line each, for GuestSDKCTests.
 *
 *   enable disable markActive isEnabled status post:STATE post:NULL
 */

#include <stdio.h>
#include <string.h>

#include "vmGuestAppMonitorLib.h"

int main(int argc, char **argv)
{
    int index;

    for (index = 1; index < argc; index++) {
        const char *call = argv[index];
        if (strcmp(call, "enable") == 0) {
            printf("enable: %d\n", (int)VMGuestAppMonitor_Enable());
        } else if (strcmp(call, "disable") == 0) {
            printf("disable: %d\n", (int)VMGuestAppMonitor_Disable());
        } else if (strcmp(call, "markActive") == 0) {
            printf("markActive: %d\n", (int)VMGuestAppMonitor_MarkActive());
        } else if (strcmp(call, "isEnabled") == 0) {
            printf("isEnabled: %d\n", VMGuestAppMonitor_IsEnabled());
        } else if (strcmp(call, "status") == 0) {
            char *status = VMGuestAppMonitor_GetAppStatus();
            printf("status: %s\n", status != NULL ? status : "(NULL)");
            VMGuestAppMonitor_Free(status);
        } else if (strcmp(call, "post:NULL") == 0) {
            printf("%s: %d\n", call, (int)VMGuestAppMonitor_PostAppState(NULL));
        } else if (strncmp(call, "post:", 5) == 0) {
            printf("%s: %d\n", call, (int)VMGuestAppMonitor_PostAppState(call + 5));
        } else if (strcmp(call, "free:NULL") == 0) {
            VMGuestAppMonitor_Free(NULL);
            printf("free:NULL: ok\n");
        } else {
            printf("unknown call %s\n", call);
            return 64;
        }
    }
    return 0;
}
