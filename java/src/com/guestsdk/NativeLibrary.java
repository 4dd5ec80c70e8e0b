// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

package com.guestsdk;

/** Loads libguestsdk_jni.so once, from java.library.path or the path in GUESTSDK_JNI_LIBRARY. */
final class NativeLibrary {
    private static boolean loaded;

    private NativeLibrary() {}

    static synchronized void load() {
        if (loaded) {
            return;
        }
        String path = System.getenv("GUESTSDK_JNI_LIBRARY");
        if (path != null && !path.isEmpty()) {
            System.load(path);
        } else {
            System.loadLibrary("guestsdk_jni");
        }
        loaded = true;
    }
}
