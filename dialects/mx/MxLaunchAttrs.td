//===- MxLaunchAttrs.td - mx launch plan attributes --------*- tablegen -*-===//
//
// Part of mxc. What the lowering of an mx op says about running it: the
// kernels it built, their grids and arguments in terms of the op's buffers
// and named runtime sizes, and which variant serves which sizes. The Driver
// serializes these into a code object's launch plan (docs/code-objects.md).
//
//===----------------------------------------------------------------------===//

#ifndef MXC_DIALECT_MX_MXLAUNCHATTRS_TD
#define MXC_DIALECT_MX_MXLAUNCHATTRS_TD

include "MxDialect.td"
include "mlir/IR/AttrTypeBase.td"

def Mx_RuntimeSizeAttr : AttrDef<Mx_Dialect, "RuntimeSize"> {
  let mnemonic = "runtime_size";
  let summary = "A named runtime size and the buffer extents that equal it";
  let description = [{
    `#mx.runtime_size<M = a[0], a_scales[0], c[0]>`: size `M` is extent 0 of
    the buffers named `a`, `a_scales` and `c` of the enclosing
    `mx.launch_plan`; each of these extents is dynamic.
  }];
  let parameters = (ins "::mlir::StringAttr":$name,
                        ArrayRefParameter<"::mxc::mx::BufferExtent">:$extents);
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
}

def Mx_KernelLaunchAttr : AttrDef<Mx_Dialect, "KernelLaunch"> {
  let mnemonic = "kernel_launch";
  let summary = "One kernel launch of a launch plan variant";
  let description = [{
    ```mlir
    #mx.kernel_launch<@mx_kernels::@f_scaled_matmul,
        grid [8, ceildiv(M, 256), 1], block [512, 1, 1], lds 0,
        args [a, a_scales, b, b_scales, c, M : i32],
        config #mx.gemm_config<...>>
    ```
    - the kernel, a symbol of a `gpu.func` (or the `llvm.func` it became);
    - each grid dimension a constant from 1 to 2^32 - 1 or `ceildiv(SIZE, D)`
      with `D >= 1`: one workgroup per `D` of the runtime size `SIZE`;
    - the block, 1 to 1024 lanes in all; the dynamic LDS bytes;
    - the kernel's arguments in order: a buffer's name (its base pointer,
      8 bytes), `SIZE : i32|i64` (a runtime size as a 4- or 8-byte integer)
      or `VALUE : i32|i64` (a constant);
    - optionally the config the kernel was built with (for messages).
  }];
  let parameters = (ins "::mlir::SymbolRefAttr":$kernel,
                        ArrayRefParameter<"::mxc::mx::GridExtent">:$grid,
                        ArrayRefParameter<"int64_t">:$block,
                        "int64_t":$lds_bytes,
                        ArrayRefParameter<"::mxc::mx::KernelArg">:$args,
                        OptionalParameter<"::mlir::Attribute">:$config);
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
}

def Mx_LaunchVariantAttr : AttrDef<Mx_Dialect, "LaunchVariant"> {
  let mnemonic = "launch_variant";
  let summary = "The launches that run an op for runtime sizes in given ranges";
  let description = [{
    `#mx.launch_variant<when [M in [0, 16]], launches [#mx.kernel_launch<...>, ...]>`:
    the launches, in order, that carry out the op when every listed size lies
    in its (inclusive) range; `when []` holds for all sizes. A variant may be
    a sequence of launches (a GEMM and then a split-K reduction) or none (an
    op with nothing to compute).
  }];
  let parameters = (ins ArrayRefParameter<"::mxc::mx::SizeRange">:$when,
                        ArrayRefParameter<"::mxc::mx::KernelLaunchAttr">:$launches);
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
}

def Mx_GemmVariantAttr : AttrDef<Mx_Dialect, "GemmVariant"> {
  let mnemonic = "gemm_variant";
  let summary = "The kernel config a scaled matmul uses for M in a range";
  let description = [{
    `mx-select-config` gives a scaled matmul with dynamic M one config per M
    bucket as the discardable attribute `mx.variants`, an array of these
    (see `mx-select-config`); the lowering builds one kernel per entry.

    ```mlir
    #mx.gemm_variant<m = [0, 16] : #mx.gemm_config<instruction = mfma_scale_f32_16x16x128_f8f6f4, ...>>
    ```
  }];
  let parameters = (ins "int64_t":$min_m, "int64_t":$max_m,
                        "::mxc::mx::GemmConfigAttr":$config);
  let assemblyFormat = "`<` `m` `=` `[` $min_m `,` $max_m `]` `:` qualified($config) `>`";
  let genVerifyDecl = 1;
}

#endif // MXC_DIALECT_MX_MXLAUNCHATTRS_TD
