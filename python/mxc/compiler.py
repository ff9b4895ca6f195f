"""mxc's compiler, in this process: MLIR to code objects (no subprocess).

Loading this module loads LLVM and MLIR; ``import mxc`` alone does not
(mxc.compile and the builders import it on first use).
"""

import os
import warnings
from typing import Optional, Sequence, Union

from . import _compiler
from .codeobject import CodeObject
from .errors import CompileError

_INT32_MAX = 2**31 - 1
_INT64_MAX = 2**63 - 1


def _whole(name: str, value, low: int, high: int) -> int:
    """``value`` as an int from ``low`` to ``high``, or CompileError."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise CompileError(f"{name}={value!r}: expected a whole number from {low} to {high}")
    if not low <= value <= high:
        raise CompileError(f"{name}={value}: expected a whole number from {low} to {high}")
    return value


def _real(name: str, value) -> float:
    """``value`` as a float, or CompileError (mxc checks that it is finite
    and fits an f32)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise CompileError(f"{name}={value!r}: expected a finite number")
    return float(value)


def _options(target, opt_level, emit, embed_bitcode, bare_ptr_memrefs, ld_lld,
             device_libs, config, tune_m, m_buckets) -> dict:
    """The keyword arguments of every _compiler call, checked as mxc checks
    its flags."""
    if m_buckets is None or m_buckets == "none":
        buckets = "none"
    else:
        bounds = [_whole("m_buckets", b, 1, _INT32_MAX - 1) for b in m_buckets]
        for previous, bound in zip(bounds, bounds[1:]):
            if bound <= previous:
                raise CompileError(f"m_buckets={tuple(m_buckets)}: bounds must ascend; "
                                   f"{bound} follows {previous}")
        buckets = ",".join(str(b) for b in bounds) if bounds else "none"
    return dict(
        target=str(target),
        opt_level=_whole("opt_level", opt_level, 0, 3),
        emit=str(emit),
        embed_bitcode=bool(embed_bitcode),
        bare_ptr_memrefs=bool(bare_ptr_memrefs),
        ld_lld=os.fspath(ld_lld) if ld_lld else "",
        device_libs=os.fspath(device_libs) if device_libs else "",
        config=config or "",
        tune_m=_whole("tune_m", tune_m, 1, _INT32_MAX),
        m_buckets=buckets,
    )


def _result(output, emit: str, name: str) -> Union[CodeObject, str]:
    data, reported = output
    for warning in reported:
        warnings.warn(warning, stacklevel=3)
    if emit == "hsaco":
        return CodeObject(data, name)
    return data.decode()


def _is_path(source) -> bool:
    # MLIR always holds a '{'; a file name without one is taken as a path.
    return isinstance(source, os.PathLike) or (
        isinstance(source, str) and "{" not in source and "\n" not in source)


def compile(source: Union[str, os.PathLike], target: str = "gfx950", *,
            opt_level: int = 3, emit: str = "hsaco", embed_bitcode: bool = True,
            bare_ptr_memrefs: bool = False, ld_lld=None, device_libs=None,
            config: Optional[str] = None, tune_m: int = 8192,
            m_buckets: Optional[Sequence[int]] = (16, 256)) -> Union[CodeObject, str]:
    """Compiles MLIR, as ``mxc IN.mlir --target TARGET`` does.

    ``source`` is MLIR text, or the path of a .mlir file (a ``os.PathLike``,
    or a ``str`` without ``{`` or a newline). Returns a CodeObject for
    ``emit="hsaco"``; the text for ``"asm"``, ``"llvm"`` or ``"mlir"``. The
    options are mxc's flags (docs/cli.md): ``m_buckets=None`` is
    ``--m-buckets none``. Raises CompileError with mxc's one-line message.
    """
    options = _options(target, opt_level, emit, embed_bitcode, bare_ptr_memrefs, ld_lld,
                       device_libs, config, tune_m, m_buckets)
    if _is_path(source):
        name = os.fspath(source)
        try:
            with open(name, encoding="utf-8") as f:
                text = f.read()
        except OSError as error:
            raise CompileError(f"cannot open input file '{name}': {error.strerror}") from None
        except UnicodeDecodeError:
            raise CompileError(f"{name}: not UTF-8 text") from None
    elif isinstance(source, str):
        text, name = source, "<string>"
    else:
        raise TypeError(f"mxc.compile: source must be MLIR text or a path, not "
                        f"{type(source).__name__}")
    output = _compiler.compile_source(text, name, **options)
    return _result(output, emit, name)


def gemm(*, a_format: str, b_format: str, n: int, k: int, out: str = "bf16",
         bias: bool = False, b_layout: str = "nk", target: str = "gfx950",
         m: Optional[int] = None, **options) -> Union[CodeObject, str]:
    """A scaled-matmul kernel, as ``mxc gemm`` builds it: program ``gemm``
    with parameters A[M, K], its E8M0 scales [M, K/32], B[N, K] (or [K, N]
    with ``b_layout="kn"``), its scales [N, K/32], bias[N] (f32, with
    ``bias=True``) and C[M, N] of type ``out``; M is a runtime size. ``m``
    is the M to tune the config for (``--m``). Other keywords are
    mxc.compile's options."""
    n = _whole("n", n, 1, _INT64_MAX)
    k = _whole("k", k, 1, _INT64_MAX)
    if m is not None:
        options["tune_m"] = _whole("m", m, 1, _INT32_MAX)
    emit = options.get("emit", "hsaco")
    output = _compiler.compile_gemm(str(a_format), str(b_format), n, k, str(out), bool(bias),
                                    str(b_layout), **_options(target, **_defaults(options)))
    return _result(output, emit, "gemm")


def quantize(*, format: str, k: int, in_type: str = "bf16", rounding: str = "ceil",
             target: str = "gfx950", **options) -> Union[CodeObject, str]:
    """An MX quantize kernel, as ``mxc quantize`` builds it: program
    ``quantize`` with parameters X[M, K] (``in_type``), the elements [M, K]
    and their E8M0 scales [M, K/32]."""
    k = _whole("k", k, 1, _INT64_MAX)
    emit = options.get("emit", "hsaco")
    output = _compiler.compile_quantize(str(format), k, str(in_type), str(rounding),
                                        **_options(target, **_defaults(options)))
    return _result(output, emit, "quantize")


def dequantize(*, format: str, k: int, out: str = "bf16", target: str = "gfx950",
               **options) -> Union[CodeObject, str]:
    """An MX dequantize kernel, as ``mxc dequantize`` builds it: program
    ``dequantize`` with parameters the elements [M, K], their scales
    [M, K/32] and Y[M, K] (``out``)."""
    k = _whole("k", k, 1, _INT64_MAX)
    emit = options.get("emit", "hsaco")
    output = _compiler.compile_dequantize(str(format), k, str(out),
                                          **_options(target, **_defaults(options)))
    return _result(output, emit, "dequantize")


def swiglu(*, i: int, layout: str = "interleaved", limit: Optional[float] = None,
           alpha: float = 1.702, beta: float = 1.0, in_type: str = "bf16", out: str = "bf16",
           rounding: str = "ceil", target: str = "gfx950", **options) -> Union[CodeObject, str]:
    """A SwiGLU-OAI kernel, as ``mxc swiglu`` builds it: program ``swiglu``
    with parameters X[M, 2I] (``in_type``; gate and up ``split`` or
    ``interleaved``) and Y[M, I] of type ``out``; an MX format for ``out``
    fuses the quantize, adding its E8M0 scales [M, I/32] (``rounding``)."""
    i = _whole("i", i, 1, _INT64_MAX // 4)
    emit = options.get("emit", "hsaco")
    output = _compiler.compile_swiglu(i, str(layout), None if limit is None else _real("limit", limit),
                                      _real("alpha", alpha), _real("beta", beta), str(in_type), str(out),
                                      str(rounding), **_options(target, **_defaults(options)))
    return _result(output, emit, "swiglu")


def rmsnorm(*, h: int, residual: bool = False, eps: float = 1e-6, in_type: str = "bf16",
            out: str = "bf16", rounding: str = "ceil", target: str = "gfx950",
            **options) -> Union[CodeObject, str]:
    """A Gemma RMSNorm kernel, as ``mxc rmsnorm`` builds it: program
    ``rmsnorm`` with parameters X[M, H] (``in_type``), the weight [H], with
    ``residual=True`` the residual R[M, H] and residual_out[M, H], and Y[M, H]
    of type ``out``; an MX format for ``out`` fuses the quantize, adding its
    E8M0 scales [M, H/32] (``rounding``)."""
    h = _whole("h", h, 1, _INT64_MAX // 4)
    emit = options.get("emit", "hsaco")
    output = _compiler.compile_rmsnorm(h, bool(residual), _real("eps", eps), str(in_type), str(out),
                                       str(rounding), **_options(target, **_defaults(options)))
    return _result(output, emit, "rmsnorm")


_DEFAULTS = dict(opt_level=3, emit="hsaco", embed_bitcode=True, bare_ptr_memrefs=False,
                 ld_lld=None, device_libs=None, config=None, tune_m=8192, m_buckets=(16, 256))


def _defaults(options: dict) -> dict:
    """mxc.compile's options with their defaults; an unknown one is a
    TypeError, as for any Python function."""
    unknown = sorted(set(options) - set(_DEFAULTS))
    if unknown:
        raise TypeError(f"unexpected keyword argument '{unknown[0]}'")
    return {**_DEFAULTS, **options}
