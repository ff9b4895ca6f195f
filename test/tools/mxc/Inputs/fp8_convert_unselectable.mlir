// rocdl.cvt.pk.fp8.f32: an FP8 conversion gfx90a and gfx1100 lack, which the
// AMDGPU backend cannot select (hardening.test).
module attributes {gpu.container_module} {
  gpu.module @kernels {
    gpu.func @k(%c: memref<64xi32, 1>, %x: f32) kernel attributes {known_block_size = array<i32: 64, 1, 1>} {
      %lane = gpu.thread_id x
      %old = arith.constant 0 : i32
      %r = rocdl.cvt.pk.fp8.f32 %x, %x -> %old[false] : i32
      
      %e = arith.addi %r, %old : i32
      memref.store %e, %c[%lane] : memref<64xi32, 1>
      gpu.return
    }
  }
}
