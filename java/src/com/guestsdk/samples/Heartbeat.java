// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

package com.guestsdk.samples;

import com.guestsdk.AppMonitor;

/**
 * Turns HA application monitoring on and heartbeats from Java.
 *
 * <pre>
 * usage: java -cp guestsdk.jar com.guestsdk.samples.Heartbeat [--beats N] [--interval SECONDS] [--keep]
 * </pre>
 *
 * Enables monitoring, sends N heartbeats (default 3; 0 runs until interrupted)
 * SECONDS apart (default 15), printing the app status after each, then disables
 * monitoring unless --keep is given. Exit status: 0, 1 when a call fails, 64 on
 * a usage error.
 */
public final class Heartbeat {
    private static final String USAGE =
        "usage: java com.guestsdk.samples.Heartbeat [--beats N] [--interval SECONDS] [--keep]";

    private Heartbeat() {}

    public static void main(String[] args) throws InterruptedException {
        long beats = 3;
        long intervalSeconds = 15;
        boolean keep = false;
        try {
            for (int index = 0; index < args.length; index++) {
                switch (args[index]) {
                    case "--beats": beats = Long.parseLong(args[++index]); break;
                    case "--interval": intervalSeconds = Long.parseLong(args[++index]); break;
                    case "--keep": keep = true; break;
                    case "--help":
                        System.out.println(USAGE);
                        return;
                    default: throw new IllegalArgumentException(args[index]);
                }
            }
        } catch (RuntimeException error) {
            System.err.println(USAGE);
            System.exit(64);
        }

        int result = AppMonitor.enable();
        System.out.println("enable: " + AppMonitor.describe(result));
        if (result != AppMonitor.SUCCESS) {
            System.exit(1);
        }
        System.out.println("isEnabled: " + AppMonitor.isEnabled());
        for (long beat = 0; beats == 0 || beat < beats; beat++) {
            if (beat > 0 && intervalSeconds > 0) {
                Thread.sleep(intervalSeconds * 1000);
            }
            result = AppMonitor.markActive();
            System.out.println("markActive: " + AppMonitor.describe(result));
            if (result != AppMonitor.SUCCESS) {
                System.exit(1);
            }
            System.out.println("status: " + AppMonitor.getAppStatus());
        }
        if (!keep) {
            result = AppMonitor.disable();
            System.out.println("disable: " + AppMonitor.describe(result));
            if (result != AppMonitor.SUCCESS) {
                System.exit(1);
            }
        }
    }
}
