#!/usr/bin/env python3
"""An MXFP8 linear layer, y = x W^T, from Python on mxc's simulator.

bf16 activations x [M, K] are quantized to MXFP8 (E4M3 elements, one E8M0
scale per 32 along K) on the device by mxc's quantize kernel; the bf16
weights W [N, K] are quantized once, offline, in NumPy (mxc.reference); the
GEMM runs the scaled-MFMA kernel mxc builds for gfx950, with a bf16 output.
Both kernels are compiled in this process (mxc.quantize, mxc.gemm) and run
through libmxrt on NumPy arrays. The checks, against NumPy references
written from SPEC.md:
  - the device's activation codes and scales equal NumPy's, bit for bit;
  - y is within bf16 rounding of the exact product of the quantized
    operands (2^-8 |ref| + 2^-20 sum |a b|, SPEC.md's bound);
and it reports how far MXFP8 moves y from the bf16 layer.

  python3 examples/python/mxfp8_linear.py [--m 33] [--n 256] [--k 512] [--device sim:gfx950]

Run it with the package on PYTHONPATH: build/python, or PREFIX/lib/python3.11/site-packages.
"""

import argparse
import sys

import numpy as np

import mxc
from mxc import reference


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--m", type=int, default=33, help="tokens (any M)")
    parser.add_argument("--n", type=int, default=256, help="output features")
    parser.add_argument("--k", type=int, default=512, help="input features (K % 32 == 0)")
    parser.add_argument("--device", default="sim:gfx950")
    args = parser.parse_args()
    m, n, k = args.m, args.n, args.k

    rng = np.random.default_rng(2026)
    x = reference.bf16_bits(rng.standard_normal((m, k), dtype=np.float32))
    w = reference.bf16_bits(rng.standard_normal((n, k), dtype=np.float32) / np.sqrt(k))

    # Offline: the weights' E4M3 codes and scales.
    w_codes, w_scales = reference.quantize(reference.bf16_to_float32(w), "e4m3")
    w_packed = reference.pack(w_codes, "e4m3")

    # Compile both kernels in process: M is a runtime size of each.
    quantize = mxc.quantize(format="e4m3", k=k)
    linear = mxc.gemm(a_format="e4m3", b_format="e4m3", n=n, k=k, out="bf16", m=m)
    print(f"compiled {quantize.name} ({len(quantize)} bytes) and {linear.name} "
          f"({len(linear)} bytes) for {linear.chip}")

    with mxc.Device(args.device) as device:
        x_codes = np.empty((m, k), np.uint8)
        x_scales = np.empty((m, k // 32), np.uint8)
        device.load(quantize).run("quantize", x, x_codes, x_scales)
        y = np.empty((m, n), np.uint16)  # bf16 bits
        device.load(linear).run("gemm", x_codes, x_scales, w_packed, w_scales, y)

    ok = True
    expected_codes, expected_scales = reference.quantize(reference.bf16_to_float32(x), "e4m3")
    same = (np.array_equal(x_codes, reference.pack(expected_codes, "e4m3"))
            and np.array_equal(x_scales, expected_scales))
    print(f"activation quantize on {args.device}: {'bit-exact' if same else 'DIFFERS'} "
          f"against NumPy")
    ok &= same

    a = reference.unpack(x_codes, "e4m3", k)
    exact = reference.scaled_matmul(a, x_scales, "e4m3", w_codes, w_scales, "e4m3")
    magnitude = (np.abs(reference.dequantize(a, x_scales, "e4m3"))
                 @ np.abs(reference.dequantize(w_codes, w_scales, "e4m3")).T)
    got = reference.bf16_to_float32(y).astype(np.float64)
    bound = 2.0**-8 * np.abs(exact) + 2.0**-20 * magnitude
    outside = int((np.abs(got - exact) > bound).sum())
    print(f"GEMM [{m}x{k}] x [{n}x{k}]^T: {outside} of {m * n} outputs outside bf16 rounding "
          f"of the exact MXFP8 product (max error {np.abs(got - exact).max():.3g})")
    ok &= outside == 0

    full = reference.bf16_to_float32(x).astype(np.float64) @ reference.bf16_to_float32(w).T
    error = np.linalg.norm(got - full) / np.linalg.norm(full)
    print(f"MXFP8 against the bf16 layer: relative error {error:.4f}")

    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
