// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.
//
// An independent V3 `guestlib.info.get` reply codec built on Debian's libtirpc
// `xdr_*` routines, used by the tests to cross-check GuestLib's XDR codec and by
// `guestsdk-bench decode-v3` as the baseline. This header does not include
// <rpc/xdr.h>, so Swift can import it without the tirpc include path.

#ifndef GUESTSDK_XDR_REFERENCE_H
#define GUESTSDK_XDR_REFERENCE_H

#include <stddef.h>
#include <stdint.h>

#define XDRREF_MAX_STATS 38
#define XDRREF_MAX_PATH 512
#define XDRREF_MAX_BYTES 4096

enum {
    XDRREF_KIND_U32 = 0,
    XDRREF_KIND_U64 = 1,
    XDRREF_KIND_STRING = 2,
    XDRREF_KIND_OPAQUE = 3,
};

enum {
    XDRREF_OK = 0,
    XDRREF_SHORT = -1,         // reply under 16 bytes, or the output buffer too small
    XDRREF_VERSION = -2,       // version is not 3
    XDRREF_DATA_SIZE = -3,     // dataSize beyond the reply
    XDRREF_COUNT = -4,         // the count could not be decoded
    XDRREF_ENTRY = -5,         // an entry could not be decoded or encoded
    XDRREF_ID = -6,            // an entry's id is out of sequence
};

/// One statistic: id, valid flag (a C char on the wire), and the value its id selects.
typedef struct {
    uint32_t id;
    char valid;
    uint32_t u32;
    uint64_t u64;
    uint32_t length;                 // bytes used in `bytes` for a string or opaque value
    uint8_t bytes[XDRREF_MAX_BYTES]; // a string is NUL-terminated in addition
} xdrref_stat;

/// The value kind of a statistic id (1 to 38), one of XDRREF_KIND_*.
int xdrref_kind(uint32_t id);

/// Encodes a V3 reply (16-byte LE header, then XDR) into `out`; `*length` receives its size.
int xdrref_encode_v3(uint64_t session, const xdrref_stat *stats, uint32_t count, uint8_t *out, size_t capacity,
                     size_t *length);

/// Decodes a V3 reply: at most 38 entries, ids in sequence from 1; `*count` receives the entries decoded.
int xdrref_decode_v3(const uint8_t *reply, size_t length, uint64_t *session, xdrref_stat *stats, uint32_t *count);

#endif
