"""mxc.compile and the builders: what they produce, and their errors."""

import os
import pathlib
import subprocess
import sys
import warnings

import pytest

import mxc

EXAMPLES = pathlib.Path(__file__).resolve().parents[2] / "examples"

TILE_KERNEL = """
gpu.module @m {
  gpu.func @scale(%x: memref<64xf32>, %s: f32) kernel {
    %i = gpu.thread_id x
    %v = memref.load %x[%i] : memref<64xf32>
    %y = arith.mulf %v, %s : f32
    memref.store %y, %x[%i] : memref<64xf32>
    gpu.return
  }
}
"""


def test_gemm_program_follows_the_documented_abi(gemm_fp8):
    # docs/gemm.md: A[M, K], its scales [M, K/32], B[N, K], its scales, C[M, N].
    assert isinstance(gemm_fp8, mxc.CodeObject)
    assert gemm_fp8.chip == "gfx950"
    program = gemm_fp8.programs["gemm"]
    assert [p.type for p in program.params] == [
        "memref<?x128xf8E4M3FN>", "memref<?x4xf8E8M0FNU>", "memref<64x128xf8E4M3FN>",
        "memref<64x4xf8E8M0FNU>", "memref<?x64xf32>"]
    assert [(s.name, s.param, s.dim) for s in program.sizes] == [("M", 0, 0)]
    assert program.params[4].nbytes([3]) == 3 * 64 * 4
    # m_buckets=None: one variant, for every M.
    (dispatch,) = program.dispatches
    assert dispatch.op == "scaled_matmul" and len(dispatch.variants) == 1
    (launch,) = dispatch.variants[0].launches
    assert launch.kernel in gemm_fp8.kernels


def test_fp4_weights_are_packed_two_to_a_byte():
    code = mxc.gemm(a_format="e4m3", b_format="e2m1", n=32, k=64, bias=True)
    params = code.programs["gemm"].params
    assert params[2].type == "memref<32x64xf4E2M1FN>" and params[2].nbytes([1]) == 32 * 64 // 2
    assert params[4].type == "memref<32xf32>"  # the bias
    assert params[5].type == "memref<?x32xbf16>"
    kn = mxc.gemm(a_format="e4m3", b_format="e5m2", n=32, k=64, b_layout="kn")
    assert kn.programs["gemm"].params[2].type == "memref<64x32xf8E5M2>"
    with pytest.raises(mxc.CompileError, match="needs b_layout nk"):
        mxc.gemm(a_format="e4m3", b_format="e2m1", n=32, k=64, b_layout="kn")


@pytest.mark.parametrize("flags, call", [
    (["gemm", "--a-format", "e4m3", "--b-format", "e2m1", "--n", "256", "--k", "512",
      "--out", "f32"],
     lambda: mxc.gemm(a_format="e4m3", b_format="e2m1", n=256, k=512, out="f32")),
    (["quantize", "--format", "e5m2", "--k", "96", "--in", "f32", "--rounding", "floor"],
     lambda: mxc.quantize(format="e5m2", k=96, in_type="f32", rounding="floor")),
    (["dequantize", "--format", "e2m1", "--k", "64", "--out", "f16"],
     lambda: mxc.dequantize(format="e2m1", k=64, out="f16")),
    (["swiglu", "--i", "64", "--layout", "split", "--limit", "7", "--alpha", "1.5", "--out",
      "e4m3", "--rounding", "floor"],
     lambda: mxc.swiglu(i=64, layout="split", limit=7, alpha=1.5, out="e4m3", rounding="floor")),
    (["swiglu", "--i", "96", "--in", "f16", "--out", "f32"],
     lambda: mxc.swiglu(i=96, in_type="f16", out="f32")),
    (["rmsnorm", "--h", "2880", "--residual", "--eps", "1e-5", "--out", "e2m1"],
     lambda: mxc.rmsnorm(h=2880, residual=True, eps=1e-5, out="e2m1")),
    (["rmsnorm", "--h", "64", "--in", "f32", "--out", "f16"],
     lambda: mxc.rmsnorm(h=64, in_type="f32", out="f16")),
])
def test_builders_make_what_the_mxc_command_makes(tools_dir, tmp_path, flags, call):
    out = tmp_path / "cli.hsaco"
    subprocess.run([os.path.join(tools_dir, "mxc"), *flags, "-o", str(out)], check=True)
    assert call().data == out.read_bytes()


def test_compile_text_path_and_emit(tmp_path):
    code = mxc.compile(TILE_KERNEL, target="gfx950")
    assert list(code.kernels) == ["scale"] and code.programs == {}
    path = tmp_path / "scale.mlir"
    path.write_text(TILE_KERNEL)
    assert mxc.compile(path).data == code.data
    assert mxc.compile(str(path)).data == code.data
    asm = mxc.compile(TILE_KERNEL, target="gfx942", emit="asm")
    assert isinstance(asm, str) and '.amdgcn_target "amdgcn-amd-amdhsa--gfx942' in asm
    llvm = mxc.compile(TILE_KERNEL, emit="llvm", opt_level=0)
    assert "define amdgpu_kernel void @scale" in llvm


def test_code_object_save_and_load(tmp_path, gemm_fp8):
    path = tmp_path / "g.hsaco"
    gemm_fp8.save(path)
    again = mxc.CodeObject.load(path)
    assert again.data == gemm_fp8.data and again.programs == gemm_fp8.programs


@pytest.mark.parametrize("call, message", [
    (lambda: mxc.compile("func.func @f() {\n  %x = arith.bogus\n}"),
     "<string>:2:8: custom op 'arith.bogus' is unknown"),
    (lambda: mxc.compile("/no/such/file.mlir"),
     "cannot open input file '/no/such/file.mlir': No such file or directory"),
    (lambda: mxc.compile(TILE_KERNEL, target="gfx1"),
     "unknown target 'gfx1'; valid targets: gfx950"),
    (lambda: mxc.compile(TILE_KERNEL, emit="obj"),
     "emit must be hsaco, asm, llvm or mlir (got 'obj')"),
    (lambda: mxc.compile(TILE_KERNEL, opt_level=4),
     "opt_level=4: expected a whole number from 0 to 3"),
    (lambda: mxc.gemm(a_format="e9m9", b_format="e4m3", n=64, k=64),
     "a_format and b_format must each be one of e4m3, e5m2, e2m3, e3m2, e2m1 "
     "(got 'e9m9' and 'e4m3')"),
    (lambda: mxc.gemm(a_format="e4m3", b_format="e4m3", n=64, k=33),
     "k=33: K must be a multiple of 32 (the MX block size)"),
    (lambda: mxc.gemm(a_format="e4m3", b_format="e4m3", n=0, k=64),
     "n=0: expected a whole number from 1 to"),
    (lambda: mxc.gemm(a_format="e4m3", b_format="e4m3", n=64, k=64, b_layout="mn"),
     "b_layout must be nk or kn (got 'mn')"),
    (lambda: mxc.gemm(a_format="e4m3", b_format="e4m3", n=64, k=64, config="tile=1x1"),
     "config: "),
    (lambda: mxc.gemm(a_format="e4m3", b_format="e4m3", n=64, k=64, m_buckets=(256, 16)),
     "m_buckets=(256, 16): bounds must ascend; 16 follows 256"),
    (lambda: mxc.gemm(a_format="e4m3", b_format="e4m3", n=64, k=64, m=0),
     "m=0: expected a whole number from 1 to 2147483647"),
    (lambda: mxc.quantize(format="e4m3", k=64, in_type="f64"),
     "in_type must be bf16, f16 or f32 (got 'f64')"),
    (lambda: mxc.swiglu(i=40),
     "mxc.swiglu(i=40, layout='interleaved'): 'mx.swiglu' op has I = 40; its kernel needs a "
     "positive multiple of 16"),
    (lambda: mxc.swiglu(i=64, limit=-1.0, out="e4m3"),
     "mxc.swiglu(i=64, limit=-1, layout='interleaved', out='e4m3'): 'mx.swiglu' op limit is"),
    (lambda: mxc.swiglu(i=64, beta=1e39), "beta=1e+39: expected a finite number"),
    (lambda: mxc.swiglu(i=64, alpha="x"), "alpha='x': expected a finite number"),
    (lambda: mxc.swiglu(i=0), "i=0: expected a whole number from 1 to"),
    (lambda: mxc.swiglu(i=64, layout="diagonal"),
     "layout must be split or interleaved (got 'diagonal')"),
    (lambda: mxc.rmsnorm(h=48, out="e4m3"),
     "mxc.rmsnorm(h=48, out='e4m3'): 'mx.rmsnorm' op fused quantize width H is 48"),
    (lambda: mxc.rmsnorm(h=64, eps=-1.0), "'mx.rmsnorm' op eps is -1.000000e+00"),
    (lambda: mxc.rmsnorm(h=64, out="e9m9"),
     "out must be bf16, f16, f32 or an MX format (e4m3, e5m2, e2m3, e3m2, e2m1) (got 'e9m9')"),
    (lambda: mxc.rmsnorm(h=64, rounding="up"), "rounding must be ceil or floor (got 'up')"),
    (lambda: mxc.gemm(a_format="e4m3", b_format="e4m3", n=64, k=64, ld_lld="/no/ld.lld"),
     "cannot run the linker '/no/ld.lld'"),
])
def test_errors_are_one_line(call, message):
    with pytest.raises(mxc.CompileError) as error:
        call()
    text = str(error.value)
    assert message in text and "\n" not in text


def test_error_in_a_file_names_its_line(tmp_path):
    path = tmp_path / "bad.mlir"
    path.write_text("func.func @f(%x: memref<4xf32>) {\n  return %x : memref<4xf32>\n}\n")
    with pytest.raises(mxc.CompileError, match=rf"^{path}:2:3: "):
        mxc.compile(path)


def test_unknown_option_is_a_type_error():
    with pytest.raises(TypeError, match="unexpected keyword argument 'optlevel'"):
        mxc.gemm(a_format="e4m3", b_format="e4m3", n=64, k=64, optlevel=2)


def test_importing_mxc_loads_no_llvm():
    # The runtime alone needs only libmxrt; the compiler loads on first use.
    probe = ("import mxc, sys\n"
             "maps = open('/proc/self/maps').read()\n"
             "print('mxc._compiler' in sys.modules, 'libLLVM' in maps, 'libMLIR' in maps)\n"
             "mxc.gemm\n"
             "print('mxc._compiler' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True, env=os.environ).stdout.split("\n")
    assert out[0] == "False False False" and out[1] == "True"
