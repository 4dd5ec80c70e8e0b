/*
 * GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
 * Licensed under the Apache License, Version 2.0.
 *
 * deprecated: calls VMGuestLib_GetHostMemKernOvhdMB, which the header marks
 * VMGUESTLIB_DEPRECATED; compiling it with -Werror=deprecated-declarations must fail.
 */

#include "vmGuestLib.h"

int main(void)
{
    uint64 value;
    return (int)VMGuestLib_GetHostMemKernOvhdMB((VMGuestLibHandle)0, &value);
}
