// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

package com.guestsdk;

/**
 * Guest statistics from Java: a {@code VMGuestLibHandle} of vmGuestLib.h through
 * libguestsdk_jni.so and GuestSDK's libguestlib.so.0.
 *
 * <p>Open a handle, call {@link #update()} to take a snapshot from the host, read
 * statistics from it, update again to refresh. A handle may be used from several
 * threads; {@link #close()} releases it.
 *
 * <pre>
 * try (GuestLib guestLib = GuestLib.open()) {
 *     guestLib.update();
 *     long limit = guestLib.get(GuestLib.Statistic.CPU_LIMIT_MHZ);
 * }
 * </pre>
 */
public final class GuestLib implements AutoCloseable {
    /** {@code VMGUESTLIB_ERROR_SUCCESS}. */
    public static final int ERROR_SUCCESS = 0;
    /** {@code VMGUESTLIB_ERROR_OTHER}. */
    public static final int ERROR_OTHER = 1;
    /** {@code VMGUESTLIB_ERROR_NOT_RUNNING_IN_VM}. */
    public static final int ERROR_NOT_RUNNING_IN_VM = 2;
    /** {@code VMGUESTLIB_ERROR_NOT_ENABLED}. */
    public static final int ERROR_NOT_ENABLED = 3;
    /** {@code VMGUESTLIB_ERROR_NOT_AVAILABLE}. */
    public static final int ERROR_NOT_AVAILABLE = 4;
    /** {@code VMGUESTLIB_ERROR_NO_INFO}. */
    public static final int ERROR_NO_INFO = 5;
    /** {@code VMGUESTLIB_ERROR_MEMORY}. */
    public static final int ERROR_MEMORY = 6;
    /** {@code VMGUESTLIB_ERROR_BUFFER_TOO_SMALL}. */
    public static final int ERROR_BUFFER_TOO_SMALL = 7;
    /** {@code VMGUESTLIB_ERROR_INVALID_HANDLE}. */
    public static final int ERROR_INVALID_HANDLE = 8;
    /** {@code VMGUESTLIB_ERROR_INVALID_ARG}. */
    public static final int ERROR_INVALID_ARG = 9;
    /** {@code VMGUESTLIB_ERROR_UNSUPPORTED_VERSION}. */
    public static final int ERROR_UNSUPPORTED_VERSION = 10;

    /** The numeric statistics, in stat id order; each names the C getter that reads it. */
    public enum Statistic {
        /** {@code VMGuestLib_GetCpuReservationMHz}. */
        CPU_RESERVATION_MHZ("CpuReservationMHz"),
        /** {@code VMGuestLib_GetCpuLimitMHz}. */
        CPU_LIMIT_MHZ("CpuLimitMHz"),
        /** {@code VMGuestLib_GetCpuShares}. */
        CPU_SHARES("CpuShares"),
        /** {@code VMGuestLib_GetCpuUsedMs}. */
        CPU_USED_MS("CpuUsedMs"),
        /** {@code VMGuestLib_GetHostProcessorSpeed}. */
        HOST_PROCESSOR_SPEED("HostProcessorSpeed"),
        /** {@code VMGuestLib_GetMemReservationMB}. */
        MEM_RESERVATION_MB("MemReservationMB"),
        /** {@code VMGuestLib_GetMemLimitMB}. */
        MEM_LIMIT_MB("MemLimitMB"),
        /** {@code VMGuestLib_GetMemShares}. */
        MEM_SHARES("MemShares"),
        /** {@code VMGuestLib_GetMemMappedMB}. */
        MEM_MAPPED_MB("MemMappedMB"),
        /** {@code VMGuestLib_GetMemActiveMB}. */
        MEM_ACTIVE_MB("MemActiveMB"),
        /** {@code VMGuestLib_GetMemOverheadMB}. */
        MEM_OVERHEAD_MB("MemOverheadMB"),
        /** {@code VMGuestLib_GetMemBalloonedMB}. */
        MEM_BALLOONED_MB("MemBalloonedMB"),
        /** {@code VMGuestLib_GetMemSwappedMB}. */
        MEM_SWAPPED_MB("MemSwappedMB"),
        /** {@code VMGuestLib_GetMemSharedMB}. */
        MEM_SHARED_MB("MemSharedMB"),
        /** {@code VMGuestLib_GetMemSharedSavedMB}. */
        MEM_SHARED_SAVED_MB("MemSharedSavedMB"),
        /** {@code VMGuestLib_GetMemUsedMB}. */
        MEM_USED_MB("MemUsedMB"),
        /** {@code VMGuestLib_GetElapsedMs}. */
        ELAPSED_MS("ElapsedMs"),
        /** {@code VMGuestLib_GetCpuStolenMs}. */
        CPU_STOLEN_MS("CpuStolenMs"),
        /** {@code VMGuestLib_GetMemTargetSizeMB}. */
        MEM_TARGET_SIZE_MB("MemTargetSizeMB"),
        /** {@code VMGuestLib_GetHostNumCpuCores}. */
        HOST_NUM_CPU_CORES("HostNumCpuCores"),
        /** {@code VMGuestLib_GetHostCpuUsedMs}. */
        HOST_CPU_USED_MS("HostCpuUsedMs"),
        /** {@code VMGuestLib_GetHostMemSwappedMB}. */
        HOST_MEM_SWAPPED_MB("HostMemSwappedMB"),
        /** {@code VMGuestLib_GetHostMemSharedMB}. */
        HOST_MEM_SHARED_MB("HostMemSharedMB"),
        /** {@code VMGuestLib_GetHostMemUsedMB}. */
        HOST_MEM_USED_MB("HostMemUsedMB"),
        /** {@code VMGuestLib_GetHostMemPhysMB}. */
        HOST_MEM_PHYS_MB("HostMemPhysMB"),
        /** {@code VMGuestLib_GetHostMemPhysFreeMB}. */
        HOST_MEM_PHYS_FREE_MB("HostMemPhysFreeMB"),
        /** {@code VMGuestLib_GetHostMemKernOvhdMB}. */
        HOST_MEM_KERN_OVHD_MB("HostMemKernOvhdMB"),
        /** {@code VMGuestLib_GetHostMemMappedMB}. */
        HOST_MEM_MAPPED_MB("HostMemMappedMB"),
        /** {@code VMGuestLib_GetHostMemUnmappedMB}. */
        HOST_MEM_UNMAPPED_MB("HostMemUnmappedMB"),
        /** {@code VMGuestLib_GetMemZippedMB}. */
        MEM_ZIPPED_MB("MemZippedMB"),
        /** {@code VMGuestLib_GetMemZipSavedMB}. */
        MEM_ZIP_SAVED_MB("MemZipSavedMB"),
        /** {@code VMGuestLib_GetMemLLSwappedMB}. */
        MEM_LL_SWAPPED_MB("MemLLSwappedMB"),
        /** {@code VMGuestLib_GetMemSwapTargetMB}. */
        MEM_SWAP_TARGET_MB("MemSwapTargetMB"),
        /** {@code VMGuestLib_GetMemBalloonTargetMB}. */
        MEM_BALLOON_TARGET_MB("MemBalloonTargetMB"),
        /** {@code VMGuestLib_GetMemBalloonMaxMB}. */
        MEM_BALLOON_MAX_MB("MemBalloonMaxMB"),
        /** {@code VMGuestLib_GetMemShares64}. */
        MEM_SHARES64("MemShares64");

        private final String cName;

        Statistic(String cName) {
            this.cName = cName;
        }

        /**
         * The statistic's name in the C API, such as "CpuLimitMHz".
         *
         * @return the name after {@code VMGuestLib_Get}
         */
        public String cName() {
            return cName;
        }
    }

    static {
        NativeLibrary.load();
    }

    private final long handle;
    private boolean closed;

    private GuestLib(long handle) {
        this.handle = handle;
    }

    /**
     * Opens a handle ({@code VMGuestLib_OpenHandle}).
     *
     * @return the handle, with no snapshot yet
     * @throws GuestLibException NOT_RUNNING_IN_VM outside a VM without a GUESTSDK_RPC endpoint
     */
    public static GuestLib open() throws GuestLibException {
        long[] out = new long[1];
        check("VMGuestLib_OpenHandle", nativeOpen(out));
        return new GuestLib(out[0]);
    }

    /**
     * Takes a fresh snapshot from the host ({@code VMGuestLib_UpdateInfo}).
     *
     * @throws GuestLibException when the host cannot be asked; the handle then holds no snapshot
     */
    public void update() throws GuestLibException {
        check("VMGuestLib_UpdateInfo", nativeUpdate(handle));
    }

    /**
     * The session of the snapshot ({@code VMGuestLib_GetSessionId}); it changes on migration.
     *
     * @return the session id
     * @throws GuestLibException NO_INFO before a successful update
     */
    public long sessionId() throws GuestLibException {
        long[] out = new long[1];
        check("VMGuestLib_GetSessionId", nativeSessionId(handle, out));
        return out[0];
    }

    /**
     * Reads one statistic from the snapshot. 32-bit values are returned unsigned;
     * 64-bit values as Java's signed long (use {@code Long.toUnsignedString}).
     *
     * @param statistic the statistic
     * @return its value
     * @throws GuestLibException NOT_AVAILABLE, UNSUPPORTED_VERSION, NO_INFO, ...
     */
    public long get(Statistic statistic) throws GuestLibException {
        long[] out = new long[1];
        check("VMGuestLib_Get" + statistic.cName(), nativeGet(handle, statistic.ordinal(), out));
        return out[0];
    }

    /**
     * The resource pool path ({@code VMGuestLib_GetResourcePoolPath}).
     *
     * @return the path
     * @throws GuestLibException NOT_AVAILABLE, NO_INFO, ...
     */
    public String resourcePoolPath() throws GuestLibException {
        String[] out = new String[1];
        check("VMGuestLib_GetResourcePoolPath", nativeResourcePoolPath(handle, out));
        return out[0];
    }

    /**
     * Asks the host for an extended statistic ({@code VMGuestLib_StatGet}); needs no update.
     *
     * @param encoding "json", "text", "yaml" or "xml"
     * @param stat the statistic's name, or "" for the list of names
     * @return the host's document
     * @throws GuestLibException NOT_AVAILABLE when the host refuses
     */
    public static String statGet(String encoding, String stat) throws GuestLibException {
        String[] out = new String[1];
        check("VMGuestLib_StatGet", nativeStatGet(encoding, stat, out));
        return out[0];
    }

    /**
     * The library's text for an error code ({@code VMGuestLib_GetErrorText}).
     *
     * @param code a {@code VMGuestLibError} value
     * @return the text
     */
    public static native String errorText(int code);

    /** Closes the handle ({@code VMGuestLib_CloseHandle}); a second close does nothing. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            nativeClose(handle);
        }
    }

    private static void check(String call, int code) throws GuestLibException {
        if (code != ERROR_SUCCESS) {
            throw new GuestLibException(call, code, errorText(code));
        }
    }

    private static native int nativeOpen(long[] handle);

    private static native int nativeClose(long handle);

    private static native int nativeUpdate(long handle);

    private static native int nativeSessionId(long handle, long[] out);

    private static native int nativeGet(long handle, int statistic, long[] out);

    private static native int nativeResourcePoolPath(long handle, String[] out);

    private static native int nativeStatGet(String encoding, String stat, String[] out);
}
