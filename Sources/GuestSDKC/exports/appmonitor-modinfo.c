/*
 * GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
 * Licensed under the Apache License, Version 2.0.
 *
 * The AppMonitor component version, 2.0.0, in the ELF .modinfo section as
 * "version=2.0.0", where tools that inspect the Guest SDK's library look for it
 * (PROTOCOL.md section 8.6). scripts/build-clibs links it into libappmonitor.so.0.
 */

__attribute__((section(".modinfo"), used, aligned(1)))
static const char guestsdk_appmonitor_modinfo_version[] = "version=2.0.0";
