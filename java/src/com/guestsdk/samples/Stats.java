// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

package com.guestsdk.samples;

import com.guestsdk.GuestLib;
import com.guestsdk.GuestLibException;

/**
 * Prints every guest statistic once from Java.
 *
 * <pre>
 * usage: java -cp guestsdk.jar com.guestsdk.samples.Stats
 * </pre>
 *
 * One "Name: value" line per statistic, or "Name: error N (text)". Exit status 0,
 * or 1 when no handle can be opened or updated.
 */
public final class Stats {
    private Stats() {}

    public static void main(String[] args) {
        try (GuestLib guestLib = GuestLib.open()) {
            guestLib.update();
            System.out.println("SessionId: 0x" + String.format("%016x", guestLib.sessionId()));
            for (GuestLib.Statistic statistic : GuestLib.Statistic.values()) {
                try {
                    System.out.println(statistic.cName() + ": " + Long.toUnsignedString(guestLib.get(statistic)));
                } catch (GuestLibException error) {
                    System.out.println(statistic.cName() + ": error " + error.code() + " ("
                        + GuestLib.errorText(error.code()) + ")");
                }
            }
            try {
                System.out.println("ResourcePoolPath: " + guestLib.resourcePoolPath());
            } catch (GuestLibException error) {
                System.out.println("ResourcePoolPath: error " + error.code() + " ("
                    + GuestLib.errorText(error.code()) + ")");
            }
        } catch (GuestLibException error) {
            System.err.println("Stats: " + error.getMessage());
            System.exit(1);
        }
    }
}
