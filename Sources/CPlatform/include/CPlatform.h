// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

// CPlatform holds the machine instructions Swift cannot express: CPUID and the
// VMware backdoor port I/O. Nothing else belongs here.
//
// The backdoor functions execute IN / REP INSB / REP OUTSB. Outside a VMware
// guest those fault (SIGSEGV) or read garbage, so callers must run them only
// after guestsdk_cpuid has reported the "VMwareVMware" hypervisor vendor.

#ifndef GUESTSDK_CPLATFORM_H
#define GUESTSDK_CPLATFORM_H

#include <stdint.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// The registers one backdoor call reads and rewrites (x86 names; arm64 uses W0..W6).
typedef struct GuestSDKBackdoorRegisters {
    uint32_t eax;
    uint32_t ebx;
    uint32_t ecx;
    uint32_t edx;
    uint32_t esi;
    uint32_t edi;
    uint32_t ebp;
} GuestSDKBackdoorRegisters;

/// Runs CPUID for `leaf` and `subleaf` and stores EAX, EBX, ECX, EDX in `out`.
/// Returns 0 on success, -1 where the architecture has no CPUID (out is zeroed).
int guestsdk_cpuid(uint32_t leaf, uint32_t subleaf, uint32_t out[4]);

/// Executes one low-bandwidth backdoor call (32-bit IN from the port in DX).
/// Returns 0, or -1 where the architecture has no backdoor.
int guestsdk_backdoor_in(GuestSDKBackdoorRegisters *registers);

/// Executes one high-bandwidth guest-to-host transfer (REP OUTSB from `bytes`).
/// Returns 0, or -1 where the architecture has no backdoor.
int guestsdk_backdoor_hb_out(GuestSDKBackdoorRegisters *registers, const uint8_t *bytes);

/// Executes one high-bandwidth host-to-guest transfer (REP INSB into `buffer`).
/// Returns 0, or -1 where the architecture has no backdoor.
int guestsdk_backdoor_hb_in(GuestSDKBackdoorRegisters *registers, uint8_t *buffer);

/// The calling thread's errno, read through a function since errno may be a macro.
int guestsdk_errno(void);

/// Calls ioctl(fd, request, value) for requests that read or write one unsigned int,
/// such as the vsock device's address family (1976) and local CID (1977) queries.
/// Swift cannot call the variadic ioctl directly. Returns ioctl's result; errno is kept.
int guestsdk_ioctl_uint(int fd, unsigned long request, unsigned int *value);

#ifdef __cplusplus
}
#endif

#endif
