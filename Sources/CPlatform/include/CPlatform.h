// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

// CPlatform holds the machine instructions Swift cannot express (CPUID and the
// VMware backdoor port I/O) and the two libc calls Swift's Glibc module cannot
// reach (the variadic ioctl, and accept4, which glibc declares only under
// _GNU_SOURCE). Nothing else belongs here.
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

/// Executes one low-bandwidth backdoor call like guestsdk_backdoor_in, but with
/// temporary SIGSEGV and SIGILL handlers (SIGBUS too on FreeBSD) that jump back
/// if the instruction faults, as the VM check of PROTOCOL.md §1 steps 2-3 does.
/// The handlers are process-wide for the length of the call; a fault on another
/// thread in that window is handed to the handler that was installed before.
/// Still run it only after CPUID reported "VMwareVMware".
/// Returns 0 when the call completed, 1 when it faulted (registers untouched),
/// -1 where the architecture has no backdoor or the handlers could not be installed.
int guestsdk_backdoor_probe(GuestSDKBackdoorRegisters *registers);

/// Runs an instruction that faults, under the same guard as guestsdk_backdoor_probe,
/// so tests can prove the guard without touching the backdoor: `fault` 0 runs
/// nothing, 1 runs UD2 (SIGILL), 2 runs the privileged HLT (#GP, SIGSEGV, as a
/// user-mode IN outside a VM). Safe on any x86 machine; never touches an I/O port.
/// Returns what guestsdk_backdoor_probe would: 0 completed, 1 faulted, -1 unsupported.
int guestsdk_fault_guard_selftest(int fault);

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

/// Accepts a connection on the listening socket `fd` as accept4(fd, address, length,
/// SOCK_NONBLOCK | SOCK_CLOEXEC) does: the new descriptor is non-blocking and closed on
/// exec from its first instant, with no window in which a spawned program could inherit it.
/// Returns the descriptor, or -1 with errno set.
int guestsdk_accept_nonblocking(int fd, void *address, unsigned int *length);

#ifdef __cplusplus
}
#endif

#endif
