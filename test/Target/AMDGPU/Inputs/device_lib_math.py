"""Inputs and reference check for device-libs-sim.mlir.

`device_lib_math.py write X.bin` writes 64 f32 inputs; `device_lib_math.py
check X.bin Y.bin` checks the kernel's outputs (rsqrt(|x|), atan(x),
atan2(x, x[63 - i]) for each lane i) against Python's math module within the
OpenCL C accuracy that ocml meets (ulps of f32: rsqrt 2, atan 5, atan2 6).
"""
import math
import struct
import sys

N = 64


def inputs():
    # Alternating signs over magnitudes from 1e-16 to 1e15, and zero.
    xs = [(-1.0) ** i * 1.37 * 10.0 ** ((i - 32) / 2) for i in range(N)]
    xs[5] = 0.0
    return [struct.unpack("<f", struct.pack("<f", x))[0] for x in xs]


def ulp(value):
    """The spacing of f32 numbers at `value`."""
    value = abs(value)
    if value == 0.0:
        return 2.0**-149
    exponent = max(math.frexp(value)[1] - 24, -149)
    return 2.0**exponent


def main():
    if sys.argv[1] == "write":
        with open(sys.argv[2], "wb") as f:
            f.write(struct.pack("<%df" % N, *inputs()))
        return 0
    xs = inputs()
    with open(sys.argv[3], "rb") as f:
        ys = struct.unpack("<%df" % (3 * N), f.read())
    failures = 0
    for name, offset, tolerance, reference in (
        ("rsqrt", 0, 2, lambda i: math.inf if xs[i] == 0 else 1 / math.sqrt(abs(xs[i]))),
        ("atan", N, 5, lambda i: math.atan(xs[i])),
        ("atan2", 2 * N, 6, lambda i: math.atan2(xs[i], xs[N - 1 - i])),
    ):
        for i in range(N):
            want, got = reference(i), ys[offset + i]
            if math.isinf(want):
                ok = got == want
            else:
                ok = abs(got - want) <= tolerance * ulp(want)
            if not ok:
                print("%s lane %d: got %r, want %r" % (name, i, got, want))
                failures += 1
    print("checked %d values, %d wrong" % (3 * N, failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
