#!/usr/bin/env python3
"""Writes a corpus of malformed code objects made from one good mxc HSACO.

Usage: make_bad_code_objects.py GOOD.hsaco OUT_DIR

Each file breaks one thing a loader relies on; tests check that every one
gives an error naming what is wrong (never a crash). The good object must
come from `mxc gemm` (kernel gemm_scaled_matmul, with a launch plan).
"""
import os
import struct
import sys


def replace_once(data, old, new):
    assert len(old) == len(new), (old, new)
    at = data.find(old)
    assert at >= 0, old
    return data[:at] + new + data[at + len(old):]


def sections(data):
    """(name, type, offset, size) of every section."""
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
    headers = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize)
               for i in range(shnum)]
    strtab = headers[shstrndx][4]
    out = []
    for h in headers:
        name = data[strtab + h[0]:data.index(b"\0", strtab + h[0])].decode()
        out.append((name, h[1], h[4], h[5]))
    return out


def note_at(data, section):
    """Offset of the first note's header in `section`."""
    for name, _, offset, _ in sections(data):
        if name == section:
            return offset
    raise KeyError(section)


def main(good_path, out_dir):
    good = open(good_path, "rb").read()
    os.makedirs(out_dir, exist_ok=True)
    bad = {}
    bad["empty"] = b""
    bad["text"] = b"this is not a code object\n"
    bad["truncated-header"] = good[:40]
    bad["truncated-half"] = good[:len(good) // 2]
    machine = bytearray(good)
    struct.pack_into("<H", machine, 0x12, 62)  # EM_X86_64
    bad["wrong-machine"] = bytes(machine)
    elf32 = bytearray(good)
    elf32[4] = 1  # ELFCLASS32
    bad["wrong-class"] = bytes(elf32)
    osabi = bytearray(good)
    osabi[7] = 0  # ELFOSABI_NONE
    bad["wrong-osabi"] = bytes(osabi)
    rel = bytearray(good)
    struct.pack_into("<H", rel, 0x10, 1)  # ET_REL
    bad["relocatable"] = bytes(rel)
    flags = bytearray(good)
    struct.pack_into("<I", flags, 0x30, 0x3ff)  # no such processor
    bad["unknown-processor"] = bytes(flags)

    # The AMDGPU metadata note: header (namesz, descsz, type), "AMDGPU\0\0".
    meta = note_at(good, ".note")
    no_meta = bytearray(good)
    struct.pack_into("<I", no_meta, meta + 8, 33)  # another note type
    bad["no-metadata-note"] = bytes(no_meta)
    huge = bytearray(good)
    struct.pack_into("<I", huge, meta + 4, 0x7fffff00)
    bad["note-overruns-section"] = bytes(huge)
    garbage = bytearray(good)
    garbage[meta + 20:meta + 24] = b"\xc1\xc1\xc1\xc1"  # never-used MessagePack byte
    bad["metadata-not-msgpack"] = bytes(garbage)
    bad["metadata-field-missing"] = replace_once(
        good, b".kernarg_segment_size", b".kernarg_segment_sizX")
    wrong_type = bytearray(good)
    # The count is a positive fixint (one byte) or a uint8 (0xcc, then the
    # byte); a string of the same length replaces it.
    key = good.find(b"\xab.vgpr_count")
    assert key >= 0
    if good[key + 12] < 0x80:
        wrong_type[key + 12] = 0xA0  # an empty string
    else:
        assert good[key + 12] == 0xCC
        wrong_type[key + 12:key + 14] = b"\xa1x"  # the string "x"
    bad["metadata-field-wrong-type"] = bytes(wrong_type)
    bad["target-mismatch"] = replace_once(
        good, b"amdgcn-amd-amdhsa--gfx950", b"amdgcn-amd-amdhsa--gfx942")

    # The kernel's descriptor symbol, renamed in the dynamic string table.
    bad["kernel-symbol-absent"] = replace_once(
        good, b"gemm_scaled_matmul.kd\0", b"gemm_scaled_matmul.kX\0")

    # mxc's launch plan note comes first, so its strings are found first.
    plan = note_at(good, ".note.mxc.plan")
    assert good[plan + 12:plan + 16] == b"mxc\0"
    bad["plan-unknown-kernel"] = replace_once(
        good, b"gemm_scaled_matmul", b"gemm_scaled_matmuX")
    bad["plan-future-version"] = replace_once(
        good, b"mxc.version\x92\x02", b"mxc.version\x92\x03")
    bad["plan-not-msgpack"] = (good[:plan + 16] + b"\xc1" +
                               good[plan + 17:])
    # The embedded bitcode (the simulator runs it): one byte of it changed,
    # and its checksum's section renamed away.
    _, _, bc_offset, bc_size = next(s for s in sections(good) if s[0] == ".llvmbc")
    corrupt = bytearray(good)
    corrupt[bc_offset + bc_size // 2] ^= 0xFF
    bad["bitcode-corrupt"] = bytes(corrupt)
    bad["bitcode-no-checksum"] = replace_once(
        good, b".mxc.llvmbc.xxh3\0", b".mxc.llvmbc.xxhX\0")
    for name, data in bad.items():
        with open(os.path.join(out_dir, name + ".hsaco"), "wb") as f:
            f.write(data)
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print(__doc__)
        sys.exit(2)
    sys.exit(main(sys.argv[1], sys.argv[2]))
