//===- MxAttrs.td - mx dialect attributes ------------------*- tablegen -*-===//
//
// Part of mxc.
//
//===----------------------------------------------------------------------===//

#ifndef MXC_DIALECT_MX_MXATTRS_TD
#define MXC_DIALECT_MX_MXATTRS_TD

include "MxDialect.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

def Mx_ScaleRoundingCeil : I32EnumAttrCase<"ceil", 0>;
def Mx_ScaleRoundingFloor : I32EnumAttrCase<"floor", 1>;
def Mx_ScaleRounding : I32EnumAttr<"ScaleRounding",
    "how a block's E8M0 scale is derived from its absolute maximum",
    [Mx_ScaleRoundingCeil, Mx_ScaleRoundingFloor]> {
  let cppNamespace = "::mxc::mx";
  let genSpecializedAttr = 0;
}
def Mx_ScaleRoundingAttr : EnumAttr<Mx_Dialect, Mx_ScaleRounding, "rounding"> {
  let summary = "E8M0 scale rounding: `ceil` (no saturation; vLLM, triton_kernels) "
                "or `floor` (OCP / microxcaling; saturates)";
  let assemblyFormat = "`<` $value `>`";
}

def Mx_BLayoutNK : I32EnumAttrCase<"nk", 0>;
def Mx_BLayoutKN : I32EnumAttrCase<"kn", 1>;
def Mx_BLayout : I32EnumAttr<"BLayout", "storage order of a matmul's B operand",
    [Mx_BLayoutNK, Mx_BLayoutKN]> {
  let cppNamespace = "::mxc::mx";
  let genSpecializedAttr = 0;
}
def Mx_BLayoutAttr : EnumAttr<Mx_Dialect, Mx_BLayout, "b_layout"> {
  let summary = "B stored as `[N, K]` (`nk`, weights as in nn.Linear) or `[K, N]` (`kn`)";
  let assemblyFormat = "`<` $value `>`";
}

def Mx_SwigluLayoutInterleaved : I32EnumAttrCase<"interleaved", 0>;
def Mx_SwigluLayoutSplit : I32EnumAttrCase<"split", 1>;
def Mx_SwigluLayout : I32EnumAttr<"SwigluLayout",
    "where gate and up sit in a SwiGLU input row",
    [Mx_SwigluLayoutInterleaved, Mx_SwigluLayoutSplit]> {
  let cppNamespace = "::mxc::mx";
  let genSpecializedAttr = 0;
}
def Mx_SwigluLayoutAttr : EnumAttr<Mx_Dialect, Mx_SwigluLayout, "swiglu_layout"> {
  let summary = "`interleaved`: gate = x[:, 0::2], up = x[:, 1::2] (gpt-oss); "
                "`split`: gate = x[:, :I], up = x[:, I:] (MiniMax-M3)";
  let assemblyFormat = "`<` $value `>`";
}

def Mx_GatherToken : I32EnumAttrCase<"token", 0>;
def Mx_GatherPair : I32EnumAttrCase<"pair", 1>;
def Mx_Gather : I32EnumAttr<"Gather", "which row of A a (token, k) pair reads",
    [Mx_GatherToken, Mx_GatherPair]> {
  let cppNamespace = "::mxc::mx";
  let genSpecializedAttr = 0;
}
def Mx_GatherAttr : EnumAttr<Mx_Dialect, Mx_Gather, "gather"> {
  let summary = "`token`: A has one row per token, pair i reads row i / top_k; "
                "`pair`: A has one row per pair, pair i reads row i";
  let assemblyFormat = "`<` $value `>`";
}

//===----------------------------------------------------------------------===//
// Kernel configurations
//===----------------------------------------------------------------------===//

// Numbered as mxc::amdgpu::MatrixInstruction, whose table rows give each
// one's shape, chips and lane layouts.
def Mx_MfmaScale32x32x64 : I32EnumAttrCase<"mfma_scale_f32_32x32x64_f8f6f4", 0>;
def Mx_MfmaScale16x16x128 : I32EnumAttrCase<"mfma_scale_f32_16x16x128_f8f6f4", 1>;
def Mx_Mfma32x32x16Bf16 : I32EnumAttrCase<"mfma_f32_32x32x16_bf16", 2>;
def Mx_Mfma16x16x32Bf16 : I32EnumAttrCase<"mfma_f32_16x16x32_bf16", 3>;
def Mx_Mfma32x32x8Bf16 : I32EnumAttrCase<"mfma_f32_32x32x8_bf16_1k", 4>;
def Mx_Mfma16x16x16Bf16 : I32EnumAttrCase<"mfma_f32_16x16x16_bf16_1k", 5>;
def Mx_WmmaR3Bf16 : I32EnumAttrCase<"wmma_r3_f32_16x16x16_bf16", 6>;
def Mx_WmmaR4Bf16 : I32EnumAttrCase<"wmma_r4_f32_16x16x16_bf16", 7>;
def Mx_MatrixInstruction : I32EnumAttr<"MatrixInstruction",
    "an AMDGPU matrix instruction",
    [Mx_MfmaScale32x32x64, Mx_MfmaScale16x16x128, Mx_Mfma32x32x16Bf16,
     Mx_Mfma16x16x32Bf16, Mx_Mfma32x32x8Bf16, Mx_Mfma16x16x16Bf16,
     Mx_WmmaR3Bf16, Mx_WmmaR4Bf16]> {
  let cppNamespace = "::mxc::mx";
  let genSpecializedAttr = 0;
}

def Mx_GemmConfigAttr : AttrDef<Mx_Dialect, "GemmConfig"> {
  let mnemonic = "gemm_config";
  let summary = "How a scaled matmul is tiled onto workgroups, waves and "
                "matrix instructions";
  let description = [{
    Chosen by `mx-select-config` (or forced with its `config` option) and
    read by the target lowering. Each workgroup computes a `tile_m x tile_n`
    block of C with `waves_m x waves_n` waves; each wave a
    `(tile_m / waves_m) x (tile_n / waves_n)` block made of the M x N tiles of
    matrix instruction `instruction` (gfx950: `mfma_scale_f32_32x32x64_f8f6f4`
    or `mfma_scale_f32_16x16x128_f8f6f4`, `v_mfma_scale_f32_*`). The K loop advances `tile_k` per
    iteration, staged through LDS; `prefetch = p` gives the LDS tiles p + 1
    buffers, so the global loads of the next p steps are in flight while
    one step's matrix instructions run.

    ```mlir
    #mx.gemm_config<instruction = mfma_scale_f32_32x32x64_f8f6f4,
                    tile_m = 256, tile_n = 256, tile_k = 128,
                    waves_m = 2, waves_n = 2, prefetch = 1>
    ```

    The verifier holds every config to what a kernel can be, whatever the
    chip (the chip's own limits are checked where a config meets a matmul):
    - `instruction` is a scaled MFMA (the instructions a scaled-matmul
      kernel multiplies with);
    - `waves_m x waves_n` is 1 to 16 waves (a workgroup holds at most 1024
      lanes, 64 per wave);
    - `tile_m` is a positive multiple of `waves_m x M`, `tile_n` of
      `waves_n x N` (the instruction's M x N);
    - a wave's C tile, `(tile_m / waves_m) x (tile_n / waves_n)`, fits the
      256 accumulator registers of its 64 lanes (at most 16384 elements);
    - `tile_k` is a positive multiple of 128 (four scale blocks, one scale
      dword) and at most 32 matrix instructions deep (2048 for 32x32x64,
      4096 for 16x16x128): deeper steps' operands alone outgrow 256 registers;
    - `prefetch` is 0 to 3 (more than 1 needs operands loaded straight into
      LDS, checked where the config meets a matmul).
  }];
  let parameters = (ins EnumParameter<Mx_MatrixInstruction>:$instruction,
                        "unsigned":$tile_m,
                        "unsigned":$tile_n, "unsigned":$tile_k,
                        "unsigned":$waves_m, "unsigned":$waves_n,
                        "unsigned":$prefetch);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// Why these parameters describe no kernel, or "" when they do: the
    /// rules verify() enforces, for callers that hold plain numbers (the cost
    /// model's candidates).
    static std::string checkParameters(MatrixInstruction instruction,
                                       unsigned tileM,
                                       unsigned tileN, unsigned tileK,
                                       unsigned wavesM, unsigned wavesN,
                                       unsigned prefetch);
  }];
}

include "MxLaunchAttrs.td"

#endif // MXC_DIALECT_MX_MXATTRS_TD
