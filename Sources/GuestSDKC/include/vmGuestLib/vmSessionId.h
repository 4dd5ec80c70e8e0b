/*
 * GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
 * Licensed under the Apache License, Version 2.0.
 *
 * vmSessionId.h: the session identifier VMGuestLib_GetSessionId reports. It
 * changes when the virtual machine is migrated, resumed or reverted, and a
 * caller compares it between updates to know that counters started over.
 */

#ifndef _VM_SESSION_ID_H_
#define _VM_SESSION_ID_H_

#include "vm_basic_types.h"

typedef uint64 VMSessionId;

#endif /* _VM_SESSION_ID_H_ */
