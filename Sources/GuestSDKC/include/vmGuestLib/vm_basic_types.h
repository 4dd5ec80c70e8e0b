/*
 * GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
 * Licensed under the Apache License, Version 2.0.
 *
 * vm_basic_types.h: the fixed-width integer names and the one-byte Bool that
 * the Guest SDK's C interface is written in (PROTOCOL.md section 8.1).
 *
 * The include guard is the one VMware's header of the same name uses, so a
 * program that also sees VMware's copy gets one set of definitions, not two.
 */

#ifndef _VM_BASIC_TYPES_H_
#define _VM_BASIC_TYPES_H_

#include <stddef.h>
#include <stdint.h>

typedef uint8_t uint8;
typedef uint16_t uint16;
typedef uint32_t uint32;
typedef uint64_t uint64;
typedef int8_t int8;
typedef int16_t int16;
typedef int32_t int32;
typedef int64_t int64;

/* A Guest SDK Bool is one byte in C and C++ alike: TRUE is 1, FALSE is 0. */
typedef char Bool;

#ifndef FALSE
#define FALSE 0
#endif
#ifndef TRUE
#define TRUE 1
#endif

#endif /* _VM_BASIC_TYPES_H_ */
