// rocdl.s.wait.dscnt: gfx12's split LDS wait counter (hardening.test).
module attributes {gpu.container_module} {
  gpu.module @kernels {
    gpu.func @k(%c: memref<64xi32, 1>) kernel attributes {known_block_size = array<i32: 64, 1, 1>} {
      %lane = gpu.thread_id x
      rocdl.s.wait.dscnt 0
      %v = arith.constant 1 : i32
      memref.store %v, %c[%lane] : memref<64xi32, 1>
      gpu.return
    }
  }
}
