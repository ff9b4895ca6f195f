// A kernel whose one LDS variable takes 4 GiB (hardening.test).
module attributes {gpu.container_module} {
  gpu.module @kernels {
    gpu.func @big_lds(%out: memref<64xf32, 1>) workgroup(%lds: memref<1073741824xf32, 3>) kernel attributes {known_block_size = array<i32: 64, 1, 1>} {
      %lane = gpu.thread_id x
      %v = memref.load %lds[%lane] : memref<1073741824xf32, 3>
      memref.store %v, %out[%lane] : memref<64xf32, 1>
      gpu.return
    }
  }
}
