"""libmxrt from Python: devices, buffers, streams, and running a code
object's launch plan on NumPy arrays (any device, copied in and out) or on
DLPack tensors that live on a ``hip:`` device (used in place, on the
caller's stream). docs/python.md describes it."""

import os
from typing import Dict, Mapping, Optional, Sequence, Union

import numpy as np

from . import _runtime
from .codeobject import CodeObject, Param, Program
from .errors import MxrtError

Stream = _runtime.Stream
Buffer = _runtime.Buffer

# DLPack device types (dlpack.h's DLDeviceType).
_DL_CPU, _DL_CUDA_HOST, _DL_ROCM, _DL_ROCM_HOST = 1, 3, 10, 11
# DLPack type codes to NumPy-style names.
_DL_TYPE_NAMES = {0: "int", 1: "uint", 2: "float", 4: "bfloat"}


class Device:
    """A device libmxrt runs kernels on: ``"sim:gfx950"`` (mxc's simulator,
    in this process) or ``"hip:N"`` (AMD GPU N). Closes when dropped, or
    with ``close()`` / a ``with`` block."""

    def __init__(self, spec: str = "sim:gfx950"):
        self.spec = spec
        self._device = _runtime.Device(spec)

    @property
    def chip(self) -> str:
        return self._device.chip

    @property
    def is_hip(self) -> bool:
        return self.spec.startswith("hip:")

    @property
    def index(self) -> int:
        """N of ``hip:N`` (0 for the simulator)."""
        return int(self.spec[4:]) if self.is_hip else 0

    def synchronize(self) -> None:
        self._device.synchronize()

    def create_stream(self) -> Stream:
        return self._device.create_stream()

    def wrap_stream(self, handle: int) -> Stream:
        """A Stream over a hipStream_t the caller owns, such as
        ``torch.cuda.current_stream().cuda_stream``."""
        return self._device.wrap_stream(int(handle))

    def alloc(self, nbytes: int) -> Buffer:
        return self._device.alloc(int(nbytes))

    def wrap_buffer(self, pointer: int, nbytes: int) -> Buffer:
        """A Buffer over device memory the caller owns (not freed with it)."""
        return self._device.wrap_buffer(int(pointer), int(nbytes))

    def load(self, code: Union[CodeObject, bytes, str, os.PathLike]) -> "Module":
        """Loads a code object: a CodeObject, its bytes, or a file."""
        if isinstance(code, (str, os.PathLike)):
            code = CodeObject.load(code)
        elif not isinstance(code, CodeObject):
            code = CodeObject(bytes(code))
        return Module(self, code, self._device.load(code.data, code.name))

    def close(self) -> None:
        """Drops this object's hold on the device; it closes once every
        module, buffer and stream made on it is gone too."""
        self._device = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self) -> str:
        return f"<mxc.Device {self.spec} ({self.chip})>"


def _dtype_fits(param: Param, dtype_name: str, itemsize: int) -> bool:
    """Whether an array of ``dtype_name`` holds ``param``'s elements as
    the kernels read them: the same real type, or, for the MX formats (which
    NumPy lacks), their raw bytes as uint8/int8."""
    element = param.element_type
    if element in ("f32", "f16", "f64"):
        return dtype_name == {"f32": "float32", "f16": "float16", "f64": "float64"}[element]
    if element == "bf16":
        return dtype_name in ("bfloat16", "uint16", "int16")
    if element.startswith(("f8", "f6", "f4")):
        return itemsize == 1 and (dtype_name in ("uint8", "int8")
                                  or dtype_name.startswith(("float8", "float6", "float4")))
    if element.startswith("i"):
        return itemsize * 8 == param.element_bits and dtype_name.startswith(("int", "uint"))
    return itemsize * 8 == param.element_bits


class _Argument:
    """One program argument as run() prepares it."""

    def __init__(self, index: int, param: Param, value):
        self.index = index
        self.param = param
        self.value = value
        self.array: Optional[np.ndarray] = None  # copied in and out
        self.dlpack = None  # a DLPack tensor used in place
        self.buffer: Optional[Buffer] = None
        self.shape: Optional[Sequence[int]] = None
        self.nbytes: Optional[int] = None
        self.dtype = ("", 0)  # name and item size, for arrays and tensors
        self.keep = None  # what must live while the array is used

    def describe(self) -> str:
        return f"argument {self.index} ({self.param.type})"


class Module:
    """A code object loaded on a device. ``programs`` and ``kernels`` are its
    launch plan's programs and its kernels, as ``code`` reads them."""

    def __init__(self, device: Device, code: CodeObject, module):
        self.device = device
        self.code = code
        self._module = module

    @property
    def programs(self) -> Dict[str, Program]:
        return self.code.programs

    @property
    def kernels(self):
        return self.code.kernels

    def run(self, program: Optional[str] = None, *args,
            sizes: Optional[Mapping[str, int]] = None,
            stream: Union[None, Stream, int] = None) -> None:
        """Runs ``program`` (by name; None when the code object has one) with
        one argument per parameter, as mxrt_program_run does.

        An argument is a NumPy array (copied to the device, and back into the
        array afterwards when it is writable), an object with ``__dlpack__``
        (on the CPU: viewed as a NumPy array; on this ``hip:`` device: used in
        place), or a Buffer. Runtime sizes (``M``) come from the arguments'
        shapes, or from ``sizes`` by name. Each argument must hold exactly
        the bytes its parameter needs, in a matching element type (raw
        uint8 for the MX formats, float32 for f32, uint16 or a bfloat16
        dtype for bf16). On ``hip:`` devices the kernels run on ``stream``
        (a Stream, or a hipStream_t handle such as
        ``torch.cuda.current_stream().cuda_stream``; None: the null stream)
        and run() returns without waiting unless NumPy arrays were copied
        (then it waits for the stream, to copy them back and free their
        buffers).
        """
        plan = self._program(program)
        if len(args) != len(plan.params):
            raise TypeError(f"{plan.name}: takes {len(plan.params)} arguments "
                            f"({', '.join(p.type for p in plan.params)}), got {len(args)}")
        hip_stream = self._stream(stream)
        arguments = [_Argument(i, p, a) for i, (p, a) in enumerate(zip(plan.params, args))]
        for argument in arguments:
            self._classify(argument, hip_stream)
        values = self._sizes(plan, arguments, sizes or {})
        for argument in arguments:
            self._check(plan, argument, values)
        for argument in arguments:
            if argument.array is not None:
                argument.buffer = self.device.alloc(argument.nbytes)
                argument.buffer.write(argument.array, 0, hip_stream)
            elif argument.dlpack is not None:
                argument.buffer = self.device.wrap_buffer(argument.dlpack.data, argument.nbytes)
            else:
                argument.buffer = argument.value
        self._module.run(plan.name, [a.buffer for a in arguments], values, hip_stream)
        copied = False
        for argument in arguments:
            if argument.array is not None:
                copied = True
                if argument.array.flags.writeable:
                    argument.buffer.read(argument.array, 0, hip_stream)
        # The arrays' memory and the buffers made for them are done with only
        # when the stream has run (the simulator finishes every call at once).
        if copied and self.device.is_hip:
            if hip_stream is not None:
                hip_stream.synchronize()
            else:
                self.device.synchronize()

    def _program(self, name: Optional[str]) -> Program:
        if name is None:
            if len(self.programs) != 1:
                raise TypeError(f"{self.code.name}: name the program to run; it has "
                                f"{sorted(self.programs) or 'none'}")
            return next(iter(self.programs.values()))
        if name not in self.programs:
            raise MxrtError(f"{self.code.name}: no program '{name}' (it has "
                            f"{sorted(self.programs) or 'none'})", "MXRT_ERROR_NOT_FOUND")
        return self.programs[name]

    def _stream(self, stream) -> Optional[Stream]:
        if stream is None or isinstance(stream, Stream):
            return stream
        if isinstance(stream, int) and not isinstance(stream, bool):
            return self.device.wrap_stream(stream) if stream else None
        raise TypeError(f"stream must be an mxc Stream, a hipStream_t handle (int) or None, "
                        f"not {type(stream).__name__}")

    def _classify(self, argument: _Argument, stream: Optional[Stream]) -> None:
        value = argument.value
        if isinstance(value, Buffer):
            argument.nbytes = value.size
            return
        if isinstance(value, np.ndarray):
            self._take_array(argument, value)
            return
        if hasattr(value, "__dlpack__") and hasattr(value, "__dlpack_device__"):
            device_type, device_id = value.__dlpack_device__()
            host = device_type in (_DL_CPU, _DL_CUDA_HOST, _DL_ROCM_HOST)
            if not host and (device_type != _DL_ROCM or not self.device.is_hip):
                raise ValueError(f"{argument.describe()}: a tensor on DLPack device "
                                 f"({device_type}, {device_id}) cannot run on {self.device.spec}")
            if not host and device_id != self.device.index:
                raise ValueError(f"{argument.describe()}: the tensor is on HIP device "
                                 f"{device_id}, the module on {self.device.spec}")
            if host:
                capsule = value.__dlpack__()
            else:
                # The producer orders its pending work before our stream's:
                # DLPack names HIP's null stream 0.
                if stream is not None and stream.hip_stream is None:
                    raise ValueError(f"{argument.describe()}: a DLPack tensor on the device "
                                     f"needs the hipStream_t to order it on; pass stream=HANDLE "
                                     f"(torch.cuda.current_stream().cuda_stream), not a stream "
                                     f"from create_stream()")
                capsule = value.__dlpack__(stream=stream.hip_stream if stream is not None else 0)
            self._take_dlpack(argument, _runtime.DLPackTensor(capsule), host)
            return
        raise TypeError(f"{argument.describe()}: expected a NumPy array, a DLPack tensor or "
                        f"an mxc Buffer, not {type(value).__name__}")

    @staticmethod
    def _take_dlpack(argument: _Argument, tensor, host: bool) -> None:
        code, bits, lanes = tensor.dtype
        if lanes != 1 or code not in _DL_TYPE_NAMES or bits % 8:
            raise ValueError(f"{argument.describe()}: DLPack dtype {tensor.dtype} "
                             f"is not a scalar int, uint, float or bfloat type")
        shape = tuple(tensor.shape)
        compact, stride = [], 1
        for extent in reversed(shape):
            compact.insert(0, stride)
            stride *= extent
        if tensor.strides and any(s != c for s, c, e in zip(tensor.strides, compact, shape)
                                  if e != 1):
            raise ValueError(f"{argument.describe()}: the tensor is not contiguous "
                             f"(strides {tuple(tensor.strides)}); pass .contiguous()")
        argument.shape = shape
        argument.nbytes = tensor.nbytes
        argument.dtype = (f"{_DL_TYPE_NAMES[code]}{bits}", bits // 8)
        if host:
            # Its bytes, writable, copied in and out like a NumPy array's.
            argument.array = np.frombuffer(tensor.host_view(), np.uint8)
            argument.keep = tensor
        else:
            argument.dlpack = tensor

    @staticmethod
    def _take_array(argument: _Argument, array: np.ndarray) -> None:
        if not array.flags.c_contiguous:
            raise ValueError(f"{argument.describe()}: the array is not C-contiguous; "
                             f"pass numpy.ascontiguousarray(...)")
        argument.array = array
        argument.shape = array.shape
        argument.nbytes = array.nbytes
        argument.dtype = (array.dtype.name, array.dtype.itemsize)

    @staticmethod
    def _sizes(plan: Program, arguments, given: Mapping[str, int]):
        unknown = sorted(set(given) - {s.name for s in plan.sizes})
        if unknown:
            raise ValueError(f"{plan.name}: no runtime size '{unknown[0]}' (it has "
                             f"{[s.name for s in plan.sizes] or 'none'})")
        values = []
        for size in plan.sizes:
            if size.name in given:
                values.append(int(given[size.name]))
                continue
            argument = arguments[size.param]
            rank = len(argument.param.shape)
            if argument.shape is None or len(argument.shape) != rank:
                raise ValueError(f"{plan.name}: runtime size {size.name} is extent {size.dim} of "
                                 f"{argument.describe()}, which has no shape of rank {rank} "
                                 f"to read it from; pass sizes={{'{size.name}': ...}}")
            values.append(int(argument.shape[size.dim]))
        return values

    @staticmethod
    def _check(plan: Program, argument: _Argument, sizes) -> None:
        needed = argument.param.nbytes(sizes)
        shown = ", ".join(f"{s.name}={v}" for s, v in zip(plan.sizes, sizes))
        for_sizes = f" for {shown}" if shown else ""
        if isinstance(argument.value, Buffer):
            if argument.nbytes < needed:  # a Buffer: large enough, as libmxrt checks
                raise ValueError(f"{plan.name}: {argument.describe()} needs {needed} bytes"
                                 f"{for_sizes}; the buffer holds {argument.nbytes}")
            return
        dtype_name, itemsize = argument.dtype
        if not _dtype_fits(argument.param, dtype_name, itemsize):
            raise ValueError(f"{plan.name}: {argument.describe()} holds "
                             f"{argument.param.element_type}; got {dtype_name} elements")
        if argument.nbytes != needed:
            raise ValueError(f"{plan.name}: {argument.describe()} needs {needed} bytes"
                             f"{for_sizes}; got {tuple(argument.shape)} {dtype_name}, "
                             f"{argument.nbytes} bytes")
