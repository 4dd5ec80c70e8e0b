/*
 * GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
 * Licensed under the Apache License, Version 2.0.
 *
 * vmGuestAppMonitorLib.h: HA application monitoring, as GuestSDK's
 * libappmonitorlib.so (also installed as libappmonitor.so.0) implements it.
 * Names, types and enum values are the Guest SDK's; the contract is
 * PROTOCOL.md sections 7 and 8.5.
 *
 * Usage: call VMGuestAppMonitor_Enable once, then VMGuestAppMonitor_MarkActive
 * at least every 30 seconds for as long as the application is healthy. When
 * heartbeats stop without VMGuestAppMonitor_Disable, HA resets the virtual
 * machine. Between Enable and a successful Disable the library keeps one
 * connection to the host open and reuses it for every call.
 */

#ifndef _VM_GUEST_APP_MONITOR_LIB_H_
#define _VM_GUEST_APP_MONITOR_LIB_H_

#ifdef __cplusplus
extern "C" {
#endif

/* The result of the VMGuestAppMonitor_ calls; the values are fixed by the Guest SDK. */
typedef enum {
    VMGUESTAPPMONITORLIB_ERROR_SUCCESS = 0,           /* the host accepted the request */
    VMGUESTAPPMONITORLIB_ERROR_OTHER = 1,             /* any other failure, including "not enabled" replies */
    VMGUESTAPPMONITORLIB_ERROR_NOT_RUNNING_IN_VM = 2, /* no hypervisor and no GUESTSDK_RPC endpoint */
    VMGUESTAPPMONITORLIB_ERROR_NOT_ENABLED = 3,       /* no connection to the host could be opened */
    VMGUESTAPPMONITORLIB_ERROR_NOT_SUPPORTED = 4      /* the host does not know the command */
} VMGuestAppMonitorLibError;

/* Turns application monitoring on (GuestAppMonitor.Cmd.Enable). */
VMGuestAppMonitorLibError VMGuestAppMonitor_Enable(void);

/* Turns application monitoring off (GuestAppMonitor.Cmd.Disable); SUCCESS is 0. */
VMGuestAppMonitorLibError VMGuestAppMonitor_Disable(void);

/* Returns 1 when the host reports monitoring enabled (GuestAppMonitor.Cmd.IsEnabled), 0 otherwise. */
int VMGuestAppMonitor_IsEnabled(void);

/*
 * Sends one heartbeat (GuestAppMonitor.Cmd.MarkActive). Call it at least every
 * 30 seconds after VMGuestAppMonitor_Enable. While monitoring is off the result
 * is OTHER.
 */
VMGuestAppMonitorLibError VMGuestAppMonitor_MarkActive(void);

/*
 * Returns the host's application status (GuestAppMonitor.Cmd.GetAppStatus),
 * such as "green", "red" or "gray", as a NUL-terminated heap string to be
 * released with VMGuestAppMonitor_Free; NULL on any error.
 */
char *VMGuestAppMonitor_GetAppStatus(void);

/*
 * Posts the application's own state (GuestAppMonitor.Cmd.PostAppState):
 * "appStateOk", or "appStateNeedReset" to ask for a reset now.
 */
VMGuestAppMonitorLibError VMGuestAppMonitor_PostAppState(const char *state);

/* Releases a string returned by VMGuestAppMonitor_GetAppStatus; NULL is allowed. */
void VMGuestAppMonitor_Free(char *str);

#ifdef __cplusplus
}
#endif

#endif /* _VM_GUEST_APP_MONITOR_LIB_H_ */
