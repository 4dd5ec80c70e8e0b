// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

#include "CPlatform.h"

#include <sys/ioctl.h>

int guestsdk_ioctl_uint(int fd, unsigned long request, unsigned int *value) {
    return ioctl(fd, request, value);
}
