// rocdl.cvt.scalef32.pk.fp8.f32: gfx950's scaled FP8 conversion, which the
// AMDGPU backend encodes for any gfx9 chip and crashes on for GFX11 and
// GFX12 (hardening.test).
module attributes {gpu.container_module} {
  gpu.module @kernels {
    gpu.func @k(%c: memref<64xvector<2xi16>, 1>, %x: f32, %scale: f32) kernel attributes {known_block_size = array<i32: 64, 1, 1>} {
      %lane = gpu.thread_id x
      %old = arith.constant dense<0> : vector<2xi16>
      %r = rocdl.cvt.scalef32.pk.fp8.f32 %x, %x, %scale -> %old[false] : vector<2xi16>
      memref.store %r, %c[%lane] : memref<64xvector<2xi16>, 1>
      gpu.return
    }
  }
}
