// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

// A C ping-pong over a stream Unix socket: the baseline of guestsdk-bench's
// update-roundtrip. The server answers every connection's one framed packet
// (4-byte big-endian length + body) with fixed reply bytes and closes it, as a
// host answers a one-shot guestlib request; the client connects, sends fixed
// request bytes, reads one framed reply and closes.

#ifndef UNIX_PINGPONG_H
#define UNIX_PINGPONG_H

#include <stddef.h>
#include <stdint.h>

typedef struct pingpong_server pingpong_server;

/// Starts a server thread listening on `path` that answers each connection with `reply` (copied).
/// Returns 0, or -errno of the call that failed.
int pingpong_server_start(const char *path, const uint8_t *reply, size_t reply_length, pingpong_server **out);

/// Stops the server thread, closes its socket and frees it.
void pingpong_server_stop(pingpong_server *server);

/// One round trip to `path`: connect, send `request`, read one framed reply into `buffer`, close.
/// Returns the reply's length (4 + body), or -errno, or -EMSGSIZE when `capacity` is too small.
long pingpong_round_trip(const char *path, const uint8_t *request, size_t request_length, uint8_t *buffer,
                         size_t capacity);

#endif
