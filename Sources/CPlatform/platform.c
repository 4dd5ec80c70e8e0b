// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

#include "CPlatform.h"

#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <string.h>

int guestsdk_errno(void) {
    return errno;
}

#if defined(__x86_64__) || defined(__i386__)

int guestsdk_cpuid(uint32_t leaf, uint32_t subleaf, uint32_t out[4]) {
    uint32_t eax, ebx, ecx, edx;
    __asm__ __volatile__("cpuid"
                         : "=a"(eax), "=b"(ebx), "=c"(ecx), "=d"(edx)
                         : "a"(leaf), "c"(subleaf));
    out[0] = eax;
    out[1] = ebx;
    out[2] = ecx;
    out[3] = edx;
    return 0;
}

int guestsdk_backdoor_in(GuestSDKBackdoorRegisters *r) {
    uint32_t eax = r->eax, ebx = r->ebx, ecx = r->ecx, edx = r->edx, esi = r->esi, edi = r->edi;
    __asm__ __volatile__("inl %%dx, %%eax"
                         : "+a"(eax), "+b"(ebx), "+c"(ecx), "+d"(edx), "+S"(esi), "+D"(edi)
                         :
                         : "memory");
    r->eax = eax;
    r->ebx = ebx;
    r->ecx = ecx;
    r->edx = edx;
    r->esi = esi;
    r->edi = edi;
    return 0;
}


// The fault guard of guestsdk_backdoor_probe. The jump buffer is per thread, so
// only the thread that armed it jumps; a fault on any other thread re-installs
// the handler saved before the probe and returns, so the instruction faults
// again under that handler.
static __thread sigjmp_buf *probe_jump;
static struct sigaction probe_saved_segv;
static struct sigaction probe_saved_ill;
#if defined(__FreeBSD__)
static struct sigaction probe_saved_bus;
#endif

static void probe_fault_handler(int signal_number) {
    sigjmp_buf *jump = probe_jump;
    if (jump != NULL) {
        probe_jump = NULL;
        siglongjmp(*jump, 1);
    }
    if (signal_number == SIGSEGV) {
        sigaction(SIGSEGV, &probe_saved_segv, NULL);
    } else if (signal_number == SIGILL) {
        sigaction(SIGILL, &probe_saved_ill, NULL);
    }
#if defined(__FreeBSD__)
    else if (signal_number == SIGBUS) {
        sigaction(SIGBUS, &probe_saved_bus, NULL);
    }
#endif
}

static void probe_restore_handlers(void) {
    sigaction(SIGSEGV, &probe_saved_segv, NULL);
    sigaction(SIGILL, &probe_saved_ill, NULL);
#if defined(__FreeBSD__)
    sigaction(SIGBUS, &probe_saved_bus, NULL);
#endif
}

// Runs body(context) with the fault guard armed. Returns 0 when the body
// completed, 1 when it faulted, -1 when the handlers could not be installed.
static int run_guarded(void (*body)(void *), void *context) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = probe_fault_handler;
    sigemptyset(&action.sa_mask);
    if (sigaction(SIGSEGV, &action, &probe_saved_segv) != 0) {
        return -1;
    }
    if (sigaction(SIGILL, &action, &probe_saved_ill) != 0) {
        sigaction(SIGSEGV, &probe_saved_segv, NULL);
        return -1;
    }
#if defined(__FreeBSD__)
    if (sigaction(SIGBUS, &action, &probe_saved_bus) != 0) {
        sigaction(SIGSEGV, &probe_saved_segv, NULL);
        sigaction(SIGILL, &probe_saved_ill, NULL);
        return -1;
    }
#endif

    // sigsetjmp saves the signal mask and the jump restores it, unblocking the
    // signal being handled.
    sigjmp_buf jump;
    volatile int faulted = 0;
    if (sigsetjmp(jump, 1) == 0) {
        probe_jump = &jump;
        body(context);
        probe_jump = NULL;
    } else {
        faulted = 1;
    }
    probe_restore_handlers();
    return faulted;
}

// guestsdk_backdoor_in writes the registers only after the instruction has
// completed, so a fault leaves them as they were.
static void probe_backdoor(void *context) {
    guestsdk_backdoor_in((GuestSDKBackdoorRegisters *)context);
}

int guestsdk_backdoor_probe(GuestSDKBackdoorRegisters *r) {
    return run_guarded(probe_backdoor, r);
}

static void probe_nothing(void *context) {
    (void)context;
}

// UD2 is the architecturally undefined instruction (SIGILL). HLT is privileged:
// in user mode it raises #GP, which Linux delivers as SIGSEGV exactly as it does
// for a user-mode IN outside a VM. Neither touches an I/O port.
static void probe_undefined_instruction(void *context) {
    (void)context;
    __asm__ __volatile__("ud2");
}

static void probe_privileged_instruction(void *context) {
    (void)context;
    __asm__ __volatile__("hlt");
}

int guestsdk_fault_guard_selftest(int fault) {
    switch (fault) {
    case 0:
        return run_guarded(probe_nothing, NULL);
    case 1:
        return run_guarded(probe_undefined_instruction, NULL);
    case 2:
        return run_guarded(probe_privileged_instruction, NULL);
    default:
        return -1;
    }
}

#if defined(__x86_64__)

// EBP carries a cookie in the high-bandwidth calls; it is saved and restored
// around the instruction because the compiler may use it as the frame pointer.
int guestsdk_backdoor_hb_out(GuestSDKBackdoorRegisters *r, const uint8_t *bytes) {
    uint64_t eax = r->eax, ebx = r->ebx, ecx = r->ecx, edx = r->edx;
    uint64_t esi = (uint64_t)(uintptr_t)bytes, edi = r->edi, ebp = r->ebp;
    __asm__ __volatile__("pushq %%rbp\n\t"
                         "movq %[ebp], %%rbp\n\t"
                         "cld\n\t"
                         "rep outsb\n\t"
                         "popq %%rbp"
                         : "+a"(eax), "+b"(ebx), "+c"(ecx), "+d"(edx), "+S"(esi), "+D"(edi)
                         : [ebp] "r"(ebp)
                         : "memory", "cc");
    r->eax = (uint32_t)eax;
    r->ebx = (uint32_t)ebx;
    r->ecx = (uint32_t)ecx;
    r->edx = (uint32_t)edx;
    return 0;
}

int guestsdk_backdoor_hb_in(GuestSDKBackdoorRegisters *r, uint8_t *buffer) {
    uint64_t eax = r->eax, ebx = r->ebx, ecx = r->ecx, edx = r->edx;
    uint64_t esi = r->esi, edi = (uint64_t)(uintptr_t)buffer, ebp = r->ebp;
    __asm__ __volatile__("pushq %%rbp\n\t"
                         "movq %[ebp], %%rbp\n\t"
                         "cld\n\t"
                         "rep insb\n\t"
                         "popq %%rbp"
                         : "+a"(eax), "+b"(ebx), "+c"(ecx), "+d"(edx), "+S"(esi), "+D"(edi)
                         : [ebp] "r"(ebp)
                         : "memory", "cc");
    r->eax = (uint32_t)eax;
    r->ebx = (uint32_t)ebx;
    r->ecx = (uint32_t)ecx;
    r->edx = (uint32_t)edx;
    return 0;
}

#else

// FIXME: 32-bit x86 high-bandwidth transfers are not written yet; the message
// channel falls back to 4-byte low-bandwidth steps when these return -1.
int guestsdk_backdoor_hb_out(GuestSDKBackdoorRegisters *r, const uint8_t *bytes) {
    (void)r;
    (void)bytes;
    return -1;
}

int guestsdk_backdoor_hb_in(GuestSDKBackdoorRegisters *r, uint8_t *buffer) {
    (void)r;
    (void)buffer;
    return -1;
}

#endif

#else

int guestsdk_cpuid(uint32_t leaf, uint32_t subleaf, uint32_t out[4]) {
    (void)leaf;
    (void)subleaf;
    memset(out, 0, 4 * sizeof(uint32_t));
    return -1;
}

// FIXME: the arm64 backdoor (MRS XZR, MDCCSR_EL0 with X7 = 0x86 << 32 | code,
// PROTOCOL.md §2.2) is not written; arm64 guests reach the host over vsock only.
int guestsdk_backdoor_in(GuestSDKBackdoorRegisters *r) {
    (void)r;
    return -1;
}

int guestsdk_backdoor_hb_out(GuestSDKBackdoorRegisters *r, const uint8_t *bytes) {
    (void)r;
    (void)bytes;
    return -1;
}

int guestsdk_backdoor_hb_in(GuestSDKBackdoorRegisters *r, uint8_t *buffer) {
    (void)r;
    (void)buffer;
    return -1;
}

int guestsdk_backdoor_probe(GuestSDKBackdoorRegisters *r) {
    (void)r;
    return -1;
}

int guestsdk_fault_guard_selftest(int fault) {
    (void)fault;
    return -1;
}

#endif
