// RUN: mxc-opt %s -split-input-file -verify-diagnostics --allow-unregistered-dialect

func.func @unknown_buffer(%a: memref<?x64xf32>) {
  // expected-error @+1 {{size "M" is an extent of "b", which is no buffer of the op}}
  mx.launch_plan "x" (a = %a) sizes [#mx.runtime_size<M = b[0]>]
      variants [#mx.launch_variant<when [], launches []>] : memref<?x64xf32>
  return
}

// -----

func.func @static_extent(%a: memref<?x64xf32>) {
  // expected-error @+1 {{size "N" is extent 1 of "a" ('memref<?x64xf32>'), which is not a dynamic extent}}
  mx.launch_plan "x" (a = %a) sizes [#mx.runtime_size<N = a[1]>]
      variants [#mx.launch_variant<when [], launches []>] : memref<?x64xf32>
  return
}

// -----

func.func @no_variant(%a: memref<?x64xf32>) {
  // expected-error @+1 {{needs at least one variant}}
  mx.launch_plan "x" (a = %a) sizes [] variants [] : memref<?x64xf32>
  return
}

// -----

func.func @unknown_range_size(%a: memref<?x64xf32>) {
  // expected-error @+1 {{variant 0: range of unknown size "K"}}
  mx.launch_plan "x" (a = %a) sizes [#mx.runtime_size<M = a[0]>]
      variants [#mx.launch_variant<when [K in [0, 4]], launches []>] : memref<?x64xf32>
  return
}

// -----

func.func @empty_range(%a: memref<?x64xf32>) {
  // expected-error @+2 {{range "M" in [17, 16] is empty or negative}}
  mx.launch_plan "x" (a = %a) sizes [#mx.runtime_size<M = a[0]>]
      variants [#mx.launch_variant<when [M in [17, 16]], launches []>] : memref<?x64xf32>
  return
}

// -----

func.func @grid_zero(%a: memref<?x64xf32>) {
  // expected-error @+2 {{grid dimension 0 is not in [1, 2^32 - 1]}}
  mx.launch_plan "x" (a = %a) sizes []
      variants [#mx.launch_variant<when [], launches [#mx.kernel_launch<@k::@f, grid [0, 1, 1], block [64, 1, 1], lds 0, args [a]>]>] : memref<?x64xf32>
  return
}

// -----

func.func @divisor_zero(%a: memref<?x64xf32>) {
  // expected-error @+2 {{grid dimension ceildiv("M", 0) needs a divisor of at least 1}}
  mx.launch_plan "x" (a = %a) sizes [#mx.runtime_size<M = a[0]>]
      variants [#mx.launch_variant<when [], launches [#mx.kernel_launch<@k::@f, grid [ceildiv(M, 0), 1, 1], block [64, 1, 1], lds 0, args [a]>]>] : memref<?x64xf32>
  return
}

// -----

func.func @big_block(%a: memref<?x64xf32>) {
  // expected-error @+2 {{block of 2048 lanes; a workgroup holds at most 1024}}
  mx.launch_plan "x" (a = %a) sizes []
      variants [#mx.launch_variant<when [], launches [#mx.kernel_launch<@k::@f, grid [1, 1, 1], block [1024, 2, 1], lds 0, args [a]>]>] : memref<?x64xf32>
  return
}

// -----

func.func @arg_names_no_size(%a: memref<?x64xf32>) {
  // expected-error @+1 {{variant 0: argument 1 of @k::@f names no size: "M"}}
  mx.launch_plan "x" (a = %a) sizes []
      variants [#mx.launch_variant<when [], launches [#mx.kernel_launch<@k::@f, grid [1, 1, 1], block [64, 1, 1], lds 0, args [a, M : i32]>]>] : memref<?x64xf32>
  return
}

// -----

func.func @bad_width(%a: memref<?x64xf32>) {
  // expected-error @+2 {{expected i32 or i64 (a 4- or 8-byte argument), got 'i16'}}
  mx.launch_plan "x" (a = %a) sizes []
      variants [#mx.launch_variant<when [], launches [#mx.kernel_launch<@k::@f, grid [1, 1, 1], block [64, 1, 1], lds 0, args [a, 3 : i16]>]>] : memref<?x64xf32>
  return
}

// -----

module attributes {gpu.container_module} {
  func.func @arg_count(%a: memref<?x64xf32>) {
    // expected-error @+1 {{passes 1 arguments to @k::@f, which takes 2}}
    mx.launch_plan "x" (a = %a) sizes []
        variants [#mx.launch_variant<when [], launches [#mx.kernel_launch<@k::@f, grid [1, 1, 1], block [64, 1, 1], lds 0, args [a]>]>] : memref<?x64xf32>
    return
  }
  gpu.module @k {
    gpu.func @f(%p: !llvm.ptr<1>, %m: i32) kernel { gpu.return }
  }
}

// -----

module attributes {gpu.container_module} {
  func.func @arg_type(%a: memref<?x64xf32>) {
    // expected-error @+1 {{argument 1 of @k::@f has type 'i32'; the plan passes an i64}}
    mx.launch_plan "x" (a = %a) sizes []
        variants [#mx.launch_variant<when [], launches [#mx.kernel_launch<@k::@f, grid [1, 1, 1], block [64, 1, 1], lds 0, args [a, 5 : i64]>]>] : memref<?x64xf32>
    return
  }
  gpu.module @k {
    gpu.func @f(%p: !llvm.ptr<1>, %m: i32) kernel { gpu.return }
  }
}

// -----

func.func @no_kernel(%a: memref<?x64xf32>) {
  // expected-error @+1 {{launches @k::@f, which is no function}}
  mx.launch_plan "x" (a = %a) sizes []
      variants [#mx.launch_variant<when [], launches [#mx.kernel_launch<@k::@f, grid [1, 1, 1], block [64, 1, 1], lds 0, args [a]>]>] : memref<?x64xf32>
  return
}

// -----

func.func @variants_gap(%a: memref<?x128xf8E4M3FN>, %sa: memref<?x4xf8E8M0FNU>,
                        %b: memref<64x128xf8E4M3FN>, %sb: memref<64x4xf8E8M0FNU>,
                        %c: memref<?x64xbf16>) {
  // expected-error @+1 {{'mx.variants': the range starting at M = 18 should start at 17 (ranges ascend without gaps or overlaps from M = 0)}}
  mx.scaled_matmul %a[%sa] * %b[%sb] -> %c
      {mx.variants = [
        #mx.gemm_variant<m = [0, 16] : #mx.gemm_config<instruction = mfma_scale_f32_16x16x128_f8f6f4, tile_m = 16, tile_n = 16, tile_k = 128, waves_m = 1, waves_n = 1, prefetch = 1>>,
        #mx.gemm_variant<m = [18, 2147483647] : #mx.gemm_config<instruction = mfma_scale_f32_32x32x64_f8f6f4, tile_m = 32, tile_n = 32, tile_k = 128, waves_m = 1, waves_n = 1, prefetch = 1>>]}
      : memref<?x128xf8E4M3FN>[memref<?x4xf8E8M0FNU>]
        * memref<64x128xf8E4M3FN>[memref<64x4xf8E8M0FNU>] -> memref<?x64xbf16>
  return
}

// -----

func.func @variants_short(%a: memref<?x128xf8E4M3FN>, %sa: memref<?x4xf8E8M0FNU>,
                          %b: memref<64x128xf8E4M3FN>, %sb: memref<64x4xf8E8M0FNU>,
                          %c: memref<?x64xbf16>) {
  // expected-error @+1 {{'mx.variants': the last range ends at M = 4096; it must end at 2147483647}}
  mx.scaled_matmul %a[%sa] * %b[%sb] -> %c
      {mx.variants = [
        #mx.gemm_variant<m = [0, 4096] : #mx.gemm_config<instruction = mfma_scale_f32_16x16x128_f8f6f4, tile_m = 16, tile_n = 16, tile_k = 128, waves_m = 1, waves_n = 1, prefetch = 1>>]}
      : memref<?x128xf8E4M3FN>[memref<?x4xf8E8M0FNU>]
        * memref<64x128xf8E4M3FN>[memref<64x4xf8E8M0FNU>] -> memref<?x64xbf16>
  return
}

// -----

func.func @variants_static_m(%a: memref<8x128xf8E4M3FN>, %sa: memref<8x4xf8E8M0FNU>,
                             %b: memref<64x128xf8E4M3FN>, %sb: memref<64x4xf8E8M0FNU>,
                             %c: memref<8x64xbf16>) {
  // expected-error @+1 {{'mx.variants' chooses by M, and M (A's extent 0) is static}}
  mx.scaled_matmul %a[%sa] * %b[%sb] -> %c
      {mx.variants = [
        #mx.gemm_variant<m = [0, 2147483647] : #mx.gemm_config<instruction = mfma_scale_f32_16x16x128_f8f6f4, tile_m = 16, tile_n = 16, tile_k = 128, waves_m = 1, waves_n = 1, prefetch = 1>>]}
      : memref<8x128xf8E4M3FN>[memref<8x4xf8E8M0FNU>]
        * memref<64x128xf8E4M3FN>[memref<64x4xf8E8M0FNU>] -> memref<8x64xbf16>
  return
}

// -----

func.func @variant_range(%a: memref<?x64xf32>) {
  // expected-error @+1 {{M range [0, 2147483648] is not within [0, 2147483647] with min <= max}}
  "test.op"() {v = #mx.gemm_variant<m = [0, 2147483648] : #mx.gemm_config<instruction = mfma_scale_f32_16x16x128_f8f6f4, tile_m = 16, tile_n = 16, tile_k = 128, waves_m = 1, waves_n = 1, prefetch = 1>>} : () -> ()
  return
}

// -----

// expected-error @+1 {{unknown mx attribute 'mx.plan'}}
func.func @unknown_attr() attributes {mx.plan = 1} {
  return
}
