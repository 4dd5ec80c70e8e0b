/*
 * GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
 * Licensed under the Apache License, Version 2.0.
 *
 * pkgconfig: built with `pkg-config --cflags --libs vmguestlib` against an
 * installed prefix; prints the CPU limit and the resource pool path of the host
 * that GUESTSDK_RPC names.
 */

#include <stdio.h>

#include <vmGuestLib.h>

int main(void)
{
    VMGuestLibHandle handle;
    uint32 limit = 0;
    char path[600];
    size_t size = sizeof(path);
    VMGuestLibError error;

    if ((error = VMGuestLib_OpenHandle(&handle)) != VMGUESTLIB_ERROR_SUCCESS ||
        (error = VMGuestLib_UpdateInfo(handle)) != VMGUESTLIB_ERROR_SUCCESS ||
        (error = VMGuestLib_GetCpuLimitMHz(handle, &limit)) != VMGUESTLIB_ERROR_SUCCESS ||
        (error = VMGuestLib_GetResourcePoolPath(handle, &size, path)) != VMGUESTLIB_ERROR_SUCCESS) {
        printf("error: %s\n", VMGuestLib_GetErrorText(error));
        return 1;
    }
    printf("CpuLimitMHz: %u\nResourcePoolPath: %s\n", (unsigned)limit, path);
    VMGuestLib_CloseHandle(handle);
    return 0;
}
