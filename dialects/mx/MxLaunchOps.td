//===- MxLaunchOps.td - mx launch plan operation -----------*- tablegen -*-===//
//
// Part of mxc.
//
//===----------------------------------------------------------------------===//

#ifndef MXC_DIALECT_MX_MXLAUNCHOPS_TD
#define MXC_DIALECT_MX_MXLAUNCHOPS_TD

include "MxLaunchAttrs.td"
include "mlir/IR/OpBase.td"
include "mlir/IR/SymbolInterfaces.td"

def Mx_LaunchPlanOp : Mx_Op<"launch_plan",
    [DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "How a lowered mx op runs: kernels, grids and arguments as data";
  let description = [{
    What `convert-mx-to-amdgpu` leaves in place of an mx op: the op's buffers
    by name, its runtime sizes (`#mx.runtime_size`), and its variants
    (`#mx.launch_variant`). Running it runs the launches of the first variant
    whose size ranges hold the runtime sizes. The Driver serializes it into
    the code object's launch plan (docs/code-objects.md); nothing about a
    launch is read from other IR.

    ```mlir
    mx.launch_plan "scaled_matmul"(a = %a, a_scales = %sa, b = %b, b_scales = %sb, c = %c)
        sizes [#mx.runtime_size<M = a[0], a_scales[0], c[0]>]
        variants [
          #mx.launch_variant<when [M in [0, 16]], launches [#mx.kernel_launch<@mx_kernels::@f_scaled_matmul_m16, ...>]>,
          #mx.launch_variant<when [M in [17, 2147483647]], launches [#mx.kernel_launch<@mx_kernels::@f_scaled_matmul, ...>]>]
        : memref<?x512xf8E4M3FN>, memref<?x16xf8E8M0FNU>, memref<256x512xf8E4M3FN>,
          memref<256x16xf8E8M0FNU>, memref<?x256xbf16>
    ```

    The verifier checks that every name resolves (buffers, sizes), that
    each size's extents are dynamic, ranges are `0 <= min <= max`, grids,
    blocks and argument widths are ones a launch plan can hold, and that each
    kernel exists and takes arguments of the widths given.
  }];
  let arguments = (ins StrAttr:$source_op,
                       Variadic<AnyMemRef>:$buffers,
                       StrArrayAttr:$buffer_names,
                       TypedArrayAttrBase<Mx_RuntimeSizeAttr, "runtime sizes">:$sizes,
                       TypedArrayAttrBase<Mx_LaunchVariantAttr, "variants">:$variants);
  let assemblyFormat = [{
    $source_op custom<NamedBuffers>($buffers, $buffer_names)
    `sizes` $sizes `variants` $variants attr-dict `:` type($buffers)
  }];
  let extraClassDeclaration = [{
    /// The buffer called `name`, or null.
    ::mlir::Value lookupBuffer(::llvm::StringRef name);
  }];
}

#endif // MXC_DIALECT_MX_MXLAUNCHOPS_TD
