// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

package com.guestsdk;

/**
 * vSphere HA application monitoring from Java: the calls of vmGuestAppMonitorLib.h
 * through libguestsdk_jni.so and GuestSDK's libappmonitor.so.0.
 *
 * <p>Call {@link #enable()} once, then {@link #markActive()} at least every 30
 * seconds while the application is healthy. When heartbeats stop without
 * {@link #disable()}, HA resets the virtual machine. The library keeps one
 * connection to the host between {@code enable} and a successful {@code disable}.
 * Every method is thread-safe.
 *
 * <p>The host is the hypervisor inside a VMware VM, or the endpoint that the
 * {@code GUESTSDK_RPC} environment variable names (for example
 * {@code unix:/run/guestsdk/vms/web.sock}).
 */
public final class AppMonitor {
    /** The host accepted the request. */
    public static final int SUCCESS = 0;
    /** Any other failure, including "monitoring is not enabled". */
    public static final int OTHER = 1;
    /** Neither a VMware hypervisor nor a GUESTSDK_RPC endpoint is present. */
    public static final int NOT_RUNNING_IN_VM = 2;
    /** No connection to the host could be opened. */
    public static final int NOT_ENABLED = 3;
    /** The host does not know the command. */
    public static final int NOT_SUPPORTED = 4;

    /** The app state that reports the application healthy. */
    public static final String STATE_OK = "appStateOk";
    /** The app state that asks HA to reset the virtual machine now. */
    public static final String STATE_NEED_RESET = "appStateNeedReset";

    static {
        NativeLibrary.load();
    }

    private AppMonitor() {}

    /**
     * Turns application monitoring on ({@code VMGuestAppMonitor_Enable}).
     *
     * @return {@link #SUCCESS} or another result code of this class
     */
    public static native int enable();

    /**
     * Turns application monitoring off ({@code VMGuestAppMonitor_Disable}).
     *
     * @return {@link #SUCCESS} or another result code of this class
     */
    public static native int disable();

    /**
     * Asks whether monitoring is on ({@code VMGuestAppMonitor_IsEnabled}).
     *
     * @return true when the host reports it enabled; false on any error
     */
    public static native boolean isEnabled();

    /**
     * Sends one heartbeat ({@code VMGuestAppMonitor_MarkActive}).
     *
     * @return {@link #SUCCESS}; {@link #OTHER} while monitoring is off
     */
    public static native int markActive();

    /**
     * Asks for the application status ({@code VMGuestAppMonitor_GetAppStatus}).
     *
     * @return "green", "red" or "gray" as the host reports it, or null on any error
     */
    public static native String getAppStatus();

    /**
     * Posts the application's own state ({@code VMGuestAppMonitor_PostAppState}).
     *
     * @param state {@link #STATE_OK} or {@link #STATE_NEED_RESET}
     * @return {@link #SUCCESS} or another result code of this class
     */
    public static native int postAppState(String state);

    /**
     * Names a result code.
     *
     * @param code a value returned by this class
     * @return its name, such as "SUCCESS" or "NOT_ENABLED"
     */
    public static String describe(int code) {
        switch (code) {
            case SUCCESS: return "SUCCESS";
            case OTHER: return "OTHER";
            case NOT_RUNNING_IN_VM: return "NOT_RUNNING_IN_VM";
            case NOT_ENABLED: return "NOT_ENABLED";
            case NOT_SUPPORTED: return "NOT_SUPPORTED";
            default: return "UNKNOWN(" + code + ")";
        }
    }
}
