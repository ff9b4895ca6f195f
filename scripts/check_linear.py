#!/usr/bin/env python3
"""Runs a compiled mx.scaled_matmul program in the simulator and checks it.

Usage: check_linear.py --mxc BIN --mxc-run BIN --src FILE.mlir --hsaco FILE --m M
                       [--expect-kernel NAME]

Reads the operand shapes and formats from the function signature, makes
random MX inputs, runs the program through its launch plan (mxc-run --plan
M=..., which picks the variant for M) on sim:gfx950 and compares C with a
NumPy reference written from SPEC.md (Formats, Scaled matmul): every bf16
output within 2^-8 |ref| + 2^-20 sum|a b|. The kernel named in the report
is the one `mxc --print-launch M=...` says the plan runs; --expect-kernel
fails the check when it is another.
"""
import argparse, os, re, subprocess, sys, tempfile
import numpy as np

FORMATS = {  # name: (bits, exponent bits, mantissa bits, bias)
    "f8E4M3FN": (8, 4, 3, 7), "f8E5M2": (8, 5, 2, 15),
    "f6E2M3FN": (6, 2, 3, 1), "f6E3M2FN": (6, 3, 2, 3), "f4E2M1FN": (4, 2, 1, 1)}

def decode(fmt, codes):
    bits, e, m, bias = FORMATS[fmt]
    sign = (codes >> (bits - 1)) & 1
    exp = (codes >> m) & ((1 << e) - 1)
    man = codes & ((1 << m) - 1)
    sub = np.ldexp(man.astype(np.float64), 1 - bias - m)
    nrm = np.ldexp(1.0 + man / float(1 << m), exp.astype(np.int64) - bias)
    return np.where(sign == 1, -1.0, 1.0) * np.where(exp == 0, sub, nrm)

def special(fmt, codes):
    if fmt == "f8E4M3FN": return (codes & 0x7F) == 0x7F
    if fmt == "f8E5M2": return ((codes >> 2) & 0x1F) == 0x1F
    return np.zeros(codes.shape, bool)

def random_codes(rng, fmt, shape):
    bits = FORMATS[fmt][0]
    codes = rng.integers(0, 1 << bits, size=shape, dtype=np.int64)
    while special(fmt, codes).any():
        bad = special(fmt, codes)
        codes[bad] = rng.integers(0, 1 << bits, size=int(bad.sum()))
    return codes

def pack(fmt, codes):
    """Row-major codes [rows, K] as the dialect stores them."""
    bits = FORMATS[fmt][0]
    rows, k = codes.shape
    flat = np.zeros((rows, k * bits), np.uint8)
    for j in range(bits):
        flat[:, j::bits] = (codes >> j) & 1
    return np.packbits(flat, axis=1, bitorder="little").tobytes()

def bf16_to_f64(raw):
    return (raw.astype(np.uint32) << 16).view(np.float32).astype(np.float64)

def main():
    ap = argparse.ArgumentParser()
    for a in ("--mxc", "--mxc-run", "--src", "--hsaco"): ap.add_argument(a, required=True)
    ap.add_argument("--m", type=int, required=True)
    ap.add_argument("--expect-kernel")
    args = ap.parse_args()
    text = open(args.src).read()
    sig = re.search(r"func\.func @(\w+)\((.*?)\)\s*\{", text, re.S)
    memrefs = re.findall(r"memref<([^>]*)>", sig.group(2))
    dims = [m.split("x") for m in memrefs]
    a_fmt, k = dims[0][2], int(dims[0][1])
    n, b_fmt = int(dims[2][0]), dims[2][2]
    has_bias = len(memrefs) == 6
    assert dims[-1][2] == "bf16", "this check reads bf16 outputs"
    M = args.m
    rng = np.random.default_rng(2026)
    ca, cb = random_codes(rng, a_fmt, (M, k)), random_codes(rng, b_fmt, (n, k))
    sa = rng.integers(118, 134, size=(M, k // 32)).astype(np.uint8)
    sb = rng.integers(118, 134, size=(n, k // 32)).astype(np.uint8)
    bias = (rng.integers(-32, 32, size=n) / 8.0).astype(np.float32)

    launch = subprocess.run([args.mxc, args.src, "--print-launch", f"M={M}"],
                            capture_output=True, text=True, check=True).stdout
    lm = re.search(r"^(\w+): grid (\S+) block (\S+) lds (\d+) config (\S+)$", launch, re.M)
    kernel, grid, block, _, config = lm.groups()
    if args.expect_kernel and kernel != args.expect_kernel:
        print(f"the plan runs {kernel} for M={M}, expected {args.expect_kernel}: FAIL")
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        def put(name, data):
            path = os.path.join(tmp, name)
            open(path, "wb").write(data)
            return path
        run = [args.mxc_run, "--device", "sim:gfx950", args.hsaco, "--plan", f"M={M}",
               "--arg", "in:" + put("a", pack(a_fmt, ca)), "--arg", "in:" + put("sa", sa.tobytes()),
               "--arg", "in:" + put("b", pack(b_fmt, cb)), "--arg", "in:" + put("sb", sb.tobytes())]
        if has_bias:
            run += ["--arg", "in:" + put("bias", bias.tobytes())]
        out = os.path.join(tmp, "c")
        run += ["--arg", f"out:{out}:{M * n * 2}"]
        subprocess.run(run, check=True)
        got = bf16_to_f64(np.frombuffer(open(out, "rb").read(), np.uint16).reshape(M, n))

    a = decode(a_fmt, ca) * np.ldexp(1.0, np.repeat(sa.astype(np.int64) - 127, 32, axis=1))
    b = decode(b_fmt, cb) * np.ldexp(1.0, np.repeat(sb.astype(np.int64) - 127, 32, axis=1))
    ref = a @ b.T + (bias.astype(np.float64) if has_bias else 0.0)
    magnitude = np.abs(a) @ np.abs(b).T
    bound = 2.0**-8 * np.abs(ref) + 2.0**-20 * magnitude
    bad = np.abs(got - ref) > bound
    relerr = np.linalg.norm(got - ref) / np.linalg.norm(ref)
    name = sig.group(1)
    print(f"{name}: {a_fmt} x {b_fmt}, M={M} N={n} K={k}, kernel {kernel} ({config}), "
          f"grid {grid} block {block}: relerr {relerr:.2e}, "
          f"{M * n - int(bad.sum())}/{M * n} outputs within bf16 rounding: "
          + ("PASS" if not bad.any() else "FAIL"))
    return 1 if bad.any() else 0

if __name__ == "__main__":
    sys.exit(main())
