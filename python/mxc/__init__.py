"""mxc: MX kernels for AMD GPUs from Python.

Compile (in this process, through mxc's driver) and run (through libmxrt)::

    import mxc, numpy as np
    code = mxc.gemm(a_format="e4m3", b_format="e4m3", n=256, k=512, out="f32")
    with mxc.Device("sim:gfx950") as device:
        device.load(code).run("gemm", a, a_scales, b, b_scales, c)

docs/python.md describes the package. The compiler (which loads LLVM and
MLIR) is imported on the first use of mxc.compile, gemm, quantize,
dequantize, swiglu or rmsnorm; the runtime needs only libmxrt.
"""

from .codeobject import (CodeObject, Dispatch, Kernel, KernelArg, Launch, Param, Program,
                         Size, Variant)
from .errors import CompileError, Error, MxrtError
from .runtime import Buffer, Device, Module, Stream

_COMPILER_NAMES = ("compile", "gemm", "quantize", "dequantize", "swiglu", "rmsnorm")

__all__ = [
    "Buffer", "CodeObject", "CompileError", "Device", "Dispatch", "Error", "Kernel",
    "KernelArg", "Launch", "Module", "MxrtError", "Param", "Program", "Size", "Stream",
    "Variant", *_COMPILER_NAMES,
]


def __getattr__(name):
    if name in _COMPILER_NAMES:
        from . import compiler
        return getattr(compiler, name)
    raise AttributeError(f"module 'mxc' has no attribute '{name}'")
