/*
 * GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
 * Licensed under the Apache License, Version 2.0.
 *
 * includeCheck.h: present so that code written for the Guest SDK, which
 * includes this header beside vmGuestLib.h, compiles unchanged. GuestSDK's
 * headers need no include-permission checks, so it declares nothing.
 */

#ifndef GUESTSDK_INCLUDE_CHECK_H
#define GUESTSDK_INCLUDE_CHECK_H
#endif /* GUESTSDK_INCLUDE_CHECK_H */
