module attributes {gpu.container_module} {
  gpu.module @kernels {
    gpu.func @lane_id(%out: memref<64xf32, 1>) kernel attributes {known_block_size = array<i32: 64, 1, 1>} {
      %lane = gpu.thread_id x
      %i = arith.index_cast %lane : index to i32
      %f = arith.sitofp %i : i32 to f32
      memref.store %f, %out[%lane] : memref<64xf32, 1>
      gpu.return
    }
  }
}
