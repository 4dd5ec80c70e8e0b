/*
 * GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
 * Licensed under the Apache License, Version 2.0.
 *
 * statget-long: VMGuestLib_StatGet with a request one byte over the 255-byte limit: the length is
 * checked before anything else, so the answer is BUFFER_TOO_SMALL whatever GUESTSDK_RPC says.
 */
#include <stdio.h>
#include <string.h>

#include "vmGuestLib.h"

int main(void) {
    /* "guestlib.stat.get json " is 23 bytes: a 233-byte stat makes 256. */
    char stat[234];
    char *reply = NULL;
    size_t size = 0;
    VMGuestLibError result;

    memset(stat, 's', sizeof(stat) - 1);
    stat[sizeof(stat) - 1] = '\0';
    result = VMGuestLib_StatGet("json", stat, &reply, &size);
    printf("StatGet 256-byte request=%d reply=%s\n", (int)result, reply == NULL ? "NULL" : "set");
    VMGuestLib_StatFree(reply, size);
    return 0;
}
