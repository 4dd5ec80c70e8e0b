// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

#include "CPlatform.h"

#include <errno.h>
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

#endif
