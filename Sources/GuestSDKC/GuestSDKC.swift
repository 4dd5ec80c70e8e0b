// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

// GuestSDKC is the C ABI of the Guest SDK: `@_cdecl` functions with the SDK's
// exact names, types and enum values (PROTOCOL.md §8), over the GuestLib and
// AppMonitor modules. scripts/build-clibs links this module twice, into
// libguestlib.so.0 (the 45 `VMGuestLib_*` functions, also installed as
// libvmGuestLib.so) and libappmonitor.so.0 (the 7 `VMGuestAppMonitor_*`
// functions, also installed as libappmonitorlib.so), each with a version script
// that exports its list in `exports/` and nothing else. The headers are under
// `include/`.
//
// C callers get three guarantees the reference library does not give: a handle
// is an opaque token checked against a registry, so a NULL, closed or foreign
// handle gives `VMGUESTLIB_ERROR_INVALID_HANDLE` instead of a crash; a handle may
// be used from several threads (calls on one handle are serialised); and the
// app-monitoring calls are serialised on one process-global channel.
//
// No `print`, no logging: a C caller sees only return codes.
