#!/usr/bin/env python3
"""Compares `mxc inspect --json` with `isa_stats.py --json`, field by field."""
import json
import sys

# Not "instructions": isa_stats counts llvm-objdump's whole listing, with the
# s_code_end padding after the last kernel; mxc counts the kernel symbol's
# bytes.
FIELDS = ["kernel", "vgpr_count", "agpr_count", "sgpr_count",
          "vgpr_spill_count", "sgpr_spill_count", "private_segment_fixed_size",
          "group_segment_fixed_size", "waves_per_simd", "matrix_total", "loop"]

mxc, ref = (json.load(open(path)) for path in sys.argv[1:3])
if len(mxc) != len(ref):
    sys.exit(f"{len(mxc)} kernels from mxc, {len(ref)} from isa_stats")
for a, b in zip(mxc, ref):
    for field in FIELDS:
        if a.get(field) != b.get(field):
            sys.exit(f"{a['file']}:{a['kernel']}: {field} differs: "
                     f"mxc {a.get(field)!r}, isa_stats {b.get(field)!r}")
print(f"{len(mxc)} kernels agree")
