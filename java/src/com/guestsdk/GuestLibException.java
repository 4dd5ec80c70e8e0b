// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

package com.guestsdk;

/** A {@code VMGuestLibError} other than success, with the library's text for it. */
public final class GuestLibException extends Exception {
    private static final long serialVersionUID = 1L;

    private final int code;

    /**
     * Creates the exception for a failed call.
     *
     * @param call the C function that failed, such as "VMGuestLib_UpdateInfo"
     * @param code its {@code VMGuestLibError} value
     * @param text {@code VMGuestLib_GetErrorText} for the code
     */
    public GuestLibException(String call, int code, String text) {
        super(call + ": " + text + " (" + code + ")");
        this.code = code;
    }

    /**
     * The {@code VMGuestLibError} value, one of the {@code GuestLib.ERROR_*} constants.
     *
     * @return the code
     */
    public int code() {
        return code;
    }
}
