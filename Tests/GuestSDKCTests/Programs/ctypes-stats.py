# GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
# Licensed under the Apache License, Version 2.0.
#
# ctypes-stats: loads libvmGuestLib.so and libappmonitorlib.so by name with
# Python's ctypes, as Python wrappers of the Guest SDK do, and prints a few
# answers for GuestSDKCTests.
import ctypes

guestlib = ctypes.CDLL("libvmGuestLib.so")
guestlib.VMGuestLib_GetErrorText.restype = ctypes.c_char_p
guestlib.VMGuestLib_GetErrorText.argtypes = [ctypes.c_int]
guestlib.VMGuestLib_OpenHandle.argtypes = [ctypes.POINTER(ctypes.c_void_p)]
guestlib.VMGuestLib_UpdateInfo.argtypes = [ctypes.c_void_p]
guestlib.VMGuestLib_CloseHandle.argtypes = [ctypes.c_void_p]
guestlib.VMGuestLib_GetCpuLimitMHz.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_uint32)]
guestlib.VMGuestLib_GetMemShares64.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_uint64)]

handle = ctypes.c_void_p()
print("open:", guestlib.VMGuestLib_OpenHandle(ctypes.byref(handle)))
print("update:", guestlib.VMGuestLib_UpdateInfo(handle))
limit = ctypes.c_uint32()
print("CpuLimitMHz:", guestlib.VMGuestLib_GetCpuLimitMHz(handle, ctypes.byref(limit)), limit.value)
shares = ctypes.c_uint64()
print("MemShares64:", guestlib.VMGuestLib_GetMemShares64(handle, ctypes.byref(shares)), shares.value)
print("close:", guestlib.VMGuestLib_CloseHandle(handle))
print("closed:", guestlib.VMGuestLib_UpdateInfo(handle), guestlib.VMGuestLib_GetErrorText(8).decode())

appmonitor = ctypes.CDLL("libappmonitorlib.so")
appmonitor.VMGuestAppMonitor_GetAppStatus.restype = ctypes.c_void_p
appmonitor.VMGuestAppMonitor_Free.argtypes = [ctypes.c_void_p]
print("enable:", appmonitor.VMGuestAppMonitor_Enable())
print("markActive:", appmonitor.VMGuestAppMonitor_MarkActive())
status = appmonitor.VMGuestAppMonitor_GetAppStatus()
print("status:", ctypes.string_at(status).decode())
appmonitor.VMGuestAppMonitor_Free(status)
