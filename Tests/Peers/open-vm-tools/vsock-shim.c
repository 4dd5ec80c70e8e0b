/*
 * GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
 * Licensed under the Apache License, Version 2.0.
 *
 * An LD_PRELOAD shim that lets Debian's libguestlib.so.0 (open-vm-tools) talk to
 * GuestSDK's host agent on a machine that is not a VMware guest:
 *
 *  - socket(AF_VSOCK, ...) creates an AF_UNIX socket of the same type instead;
 *    bind() on it succeeds without doing anything (the "privileged source port"
 *    loop of the vsock connect is satisfied at once); connect() on it connects to
 *    the Unix socket named by GUESTSDK_SHIM_SOCKET. No real vsock socket is ever
 *    created, so nothing can reach CID 0, 1 or 2.
 *  - open()/open64() of /dev/vsock and /dev/vmci fail with ENOENT.
 *  - VmCheck_IsVirtualWorld() answers TRUE, so VMGuestLib_OpenHandle proceeds.
 *  - Every library function that contains an IN/OUT/REP INS/REP OUTS
 *    instruction (found with objdump: Backdoor_InOut, BackdoorHbIn,
 *    BackdoorHbOut, Hostinfo_TouchBackDoor, Hostinfo_NestingSupported,
 *    Hostinfo_VCPUInfoBackdoor, Hostinfo_GetNestedBuildNum) and every exported
 *    entry that leads to one (Backdoor, BackdoorHb, Backdoor_HbIn/Out, the
 *    vmcall/vmmcall variants, VmCheck_GetVersion) is replaced by a stub that
 *    prints "vsock-shim: blocked <name>" and exits with status 86. libguestlib
 *    reaches all of them through its PLT or GOT, so the stubs are what runs.
 *
 * With GUESTSDK_SHIM_TRACE set, each redirected call is traced on stderr.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define SHIM_AF_VSOCK 40
#define SHIM_MAX_FD 4096

struct shim_sockaddr_vm {
    unsigned short svm_family;
    unsigned short svm_reserved1;
    unsigned int svm_port;
    unsigned int svm_cid;
    unsigned char svm_zero[4];
};

static unsigned char redirected[SHIM_MAX_FD];

static void trace(const char *format, ...) {
    if (getenv("GUESTSDK_SHIM_TRACE") == NULL) {
        return;
    }
    va_list arguments;
    va_start(arguments, format);
    fprintf(stderr, "vsock-shim: ");
    vfprintf(stderr, format, arguments);
    fprintf(stderr, "\n");
    va_end(arguments);
}

static void *next_symbol(const char *name) {
    void *symbol = dlsym(RTLD_NEXT, name);
    if (symbol == NULL) {
        fprintf(stderr, "vsock-shim: no next %s\n", name);
        _exit(87);
    }
    return symbol;
}

int socket(int domain, int type, int protocol) {
    static int (*real_socket)(int, int, int);
    if (real_socket == NULL) {
        real_socket = (int (*)(int, int, int))next_symbol("socket");
    }
    if (domain != SHIM_AF_VSOCK) {
        int fd = real_socket(domain, type, protocol);
        if (fd >= 0 && fd < SHIM_MAX_FD) {
            redirected[fd] = 0;
        }
        return fd;
    }
    int fd = real_socket(AF_UNIX, type, 0);
    if (fd >= 0 && fd < SHIM_MAX_FD) {
        redirected[fd] = 1;
    }
    trace("socket(AF_VSOCK, %d) -> unix fd %d", type, fd);
    return fd;
}

int bind(int fd, const struct sockaddr *address, socklen_t length) {
    static int (*real_bind)(int, const struct sockaddr *, socklen_t);
    if (real_bind == NULL) {
        real_bind = (int (*)(int, const struct sockaddr *, socklen_t))next_symbol("bind");
    }
    if (fd >= 0 && fd < SHIM_MAX_FD && redirected[fd]) {
        const struct shim_sockaddr_vm *vm = (const struct shim_sockaddr_vm *)address;
        trace("bind(fd %d, vsock port %u) -> pretend success", fd, vm->svm_port);
        return 0;
    }
    return real_bind(fd, address, length);
}

int connect(int fd, const struct sockaddr *address, socklen_t length) {
    static int (*real_connect)(int, const struct sockaddr *, socklen_t);
    if (real_connect == NULL) {
        real_connect = (int (*)(int, const struct sockaddr *, socklen_t))next_symbol("connect");
    }
    if (fd < 0 || fd >= SHIM_MAX_FD || !redirected[fd]) {
        return real_connect(fd, address, length);
    }
    const struct shim_sockaddr_vm *vm = (const struct shim_sockaddr_vm *)address;
    const char *path = getenv("GUESTSDK_SHIM_SOCKET");
    if (path == NULL || strlen(path) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
        trace("connect(fd %d, vsock %u:%u) refused: GUESTSDK_SHIM_SOCKET unset or too long", fd, vm->svm_cid,
              vm->svm_port);
        errno = ECONNREFUSED;
        return -1;
    }
    struct sockaddr_un unix_address;
    memset(&unix_address, 0, sizeof unix_address);
    unix_address.sun_family = AF_UNIX;
    strcpy(unix_address.sun_path, path);
    int result = real_connect(fd, (const struct sockaddr *)&unix_address, sizeof unix_address);
    trace("connect(fd %d, vsock %u:%u) -> %s = %d", fd, vm->svm_cid, vm->svm_port, path, result);
    return result;
}

int close(int fd) {
    static int (*real_close)(int);
    if (real_close == NULL) {
        real_close = (int (*)(int))next_symbol("close");
    }
    if (fd >= 0 && fd < SHIM_MAX_FD) {
        redirected[fd] = 0;
    }
    return real_close(fd);
}

static int is_vsock_device(const char *path) {
    return path != NULL && (strcmp(path, "/dev/vsock") == 0 || strcmp(path, "/dev/vmci") == 0);
}

int open(const char *path, int flags, ...) {
    static int (*real_open)(const char *, int, ...);
    if (real_open == NULL) {
        real_open = (int (*)(const char *, int, ...))next_symbol("open");
    }
    if (is_vsock_device(path)) {
        trace("open(%s) -> ENOENT", path);
        errno = ENOENT;
        return -1;
    }
    va_list arguments;
    va_start(arguments, flags);
    int mode = (flags & (O_CREAT | O_TMPFILE)) ? va_arg(arguments, int) : 0;
    va_end(arguments);
    return real_open(path, flags, mode);
}

int open64(const char *path, int flags, ...) {
    static int (*real_open64)(const char *, int, ...);
    if (real_open64 == NULL) {
        real_open64 = (int (*)(const char *, int, ...))next_symbol("open64");
    }
    if (is_vsock_device(path)) {
        trace("open64(%s) -> ENOENT", path);
        errno = ENOENT;
        return -1;
    }
    va_list arguments;
    va_start(arguments, flags);
    int mode = (flags & (O_CREAT | O_TMPFILE)) ? va_arg(arguments, int) : 0;
    va_end(arguments);
    return real_open64(path, flags, mode);
}

char VmCheck_IsVirtualWorld(void) {
    trace("VmCheck_IsVirtualWorld() -> TRUE");
    return 1;
}

#define SHIM_BLOCK(name)                                                \
    void name(void) {                                                   \
        fprintf(stderr, "vsock-shim: blocked %s\n", #name);             \
        _exit(86);                                                      \
    }

SHIM_BLOCK(Backdoor)
SHIM_BLOCK(Backdoor_InOut)
SHIM_BLOCK(BackdoorHb)
SHIM_BLOCK(BackdoorHbIn)
SHIM_BLOCK(BackdoorHbOut)
SHIM_BLOCK(Backdoor_HbIn)
SHIM_BLOCK(Backdoor_HbOut)
SHIM_BLOCK(Backdoor_Vmcall)
SHIM_BLOCK(Backdoor_Vmmcall)
SHIM_BLOCK(BackdoorHbVmcall)
SHIM_BLOCK(BackdoorHbVmmcall)
SHIM_BLOCK(Hostinfo_TouchBackDoor)
SHIM_BLOCK(Hostinfo_NestingSupported)
SHIM_BLOCK(Hostinfo_VCPUInfoBackdoor)
SHIM_BLOCK(Hostinfo_GetNestedBuildNum)
SHIM_BLOCK(VmCheck_GetVersion)
