"""mxc's runtime: launch plans run on NumPy arrays on the simulator, checked
against NumPy references written from SPEC.md (mxc.reference), and the
argument checks."""

import numpy as np
import pytest

import mxc
from mxc import reference as ref


def random_codes(rng, format, shape):
    """Random finite codes of ``format``."""
    bits = ref.FORMATS[format][1]
    codes = rng.integers(0, 1 << bits, size=shape)
    values = ref.decode(codes, format)
    while not np.isfinite(values).all():
        bad = ~np.isfinite(values)
        codes[bad] = rng.integers(0, 1 << bits, size=int(bad.sum()))
        values = ref.decode(codes, format)
    return codes


def gemm_operands(rng, m, n, k, a_format="e4m3", b_format="e4m3"):
    a, b = random_codes(rng, a_format, (m, k)), random_codes(rng, b_format, (n, k))
    sa = rng.integers(120, 132, size=(m, k // 32)).astype(np.uint8)
    sb = rng.integers(120, 132, size=(n, k // 32)).astype(np.uint8)
    return a, sa, b, sb


@pytest.mark.parametrize("m", [1, 33])
def test_gemm_on_the_simulator_matches_numpy(sim, gemm_fp8, m):
    rng = np.random.default_rng(m)
    a, sa, b, sb = gemm_operands(rng, m, 64, 128)
    c = np.full((m, 64), np.nan, np.float32)
    sim.load(gemm_fp8).run("gemm", ref.pack(a, "e4m3"), sa, ref.pack(b, "e4m3"), sb, c)
    expected = ref.scaled_matmul(a, sa, "e4m3", b, sb, "e4m3")
    assert np.linalg.norm(c - expected) / np.linalg.norm(expected) < 1e-3  # SPEC.md, f32 out


def test_fp4_weights_bias_and_bf16_output(sim):
    m, n, k = 7, 32, 64
    code = mxc.gemm(a_format="e4m3", b_format="e2m1", n=n, k=k, bias=True, m_buckets=None)
    rng = np.random.default_rng(4)
    a, sa, b, sb = gemm_operands(rng, m, n, k, "e4m3", "e2m1")
    bias = (rng.integers(-16, 16, size=n) / 4).astype(np.float32)
    c = np.zeros((m, n), np.uint16)  # bf16 bits
    sim.load(code).run(None, ref.pack(a, "e4m3"), sa, ref.pack(b, "e2m1"), sb, bias, c)
    expected = ref.scaled_matmul(a, sa, "e4m3", b, sb, "e2m1", bias)
    magnitude = np.abs(ref.dequantize(a, sa, "e4m3")) @ np.abs(ref.dequantize(b, sb, "e2m1")).T
    error = np.abs(ref.bf16_to_float32(c) - expected)
    assert (error <= 2.0**-8 * np.abs(expected) + 2.0**-20 * magnitude).all()  # SPEC.md, bf16


def test_quantize_kernel_matches_numpy_bit_for_bit(sim):
    m, k = 5, 96
    rng = np.random.default_rng(7)
    x = (rng.standard_normal((m, k)) * np.exp2(rng.integers(-20, 20, size=(m, 1)))).astype(np.float32)
    x[1, 32:64] = 0  # an all-zero block: scale 127 in ceil mode
    x[2, 5] = np.inf  # an Inf block: scale 0xFF, NaN codes
    x[3, 70] = np.nan
    # amax / 448 an exact power of two (2^-3: s = 124), just above one (s = 125), and
    # a subnormal amax (s clamps to 0).
    x[4, :32] = np.linspace(-56, 56, 32, dtype=np.float32).round()
    x[4, 32:64] = np.linspace(-57, 57, 32, dtype=np.float32).round()
    x[4, 64:96] = np.float32(2.0**-127)
    bits = ref.bf16_bits(x)
    values = np.zeros((m, k), np.uint8)
    scales = np.zeros((m, k // 32), np.uint8)
    sim.load(mxc.quantize(format="e4m3", k=k)).run("quantize", bits, values, scales)
    codes, expected_scales = ref.quantize(ref.bf16_to_float32(bits), "e4m3")
    assert np.array_equal(scales, expected_scales)
    assert np.array_equal(values, ref.pack(codes, "e4m3"))
    assert scales[1, 1] == 127 and scales[2, 0] == 255 and scales[3, 2] == 255
    assert list(scales[4]) == [124, 125, 0]


@pytest.mark.parametrize("layout, limit", [("split", 7.0), ("interleaved", None)])
def test_swiglu_quantize_kernel_matches_numpy(sim, layout, limit):
    m, i = 3, 64
    rng = np.random.default_rng(11)
    x = ref.bf16_bits(rng.standard_normal((m, 2 * i)).astype(np.float32) * 4)
    code = mxc.swiglu(i=i, layout=layout, limit=limit, out="e4m3")
    assert [p.type for p in code.programs["swiglu"].params] == [
        "memref<?x128xbf16>", "memref<?x64xf8E4M3FN>", "memref<?x2xf8E8M0FNU>"]
    values = np.zeros((m, i), np.uint8)
    scales = np.zeros((m, i // 32), np.uint8)
    sim.load(code).run("swiglu", x, values, scales)
    y = ref.swiglu(ref.bf16_to_float32(x), layout, limit)
    codes, expected_scales = ref.quantize(y, "e4m3")
    # fp32 exp may be a few ulps off NumPy's: a code may move by one step.
    assert np.array_equal(scales, expected_scales)
    got = ref.unpack(values, "e4m3", i)
    assert (np.abs(got - codes) <= 1).all() and (got != codes).mean() < 0.02


def test_rmsnorm_residual_kernel_matches_numpy(sim):
    m, h = 7, 2880
    rng = np.random.default_rng(12)
    x = ref.bf16_bits(rng.standard_normal((m, h)).astype(np.float32))
    r = ref.bf16_bits(rng.standard_normal((m, h)).astype(np.float32))
    w = ref.bf16_bits(rng.standard_normal(h).astype(np.float32) * 0.1)
    code = mxc.rmsnorm(h=h, residual=True)
    assert [p.type for p in code.programs["rmsnorm"].params] == [
        "memref<?x2880xbf16>", "memref<2880xbf16>", "memref<?x2880xbf16>",
        "memref<?x2880xbf16>", "memref<?x2880xbf16>"]
    residual_out = np.zeros((m, h), np.uint16)
    y = np.zeros((m, h), np.uint16)
    sim.load(code).run("rmsnorm", x, w, r, residual_out, y)
    expected, s = ref.rmsnorm(ref.bf16_to_float32(x), ref.bf16_to_float32(w),
                              residual=ref.bf16_to_float32(r))
    assert np.array_equal(residual_out, ref.bf16_bits(s))  # SPEC.md: bit-exact
    got = ref.bf16_to_float32(y)
    assert (np.abs(got - expected) <= 5e-3 * np.abs(expected) + 1e-6).all()


def test_sizes_by_name_buffers_and_read_only_inputs(sim, gemm_fp8):
    m = 4
    rng = np.random.default_rng(9)
    a, sa, b, sb = gemm_operands(rng, m, 64, 128)
    module = sim.load(gemm_fp8.data)
    assert module.programs["gemm"] == gemm_fp8.programs["gemm"]
    # A as a device buffer (no shape: M comes from `sizes`), B read-only.
    a_buffer = sim.alloc(m * 128)
    a_buffer.write(ref.pack(a, "e4m3"))
    packed_b = ref.pack(b, "e4m3")
    packed_b.flags.writeable = False
    c = np.zeros((m, 64), np.float32)
    module.run("gemm", a_buffer, sa.reshape(-1), packed_b, sb, c.reshape(-1), sizes={"M": m})
    expected = ref.scaled_matmul(a, sa, "e4m3", b, sb, "e4m3")
    assert np.linalg.norm(c - expected) / np.linalg.norm(expected) < 1e-3


class CpuDLPack:
    """A producer that offers only the DLPack protocol (as a torch CPU tensor
    does)."""

    def __init__(self, array):
        self.array = array

    def __dlpack__(self, stream=None):
        return self.array.__dlpack__()

    def __dlpack_device__(self):
        return self.array.__dlpack_device__()


def test_cpu_dlpack_tensors_run_in_place(sim, gemm_fp8):
    m = 2
    a, sa, b, sb = gemm_operands(np.random.default_rng(2), m, 64, 128)
    c = np.zeros((m, 64), np.float32)
    sim.load(gemm_fp8).run("gemm", *(CpuDLPack(x) for x in (
        ref.pack(a, "e4m3"), sa, ref.pack(b, "e4m3"), sb, c)))
    expected = ref.scaled_matmul(a, sa, "e4m3", b, sb, "e4m3")
    assert np.linalg.norm(c - expected) / np.linalg.norm(expected) < 1e-3


def test_torch_cpu_tensors(sim, gemm_fp8):
    torch = pytest.importorskip("torch")
    m = 3
    a, sa, b, sb = gemm_operands(np.random.default_rng(3), m, 64, 128)
    c = torch.zeros((m, 64), dtype=torch.float32)
    sim.load(gemm_fp8).run("gemm", torch.from_numpy(ref.pack(a, "e4m3")), torch.from_numpy(sa),
                           torch.from_numpy(ref.pack(b, "e4m3")), torch.from_numpy(sb), c)
    expected = ref.scaled_matmul(a, sa, "e4m3", b, sb, "e4m3")
    assert np.linalg.norm(c.numpy() - expected) / np.linalg.norm(expected) < 1e-3


def arguments(m):
    return [np.zeros((m, 128), np.uint8), np.zeros((m, 4), np.uint8),
            np.zeros((64, 128), np.uint8), np.zeros((64, 4), np.uint8),
            np.zeros((m, 64), np.float32)]


@pytest.mark.parametrize("change, error, message", [
    (lambda args: args[:4], TypeError, "gemm: takes 5 arguments"),
    (lambda args: args[:4] + [args[4].astype(np.float16)], ValueError,
     "gemm: argument 4 (memref<?x64xf32>) holds f32; got float16 elements"),
    (lambda args: args[:4] + [np.zeros((4, 64), np.float32)], ValueError,
     "gemm: argument 4 (memref<?x64xf32>) needs 768 bytes for M=3; got (4, 64) float32, "
     "1024 bytes"),
    (lambda args: args[:2] + [np.zeros((128, 64), np.uint8).T] + args[3:], ValueError,
     "argument 2 (memref<64x128xf8E4M3FN>): the array is not C-contiguous"),
    (lambda args: [args[0].astype(np.float32)] + args[1:], ValueError,
     "holds f8E4M3FN; got float32 elements"),
    (lambda args: args[:4] + [[0.0] * 192], TypeError,
     "argument 4 (memref<?x64xf32>): expected a NumPy array, a DLPack tensor or an mxc "
     "Buffer, not list"),
])
def test_argument_errors(sim, gemm_fp8, change, error, message):
    with pytest.raises(error) as raised:
        sim.load(gemm_fp8).run("gemm", *change(arguments(3)))
    assert message in str(raised.value)


def test_size_errors(sim, gemm_fp8):
    module = sim.load(gemm_fp8)
    with pytest.raises(ValueError, match="no runtime size 'N'"):
        module.run("gemm", *arguments(3), sizes={"N": 3})
    args = arguments(3)
    args[0] = sim.alloc(3 * 128)
    with pytest.raises(ValueError, match=r"runtime size M is extent 0 of argument 0 "
                                         r"\(memref<\?x128xf8E4M3FN>\), which has no shape"):
        module.run("gemm", *args)


def test_runtime_errors_carry_libmxrt_status(sim, gemm_fp8):
    with pytest.raises(mxc.MxrtError) as error:
        mxc.Device("sim:gfx9999")
    assert error.value.status == "MXRT_ERROR_INVALID_ARGUMENT" or "gfx9999" in str(error.value)
    with pytest.raises(mxc.MxrtError) as error:
        sim.load(b"not an ELF file")
    assert error.value.status == "MXRT_ERROR_INVALID_CODE_OBJECT"
    with pytest.raises(mxc.MxrtError) as error:
        sim.load(gemm_fp8).run("nope")
    assert error.value.status == "MXRT_ERROR_NOT_FOUND"
    gfx942 = mxc.compile("gpu.module @m { gpu.func @k() kernel { gpu.return } }", target="gfx942")
    with pytest.raises(mxc.MxrtError) as error:
        sim.load(gfx942)
    assert error.value.status == "MXRT_ERROR_TARGET_MISMATCH"
    assert "\n" not in str(error.value)
