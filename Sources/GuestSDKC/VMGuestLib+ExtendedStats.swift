// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Glibc

/// C `VMGuestLibError VMGuestLib_StatGet(const char *encoding, const char *stat, char **reply,
/// size_t *replySize)`: `guestlib.stat.get <encoding> <stat>` (PROTOCOL.md §6.1).
///
/// A NULL `encoding`, `reply` or `replySize` gives `INVALID_ARG`; a NULL `stat`
/// asks for the list of statistics. On `SUCCESS` `*reply` is a heap copy of the
/// document with a NUL appended and `*replySize` its length without the NUL; on
/// `NOT_AVAILABLE` they hold the host's or the transport's failure text. The
/// caller frees `*reply` with `VMGuestLib_StatFree`.
@_cdecl("VMGuestLib_StatGet")
public func VMGuestLib_StatGet(
    _ encoding: UnsafePointer<CChar>?, _ stat: UnsafePointer<CChar>?,
    _ reply: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?, _ replySize: UnsafeMutablePointer<Int>?
) -> Int32 {
    guard let encoding, let reply, let replySize else { return VMGuestLibErrorCode.invalidArgument.rawValue }
    reply.pointee = nil
    replySize.pointee = 0
    let statBytes = stat.map { CHeapString.bytes(of: $0) } ?? []
    let answer = GuestLibBridge.statGet(encoding: CHeapString.bytes(of: encoding), stat: statBytes)
    if let text = answer.reply {
        guard let copy = CHeapString.copy(text) else { return VMGuestLibErrorCode.memory.rawValue }
        reply.pointee = copy
        replySize.pointee = text.count
    }
    return answer.code.rawValue
}

/// C `void VMGuestLib_StatFree(char *reply, size_t replySize)`: frees a reply; NULL is allowed, the size is ignored.
@_cdecl("VMGuestLib_StatFree")
public func VMGuestLib_StatFree(_ reply: UnsafeMutablePointer<CChar>?, _ replySize: Int) {
    free(reply)
}

/// C `Bool VMGuestLib_AtomicUpdateCookie(const char *src, const char *dst, char **reply, size_t *replySize)`:
/// the `guestlib.ioctl` atomic-update-cookie request (PROTOCOL.md §6.2).
///
/// Returns TRUE (1) exactly when the host accepted the request. The host's reply,
/// when there is one, goes to `*reply` (free it with `VMGuestLib_StatFree`) and
/// its length to `*replySize`; either pointer may be NULL to ignore it. A NULL
/// cookie, or one longer than 256 bytes, gives FALSE and sends nothing.
@_cdecl("VMGuestLib_AtomicUpdateCookie")
public func VMGuestLib_AtomicUpdateCookie(
    _ source: UnsafePointer<CChar>?, _ destination: UnsafePointer<CChar>?,
    _ reply: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?, _ replySize: UnsafeMutablePointer<Int>?
) -> CChar {
    reply?.pointee = nil
    replySize?.pointee = 0
    guard let source, let destination else { return 0 }
    let answer = GuestLibBridge.atomicUpdateCookie(
        source: CHeapString.bytes(of: source), destination: CHeapString.bytes(of: destination)
    )
    if let text = answer.reply, let reply {
        reply.pointee = CHeapString.copy(text)
        replySize?.pointee = reply.pointee == nil ? 0 : text.count
    }
    return answer.succeeded ? 1 : 0
}
