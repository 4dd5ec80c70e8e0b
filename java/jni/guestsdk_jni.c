/*
 * GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
 * Licensed under the Apache License, Version 2.0.
 *
 * libguestsdk_jni.so: the JNI glue between com.guestsdk.GuestLib /
 * com.guestsdk.AppMonitor and GuestSDK's C libraries. It only converts
 * arguments and results; every call goes straight to the C API of
 * vmGuestLib.h and vmGuestAppMonitorLib.h. A Java long carries the opaque
 * VMGuestLibHandle, which the library checks before use.
 */

#include <jni.h>
#include <stdint.h>
#include <string.h>

#include "vmGuestAppMonitorLib.h"
#include "vmGuestLib.h"

/* GetHostMemKernOvhdMB is deprecated in the header; the table below still offers it. */
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"

#define GUESTSDK_JNI_EXPORT __attribute__((visibility("default")))

/* The getters in the order of com.guestsdk.GuestLib.Statistic. */
static const struct {
    int bits;
    void *function;
} getters[] = {
    {32, (void *)VMGuestLib_GetCpuReservationMHz},
    {32, (void *)VMGuestLib_GetCpuLimitMHz},
    {32, (void *)VMGuestLib_GetCpuShares},
    {64, (void *)VMGuestLib_GetCpuUsedMs},
    {32, (void *)VMGuestLib_GetHostProcessorSpeed},
    {32, (void *)VMGuestLib_GetMemReservationMB},
    {32, (void *)VMGuestLib_GetMemLimitMB},
    {32, (void *)VMGuestLib_GetMemShares},
    {32, (void *)VMGuestLib_GetMemMappedMB},
    {32, (void *)VMGuestLib_GetMemActiveMB},
    {32, (void *)VMGuestLib_GetMemOverheadMB},
    {32, (void *)VMGuestLib_GetMemBalloonedMB},
    {32, (void *)VMGuestLib_GetMemSwappedMB},
    {32, (void *)VMGuestLib_GetMemSharedMB},
    {32, (void *)VMGuestLib_GetMemSharedSavedMB},
    {32, (void *)VMGuestLib_GetMemUsedMB},
    {64, (void *)VMGuestLib_GetElapsedMs},
    {64, (void *)VMGuestLib_GetCpuStolenMs},
    {64, (void *)VMGuestLib_GetMemTargetSizeMB},
    {32, (void *)VMGuestLib_GetHostNumCpuCores},
    {64, (void *)VMGuestLib_GetHostCpuUsedMs},
    {64, (void *)VMGuestLib_GetHostMemSwappedMB},
    {64, (void *)VMGuestLib_GetHostMemSharedMB},
    {64, (void *)VMGuestLib_GetHostMemUsedMB},
    {64, (void *)VMGuestLib_GetHostMemPhysMB},
    {64, (void *)VMGuestLib_GetHostMemPhysFreeMB},
    {64, (void *)VMGuestLib_GetHostMemKernOvhdMB},
    {64, (void *)VMGuestLib_GetHostMemMappedMB},
    {64, (void *)VMGuestLib_GetHostMemUnmappedMB},
    {32, (void *)VMGuestLib_GetMemZippedMB},
    {32, (void *)VMGuestLib_GetMemZipSavedMB},
    {32, (void *)VMGuestLib_GetMemLLSwappedMB},
    {32, (void *)VMGuestLib_GetMemSwapTargetMB},
    {32, (void *)VMGuestLib_GetMemBalloonTargetMB},
    {32, (void *)VMGuestLib_GetMemBalloonMaxMB},
    {64, (void *)VMGuestLib_GetMemShares64},
};

#define GETTER_COUNT ((jint)(sizeof(getters) / sizeof(getters[0])))

typedef VMGuestLibError (*Get32)(VMGuestLibHandle, uint32 *);
typedef VMGuestLibError (*Get64)(VMGuestLibHandle, uint64 *);

static VMGuestLibHandle to_handle(jlong handle)
{
    return (VMGuestLibHandle)(uintptr_t)handle;
}

/* Stores a Java string made from bytes in out[0]; false when Java ran out of memory. */
static int store_string(JNIEnv *env, jobjectArray out, const char *text)
{
    jstring string = (*env)->NewStringUTF(env, text);

    if (string == NULL) {
        return 0;
    }
    (*env)->SetObjectArrayElement(env, out, 0, string);
    (*env)->DeleteLocalRef(env, string);
    return 1;
}

static void store_long(JNIEnv *env, jlongArray out, jlong value)
{
    (*env)->SetLongArrayRegion(env, out, 0, 1, &value);
}

/* com.guestsdk.GuestLib */

GUESTSDK_JNI_EXPORT jstring JNICALL Java_com_guestsdk_GuestLib_errorText(JNIEnv *env, jclass class, jint code)
{
    (void)class;
    return (*env)->NewStringUTF(env, VMGuestLib_GetErrorText((VMGuestLibError)code));
}

GUESTSDK_JNI_EXPORT jint JNICALL Java_com_guestsdk_GuestLib_nativeOpen(JNIEnv *env, jclass class, jlongArray out)
{
    VMGuestLibHandle handle = NULL;
    VMGuestLibError error = VMGuestLib_OpenHandle(&handle);

    (void)class;
    if (error == VMGUESTLIB_ERROR_SUCCESS) {
        store_long(env, out, (jlong)(uintptr_t)handle);
    }
    return (jint)error;
}

GUESTSDK_JNI_EXPORT jint JNICALL Java_com_guestsdk_GuestLib_nativeClose(JNIEnv *env, jclass class, jlong handle)
{
    (void)env;
    (void)class;
    return (jint)VMGuestLib_CloseHandle(to_handle(handle));
}

GUESTSDK_JNI_EXPORT jint JNICALL Java_com_guestsdk_GuestLib_nativeUpdate(JNIEnv *env, jclass class, jlong handle)
{
    (void)env;
    (void)class;
    return (jint)VMGuestLib_UpdateInfo(to_handle(handle));
}

GUESTSDK_JNI_EXPORT jint JNICALL Java_com_guestsdk_GuestLib_nativeSessionId(JNIEnv *env, jclass class, jlong handle,
                                                                           jlongArray out)
{
    VMSessionId session = 0;
    VMGuestLibError error = VMGuestLib_GetSessionId(to_handle(handle), &session);

    (void)class;
    if (error == VMGUESTLIB_ERROR_SUCCESS) {
        store_long(env, out, (jlong)session);
    }
    return (jint)error;
}

GUESTSDK_JNI_EXPORT jint JNICALL Java_com_guestsdk_GuestLib_nativeGet(JNIEnv *env, jclass class, jlong handle,
                                                                     jint statistic, jlongArray out)
{
    VMGuestLibError error;
    uint32 value32 = 0;
    uint64 value64 = 0;

    (void)class;
    if (statistic < 0 || statistic >= GETTER_COUNT) {
        return (jint)VMGUESTLIB_ERROR_INVALID_ARG;
    }
    if (getters[statistic].bits == 32) {
        error = ((Get32)getters[statistic].function)(to_handle(handle), &value32);
        value64 = value32;
    } else {
        error = ((Get64)getters[statistic].function)(to_handle(handle), &value64);
    }
    if (error == VMGUESTLIB_ERROR_SUCCESS) {
        store_long(env, out, (jlong)value64);
    }
    return (jint)error;
}

GUESTSDK_JNI_EXPORT jint JNICALL Java_com_guestsdk_GuestLib_nativeResourcePoolPath(JNIEnv *env, jclass class,
                                                                                  jlong handle, jobjectArray out)
{
    char buffer[1024];
    size_t size = sizeof(buffer);
    VMGuestLibError error = VMGuestLib_GetResourcePoolPath(to_handle(handle), &size, buffer);

    (void)class;
    if (error == VMGUESTLIB_ERROR_SUCCESS && !store_string(env, out, buffer)) {
        return (jint)VMGUESTLIB_ERROR_MEMORY;
    }
    return (jint)error;
}

GUESTSDK_JNI_EXPORT jint JNICALL Java_com_guestsdk_GuestLib_nativeStatGet(JNIEnv *env, jclass class,
                                                                         jstring encoding, jstring stat,
                                                                         jobjectArray out)
{
    const char *encoding_text = NULL;
    const char *stat_text = NULL;
    char *reply = NULL;
    size_t size = 0;
    VMGuestLibError error = VMGUESTLIB_ERROR_MEMORY;

    (void)class;
    if (encoding == NULL) {
        return (jint)VMGUESTLIB_ERROR_INVALID_ARG;
    }
    encoding_text = (*env)->GetStringUTFChars(env, encoding, NULL);
    stat_text = stat != NULL ? (*env)->GetStringUTFChars(env, stat, NULL) : NULL;
    if (encoding_text != NULL && (stat == NULL || stat_text != NULL)) {
        error = VMGuestLib_StatGet(encoding_text, stat_text, &reply, &size);
        if (error == VMGUESTLIB_ERROR_SUCCESS && !store_string(env, out, reply != NULL ? reply : "")) {
            error = VMGUESTLIB_ERROR_MEMORY;
        }
        VMGuestLib_StatFree(reply, size);
    }
    if (stat_text != NULL) {
        (*env)->ReleaseStringUTFChars(env, stat, stat_text);
    }
    if (encoding_text != NULL) {
        (*env)->ReleaseStringUTFChars(env, encoding, encoding_text);
    }
    return (jint)error;
}

/* com.guestsdk.AppMonitor */

GUESTSDK_JNI_EXPORT jint JNICALL Java_com_guestsdk_AppMonitor_enable(JNIEnv *env, jclass class)
{
    (void)env;
    (void)class;
    return (jint)VMGuestAppMonitor_Enable();
}

GUESTSDK_JNI_EXPORT jint JNICALL Java_com_guestsdk_AppMonitor_disable(JNIEnv *env, jclass class)
{
    (void)env;
    (void)class;
    return (jint)VMGuestAppMonitor_Disable();
}

GUESTSDK_JNI_EXPORT jboolean JNICALL Java_com_guestsdk_AppMonitor_isEnabled(JNIEnv *env, jclass class)
{
    (void)env;
    (void)class;
    return VMGuestAppMonitor_IsEnabled() == 1 ? JNI_TRUE : JNI_FALSE;
}

GUESTSDK_JNI_EXPORT jint JNICALL Java_com_guestsdk_AppMonitor_markActive(JNIEnv *env, jclass class)
{
    (void)env;
    (void)class;
    return (jint)VMGuestAppMonitor_MarkActive();
}

GUESTSDK_JNI_EXPORT jstring JNICALL Java_com_guestsdk_AppMonitor_getAppStatus(JNIEnv *env, jclass class)
{
    char *status = VMGuestAppMonitor_GetAppStatus();
    jstring result = NULL;

    (void)class;
    if (status != NULL) {
        result = (*env)->NewStringUTF(env, status);
        VMGuestAppMonitor_Free(status);
    }
    return result;
}

GUESTSDK_JNI_EXPORT jint JNICALL Java_com_guestsdk_AppMonitor_postAppState(JNIEnv *env, jclass class, jstring state)
{
    const char *text;
    VMGuestAppMonitorLibError error;

    (void)class;
    if (state == NULL) {
        return (jint)VMGuestAppMonitor_PostAppState(NULL);
    }
    text = (*env)->GetStringUTFChars(env, state, NULL);
    if (text == NULL) {
        return (jint)VMGUESTAPPMONITORLIB_ERROR_OTHER;
    }
    error = VMGuestAppMonitor_PostAppState(text);
    (*env)->ReleaseStringUTFChars(env, state, text);
    return (jint)error;
}
