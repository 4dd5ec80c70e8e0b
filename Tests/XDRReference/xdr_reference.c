// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

#include "XDRReference.h"

#include <rpc/types.h>
#include <rpc/xdr.h>
#include <string.h>

int xdrref_kind(uint32_t id) {
    switch (id) {
    case 4: case 17: case 19: case 20: case 22: case 23: case 24: case 25: case 26: case 27: case 28: case 29:
    case 30: case 38:
        return XDRREF_KIND_U64;
    case 18:
        return XDRREF_KIND_STRING;
    case 37:
        return XDRREF_KIND_OPAQUE;
    default:
        return XDRREF_KIND_U32;
    }
}

static void store_le32(uint8_t *out, uint32_t value) {
    for (int i = 0; i < 4; i++) out[i] = (uint8_t)(value >> (8 * i));
}

static void store_le64(uint8_t *out, uint64_t value) {
    for (int i = 0; i < 8; i++) out[i] = (uint8_t)(value >> (8 * i));
}

static uint32_t load_le32(const uint8_t *in) {
    uint32_t value = 0;
    for (int i = 3; i >= 0; i--) value = value << 8 | in[i];
    return value;
}

static uint64_t load_le64(const uint8_t *in) {
    uint64_t value = 0;
    for (int i = 7; i >= 0; i--) value = value << 8 | in[i];
    return value;
}

static bool_t code_stat(XDR *xdrs, xdrref_stat *stat) {
    u_int id = stat->id;
    if (!xdr_u_int(xdrs, &id)) return FALSE;
    stat->id = id;
    if (id < 1 || id > XDRREF_MAX_STATS) return FALSE;
    if (!xdr_char(xdrs, &stat->valid)) return FALSE;
    switch (xdrref_kind(id)) {
    case XDRREF_KIND_U32: {
        u_int value = stat->u32;
        if (!xdr_u_int(xdrs, &value)) return FALSE;
        stat->u32 = value;
        return TRUE;
    }
    case XDRREF_KIND_U64: {
        u_quad_t value = stat->u64;
        if (!xdr_u_hyper(xdrs, &value)) return FALSE;
        stat->u64 = value;
        return TRUE;
    }
    case XDRREF_KIND_STRING: {
        char *text = (char *)stat->bytes;
        if (xdrs->x_op == XDR_ENCODE) {
            if (stat->length > XDRREF_MAX_PATH) return FALSE;
            stat->bytes[stat->length] = 0;
        }
        if (!xdr_string(xdrs, &text, XDRREF_MAX_PATH)) return FALSE;
        stat->length = (uint32_t)strlen(text);
        return TRUE;
    }
    default: {
        char *bytes = (char *)stat->bytes;
        u_int length = stat->length;
        if (!xdr_bytes(xdrs, &bytes, &length, XDRREF_MAX_BYTES)) return FALSE;
        stat->length = length;
        return TRUE;
    }
    }
}

int xdrref_encode_v3(uint64_t session, const xdrref_stat *stats, uint32_t count, uint8_t *out, size_t capacity,
                     size_t *length) {
    if (capacity < 16) return XDRREF_SHORT;
    XDR xdrs;
    xdrmem_create(&xdrs, (char *)out + 16, (u_int)(capacity - 16), XDR_ENCODE);
    u_int wireCount = count;
    int result = XDRREF_OK;
    if (!xdr_u_int(&xdrs, &wireCount)) {
        result = XDRREF_SHORT;
    }
    for (uint32_t i = 0; result == XDRREF_OK && i < count; i++) {
        xdrref_stat copy = stats[i];
        if (!code_stat(&xdrs, &copy)) result = XDRREF_ENTRY;
    }
    if (result == XDRREF_OK) {
        u_int dataSize = xdr_getpos(&xdrs);
        store_le32(out, 3);
        store_le64(out + 4, session);
        store_le32(out + 12, dataSize);
        *length = 16 + (size_t)dataSize;
    }
    xdr_destroy(&xdrs);
    return result;
}

int xdrref_decode_v3(const uint8_t *reply, size_t length, uint64_t *session, xdrref_stat *stats, uint32_t *count) {
    if (length < 16) return XDRREF_SHORT;
    if (load_le32(reply) != 3) return XDRREF_VERSION;
    uint32_t dataSize = load_le32(reply + 12);
    if (dataSize > length - 16) return XDRREF_DATA_SIZE;
    *session = load_le64(reply + 4);
    XDR xdrs;
    xdrmem_create(&xdrs, (char *)reply + 16, dataSize, XDR_DECODE);
    u_int wireCount = 0;
    int result = XDRREF_OK;
    if (!xdr_u_int(&xdrs, &wireCount)) result = XDRREF_COUNT;
    uint32_t kept = wireCount < XDRREF_MAX_STATS ? wireCount : XDRREF_MAX_STATS;
    uint32_t decoded = 0;
    for (uint32_t i = 0; result == XDRREF_OK && i < kept; i++) {
        if (!code_stat(&xdrs, &stats[i])) {
            result = XDRREF_ENTRY;
        } else if (stats[i].id != i + 1) {
            result = XDRREF_ID;
        } else {
            decoded++;
        }
    }
    xdr_destroy(&xdrs);
    *count = decoded;
    return result;
}
