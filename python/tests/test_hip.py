"""Module.run on a hip: device, against the stand-in HIP runtime
(test/unittests/Runtime/fake_hip.c: host memory as device memory, launches
recorded, not run). DLPack tensors on the device are used in place, on the
caller's stream, without a host synchronization. The producer below is
written from DLPack's documented ABI (dlpack.h), as a torch HIP tensor
offers it."""

import ctypes
import os

import numpy as np
import pytest

import mxc

FAKE_HIP = os.environ.get("MXC_TEST_FAKE_HIP")
pytestmark = pytest.mark.skipif(not FAKE_HIP, reason="MXC_TEST_FAKE_HIP is not set")


class DLDevice(ctypes.Structure):
    _fields_ = [("device_type", ctypes.c_int32), ("device_id", ctypes.c_int32)]


class DLDataType(ctypes.Structure):
    _fields_ = [("code", ctypes.c_uint8), ("bits", ctypes.c_uint8), ("lanes", ctypes.c_uint16)]


class DLTensor(ctypes.Structure):
    _fields_ = [("data", ctypes.c_void_p), ("device", DLDevice), ("ndim", ctypes.c_int32),
                ("dtype", DLDataType), ("shape", ctypes.POINTER(ctypes.c_int64)),
                ("strides", ctypes.POINTER(ctypes.c_int64)), ("byte_offset", ctypes.c_uint64)]


class DLManagedTensor(ctypes.Structure):
    pass


DELETER = ctypes.CFUNCTYPE(None, ctypes.POINTER(DLManagedTensor))
DLManagedTensor._fields_ = [("dl_tensor", DLTensor), ("manager_ctx", ctypes.c_void_p),
                            ("deleter", DELETER)]

PyCapsule_New = ctypes.pythonapi.PyCapsule_New
PyCapsule_New.restype = ctypes.py_object
PyCapsule_New.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_void_p]

# What each handed-out DLManagedTensor needs until its deleter runs.
LIVE = {}

KDL_ROCM = 10
UINT8, FLOAT32 = (1, 8), (2, 32)


class DeviceTensor:
    """A tensor in (stand-in) HIP device memory that offers DLPack."""

    def __init__(self, pointer, shape, dtype, device_id=0):
        self.pointer, self.shape, self.dtype, self.device_id = pointer, shape, dtype, device_id
        self.streams = []  # the stream each __dlpack__ call named
        self.deleted = 0

    def __dlpack_device__(self):
        return (KDL_ROCM, self.device_id)

    def __dlpack__(self, stream=None):
        self.streams.append(stream)
        shape = (ctypes.c_int64 * len(self.shape))(*self.shape)
        managed = DLManagedTensor()
        managed.dl_tensor = DLTensor(self.pointer, DLDevice(KDL_ROCM, self.device_id),
                                     len(self.shape), DLDataType(*self.dtype, 1), shape, None, 0)

        address = ctypes.addressof(managed)

        def delete(_):
            self.deleted += 1
            # The producer's part ends here, not when this object goes.
            del LIVE[address]

        managed.deleter = DELETER(delete)
        LIVE[address] = (shape, managed, managed.deleter)
        return PyCapsule_New(address, b"dltensor", None)


@pytest.fixture(scope="module")
def hip():
    os.environ["MXRT_HIP_LIBRARY"] = FAKE_HIP
    os.environ["FAKE_HIP_LDS"] = str(160 * 1024)  # gfx950 (docs/gemm.md)
    with mxc.Device("hip:0") as device:
        yield device, ctypes.CDLL(FAKE_HIP)


def counter(library, name, ctype=ctypes.c_int):
    return ctype.in_dll(library, name)


def test_dlpack_tensors_run_in_place_on_the_callers_stream(hip, gemm_fp8):
    device, fake = hip
    assert device.chip == "gfx950"
    m = 40
    shapes = [((m, 128), UINT8), ((m, 4), UINT8), ((64, 128), UINT8), ((64, 4), UINT8),
              ((m, 64), FLOAT32)]
    buffers = [device.alloc(int(np.prod(s)) * t[1] // 8) for s, t in shapes]
    tensors = [DeviceTensor(b.device_pointer, s, t) for b, (s, t) in zip(buffers, shapes)]
    # A stream the "framework" made: libmxrt must launch on it and not wait.
    create = fake.hipStreamCreate
    create.argtypes = [ctypes.POINTER(ctypes.c_void_p)]
    handle = ctypes.c_void_p()
    assert create(ctypes.byref(handle)) == 0
    counter(fake, "fake_hip_arg_count").value = 6
    launches = counter(fake, "fake_hip_launches").value
    syncs = counter(fake, "fake_hip_sync_calls").value

    module = device.load(gemm_fp8)
    module.run("gemm", *tensors, stream=handle.value)

    assert counter(fake, "fake_hip_launches").value == launches + 1
    assert counter(fake, "fake_hip_sync_calls").value == syncs
    assert counter(fake, "fake_hip_violations").value == 0
    assert counter(fake, "fake_hip_stream", ctypes.c_void_p).value == handle.value
    assert ctypes.string_at(ctypes.addressof(counter(fake, "fake_hip_kernel",
                                                     ctypes.c_char))) == b"gemm_scaled_matmul"
    args = (ctypes.c_uint64 * 16).in_dll(fake, "fake_hip_args")
    # The kernel gets the tensors' own memory (docs/gemm.md: A, sa, B, sb, C, then M).
    assert list(args[:5]) == [t.pointer for t in tensors]
    assert args[5] & 0xFFFFFFFF == m
    # Each tensor was asked for once, for our stream, and handed back.
    assert all(t.streams == [handle.value] and t.deleted == 1 for t in tensors)


def test_device_tensors_are_checked(hip, gemm_fp8):
    device, _ = hip
    module = device.load(gemm_fp8)
    c = device.alloc(3 * 64 * 4)
    good = [DeviceTensor(device.alloc(n).device_pointer, s, UINT8)
            for n, s in ((3 * 128, (3, 128)), (12, (3, 4)), (64 * 128, (64, 128)), (256, (64, 4)))]
    with pytest.raises(ValueError, match="holds f32; got uint8 elements"):
        module.run("gemm", *good, DeviceTensor(c.device_pointer, (3, 256), UINT8))
    with pytest.raises(ValueError, match="the tensor is on HIP device 1, the module on hip:0"):
        module.run("gemm", *good, DeviceTensor(c.device_pointer, (3, 64), FLOAT32, device_id=1))


def test_numpy_arrays_are_copied_in_and_out(hip, gemm_fp8):
    device, fake = hip
    syncs = counter(fake, "fake_hip_sync_calls").value
    stream = device.create_stream()
    c = np.full((2, 64), 7.0, np.float32)
    device.load(gemm_fp8).run("gemm", np.zeros((2, 128), np.uint8), np.zeros((2, 4), np.uint8),
                              np.zeros((64, 128), np.uint8), np.zeros((64, 4), np.uint8), c,
                              stream=stream)
    # The stand-in runs no kernel: C comes back as it went, after one wait.
    assert (c == 7.0).all()
    assert counter(fake, "fake_hip_sync_calls").value == syncs + 1


def test_cpu_tensors_cannot_be_device_memory_on_sim(sim, gemm_fp8):
    tensor = DeviceTensor(0x1000, (1, 128), UINT8)
    with pytest.raises(ValueError, match=r"a tensor on DLPack device \(10, 0\) cannot run on "
                                         r"sim:gfx950"):
        sim.load(gemm_fp8).run("gemm", tensor, *[np.zeros(1)] * 4)
