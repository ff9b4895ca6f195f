"""NumPy implementations of mxc's numerics, written from SPEC.md (the MX
formats, quantize, dequantize, scaled matmul, SwiGLU-OAI, Gemma RMSNorm): for quantizing weights
offline, and for checking kernels against. Slow, exact, and independent of
mxc's compiler and simulator.

Element codes are stored as the kernels read them: row-major, each code's
bits in order from the lowest bit of the lowest byte (FP8 one code a byte,
FP4 the even K element in the low nibble, FP6 four codes in three bytes).
bf16 values travel as their raw uint16 bits (NumPy has no bf16).
"""

import numpy as np

# name: (MLIR type, bits, exponent bits, mantissa bits, bias, largest finite)
FORMATS = {
    "e4m3": ("f8E4M3FN", 8, 4, 3, 7, 448.0),
    "e5m2": ("f8E5M2", 8, 5, 2, 15, 57344.0),
    "e2m3": ("f6E2M3FN", 6, 2, 3, 1, 7.5),
    "e3m2": ("f6E3M2FN", 6, 3, 2, 3, 28.0),
    "e2m1": ("f4E2M1FN", 4, 2, 1, 1, 6.0),
}
# The exponent of each format's largest power of two (SPEC.md's emax_elem).
_EMAX = {"e4m3": 8, "e5m2": 15, "e2m3": 2, "e3m2": 4, "e2m1": 2}
# The element code a NaN or Inf block gets (its 0xFF scale carries the NaN).
_NAN_CODE = {"e4m3": 0x7F, "e5m2": 0x7F, "e2m3": 0x1F, "e3m2": 0x1F, "e2m1": 0x7}
BLOCK = 32


def _format(name):
    if name not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)} (got {name!r})")
    return FORMATS[name]


def bf16_bits(x):
    """float32 values rounded to bf16 (nearest, ties to even), as raw bits."""
    bits = np.ascontiguousarray(x, dtype=np.float32).view(np.uint32).astype(np.uint64)
    nan = np.isnan(np.asarray(x, dtype=np.float32))
    rounded = ((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16).astype(np.uint16)
    return np.where(nan, np.uint16(0x7FC0), rounded)


def bf16_to_float32(bits):
    """Raw bf16 bits as float32 values (exact)."""
    return (np.asarray(bits, dtype=np.uint16).astype(np.uint32) << 16).view(np.float32)


def decode(codes, format):
    """Element codes (unpacked ints) as float64 values."""
    _, bits, ebits, mbits, bias, _ = _format(format)
    codes = np.asarray(codes, dtype=np.int64)
    sign = (codes >> (bits - 1)) & 1
    exponent = (codes >> mbits) & ((1 << ebits) - 1)
    mantissa = codes & ((1 << mbits) - 1)
    subnormal = np.ldexp(mantissa.astype(np.float64), 1 - bias - mbits)
    normal = np.ldexp(1.0 + mantissa / float(1 << mbits), exponent - bias)
    value = np.where(sign == 1, -1.0, 1.0) * np.where(exponent == 0, subnormal, normal)
    if format == "e4m3":
        value = np.where((codes & 0x7F) == 0x7F, np.nan, value)
    elif format == "e5m2":
        special = exponent == 0x1F
        value = np.where(special & (mantissa == 0), np.copysign(np.inf, value), value)
        value = np.where(special & (mantissa != 0), np.nan, value)
    return value


def _encode(values, format, saturate):
    """float64 values to codes: round to nearest even, subnormals kept,
    magnitudes over the largest finite saturated (``saturate``)."""
    _, bits, ebits, mbits, bias, largest = _format(format)
    magnitude = np.abs(values)
    _, exponent = np.frexp(np.where(magnitude > 0, magnitude, 1.0))
    exponent = np.maximum(exponent - 1, 1 - bias)  # floor(log2 |x|), at least emin
    quantum = np.ldexp(1.0, exponent - mbits)
    rounded = np.rint(magnitude / quantum) * quantum  # rint: ties to even
    if saturate:
        rounded = np.minimum(rounded, largest)
    _, rexp = np.frexp(np.where(rounded > 0, rounded, 1.0))
    rexp = rexp - 1
    normal = rounded >= np.ldexp(1.0, 1 - bias)
    code_exponent = np.where(normal, rexp + bias, 0)
    mantissa = np.where(normal, (rounded / np.ldexp(1.0, rexp) - 1.0) * (1 << mbits),
                        rounded / np.ldexp(1.0, 1 - bias - mbits))
    code = (code_exponent.astype(np.int64) << mbits) | mantissa.astype(np.int64)
    return code | (np.signbit(values).astype(np.int64) << (bits - 1))


def quantize(x, format="e4m3", rounding="ceil"):
    """Quantizes rows of reals ``x`` [M, K] (float32 values; K % 32 == 0) to
    (codes [M, K] unpacked int64, E8M0 scales [M, K/32] uint8), as SPEC.md's
    quantize says for scale mode ``rounding`` (ceil or floor)."""
    _, _, _, _, _, largest = _format(format)
    x = np.asarray(x, dtype=np.float32)
    rows, k = x.shape
    if k % BLOCK:
        raise ValueError(f"K = {k} is not a multiple of {BLOCK}")
    blocks = x.reshape(rows, k // BLOCK, BLOCK)
    special = ~np.isfinite(blocks).all(axis=2)
    amax = np.abs(np.where(np.isfinite(blocks), blocks, 0)).max(axis=2).astype(np.float32)
    if rounding == "ceil":
        d = (amax / np.float32(largest)).astype(np.float32)  # IEEE fp32 division
        mantissa, exponent = np.frexp(np.where(d > 0, d, 1).astype(np.float64))
        # d = mantissa * 2^exponent, mantissa in [0.5, 1): ceil(log2 d).
        ceil_log2 = np.where(mantissa == 0.5, exponent - 1, exponent)
        scale = np.where(amax > 0, np.clip(127 + ceil_log2, 0, 254), 127)
    elif rounding == "floor":
        _, exponent = np.frexp(np.where(amax > 0, amax, 1).astype(np.float64))
        scale = np.where(amax > 0, np.clip(127 + (exponent - 1) - _EMAX[format], 0, 254), 0)
    else:
        raise ValueError(f"rounding must be ceil or floor (got {rounding!r})")
    scaled = blocks.astype(np.float64) * np.ldexp(1.0, 127 - scale)[:, :, None]
    scaled = scaled.astype(np.float32).astype(np.float64)  # the fp32 product
    codes = _encode(np.where(np.isfinite(scaled), scaled, 0), format, saturate=True)
    codes = np.where(special[:, :, None], _NAN_CODE[format], codes)
    scale = np.where(special, 255, scale)
    return codes.reshape(rows, k), scale.astype(np.uint8)


def pack(codes, format):
    """Unpacked codes [rows, K] as the bytes the kernels read: uint8
    [rows, K * bits / 8]."""
    bits = _format(format)[1]
    codes = np.asarray(codes, dtype=np.int64)
    rows, k = codes.shape
    flat = np.zeros((rows, k * bits), np.uint8)
    for j in range(bits):
        flat[:, j::bits] = (codes >> j) & 1
    return np.packbits(flat, axis=1, bitorder="little")


def unpack(packed, format, k):
    """The inverse of pack: codes [rows, K] (int64)."""
    bits = _format(format)[1]
    packed = np.asarray(packed, dtype=np.uint8)
    flat = np.unpackbits(packed, axis=1, bitorder="little")[:, : k * bits].astype(np.int64)
    codes = np.zeros((packed.shape[0], k), np.int64)
    for j in range(bits):
        codes |= flat[:, j::bits] << j
    return codes


def dequantize(codes, scales, format):
    """Codes [M, K] (unpacked) and E8M0 scales [M, K/32] as float64 values:
    decode(q) * 2^(s - 127), NaN for s = 0xFF."""
    values = decode(codes, format)
    scales = np.asarray(scales, dtype=np.int64)
    factor = np.where(scales == 255, np.nan, np.ldexp(1.0, scales - 127))
    return values * np.repeat(factor, BLOCK, axis=1)


def scaled_matmul(a, a_scales, a_format, b, b_scales, b_format, bias=None):
    """C[M, N] = sum_k A[m, k] * B[n, k] of the dequantized operands (codes
    unpacked, B as [N, K]), in float64, plus ``bias`` [N]."""
    c = dequantize(a, a_scales, a_format) @ dequantize(b, b_scales, b_format).T
    return c if bias is None else c + np.asarray(bias, dtype=np.float64)


def swiglu(x, layout="interleaved", limit=None, alpha=1.702, beta=1.0):
    """SwiGLU-OAI of rows ``x`` [M, 2I] (float32 values) as SPEC.md defines
    it, in float32: gate and up from the ``split`` or ``interleaved``
    layout, the one-sided clamp of gate and the two-sided clamp of up when
    ``limit`` is given, ``g * sigmoid(alpha * g) * (u + beta)``. Returns
    float32 [M, I]."""
    x = np.asarray(x, dtype=np.float32)
    if layout == "interleaved":
        gate, up = x[:, 0::2], x[:, 1::2]
    elif layout == "split":
        half = x.shape[1] // 2
        gate, up = x[:, :half], x[:, half:]
    else:
        raise ValueError(f"layout must be split or interleaved (got {layout!r})")
    f32 = np.float32
    if limit is not None:
        gate = np.minimum(gate, f32(limit))
        up = np.clip(up, f32(-limit), f32(limit))
    with np.errstate(over="ignore"):
        sigmoid = f32(1) / (f32(1) + np.exp(-(f32(alpha) * gate)))
    return (gate * sigmoid * (up + f32(beta))).astype(np.float32)


def rmsnorm(x, weight, eps=1e-6, residual=None):
    """Gemma RMSNorm of rows ``x`` [M, H] (float32 values) with ``weight``
    [H], as SPEC.md defines it: ``x * rsqrt(mean(x^2) + eps) * (1 + w)`` in
    float32. With ``residual`` [M, H], x + residual is normalized instead
    and returned too: (y, s) with s the unrounded float32 sum (the kernel's
    residual_out is s cast once to its type)."""
    f32 = np.float32
    x = np.asarray(x, dtype=np.float32)
    if residual is not None:
        x = (x + np.asarray(residual, dtype=np.float32)).astype(np.float32)
    mean = (x.astype(np.float64) ** 2).mean(axis=1, keepdims=True)
    y = x * (f32(1) / np.sqrt(mean + float(np.float32(eps)))).astype(np.float32) \
        * (f32(1) + np.asarray(weight, dtype=np.float32))
    y = y.astype(np.float32)
    return y if residual is None else (y, x)
