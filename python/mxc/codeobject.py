"""Code objects: the bytes mxc writes, with their kernels and launch plan
read back from the ELF notes (by the LLVM-free reader libmxrt uses)."""

import dataclasses
import os
import re
from typing import Dict, Tuple

from . import _runtime


@dataclasses.dataclass(frozen=True)
class KernelArg:
    name: str
    kind: str  # "pointer" or "value"
    offset: int
    size: int


@dataclasses.dataclass(frozen=True)
class Kernel:
    name: str
    args: Tuple[KernelArg, ...]
    vgprs: int
    agprs: int
    sgprs: int
    vgpr_spills: int
    sgpr_spills: int
    static_lds_bytes: int
    scratch_bytes: int
    wavefront_size: int


@dataclasses.dataclass(frozen=True)
class Param:
    """A program parameter: a buffer the caller passes."""

    type: str  # the MLIR type, "memref<?x512xf8E4M3FN>"
    shape: Tuple[int, ...]  # a dynamic extent is -1 - (its size's index)
    element_bits: int  # 4 for packed E2M1

    @property
    def element_type(self) -> str:
        """The MLIR element type ("f8E4M3FN", "bf16", "f32")."""
        match = re.match(r"memref<(?:[?\d]+x)*([^,>]+)", self.type)
        return match.group(1) if match else ""

    def nbytes(self, sizes) -> int:
        """Bytes the buffer holds for runtime sizes ``sizes`` (one per
        program size, in order)."""
        elements = 1
        for extent in self.shape:
            elements *= max(extent if extent >= 0 else sizes[-1 - extent], 0)
        return (elements * self.element_bits + 7) // 8


@dataclasses.dataclass(frozen=True)
class Size:
    """A runtime size: extent ``dim`` of parameter ``param``."""

    name: str
    param: int
    dim: int


@dataclasses.dataclass(frozen=True)
class Launch:
    kernel: str
    grid: Tuple[dict, dict, dict]  # per dimension: constant, or ceil(size / divisor)
    block: Tuple[int, int, int]
    dynamic_lds_bytes: int
    config: str


@dataclasses.dataclass(frozen=True)
class Variant:
    when: str  # "M in [0, 16]", or "any sizes"
    launches: Tuple[Launch, ...]


@dataclasses.dataclass(frozen=True)
class Dispatch:
    op: str
    variants: Tuple[Variant, ...]


@dataclasses.dataclass(frozen=True)
class Program:
    """A func.func the host calls: its parameters, runtime sizes and, per mx
    op, the kernels that carry it out (docs/code-objects.md)."""

    name: str
    params: Tuple[Param, ...]
    sizes: Tuple[Size, ...]
    dispatches: Tuple[Dispatch, ...]


def _program(p: dict) -> Program:
    return Program(
        name=p["name"],
        params=tuple(Param(q["type"], tuple(q["shape"]), q["element_bits"]) for q in p["params"]),
        sizes=tuple(Size(s["name"], s["param"], s["dim"]) for s in p["sizes"]),
        dispatches=tuple(
            Dispatch(
                d["op"],
                tuple(
                    Variant(
                        v["when"],
                        tuple(
                            Launch(l["kernel"], tuple(l["grid"]), tuple(l["block"]),
                                   l["dynamic_lds_bytes"], l["config"])
                            for l in v["launches"]
                        ),
                    )
                    for v in d["variants"]
                ),
            )
            for d in p["dispatches"]
        ),
    )


class CodeObject:
    """An HSACO code object and what it says about itself.

    ``data`` is the ELF file; ``chip`` the processor it runs on; ``kernels``
    and ``programs`` (by name) its kernels and launch plan. Raises MxrtError
    when the bytes are not a code object.
    """

    def __init__(self, data: bytes, name: str = "<code object>"):
        self.data = bytes(data)
        self.name = name
        info = _runtime.read_code_object(self.data, name)
        self.chip: str = info["chip"]
        self.target_id: str = info["target_id"]
        self.kernels: Dict[str, Kernel] = {
            k["name"]: Kernel(
                name=k["name"],
                args=tuple(KernelArg(**a) for a in k["args"]),
                **{f: k[f] for f in ("vgprs", "agprs", "sgprs", "vgpr_spills", "sgpr_spills",
                                     "static_lds_bytes", "scratch_bytes", "wavefront_size")},
            )
            for k in info["kernels"]
        }
        self.programs: Dict[str, Program] = {p["name"]: _program(p) for p in info["programs"]}

    @classmethod
    def load(cls, path) -> "CodeObject":
        """Reads a code object file (``mxc ... -o FILE.hsaco``)."""
        with open(path, "rb") as f:
            return cls(f.read(), os.fspath(path))

    def save(self, path) -> None:
        """Writes the code object, for mxc-run, libmxrt or mxc inspect."""
        with open(path, "wb") as f:
            f.write(self.data)

    def __bytes__(self) -> bytes:
        return self.data

    def __len__(self) -> int:
        return len(self.data)

    def __repr__(self) -> str:
        return (f"<mxc.CodeObject {self.name} for {self.chip}: {len(self.data)} bytes, "
                f"programs {sorted(self.programs)}, kernels {sorted(self.kernels)}>")
