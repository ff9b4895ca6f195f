// Lane l stores l to LDS word l, then loads word 127 - l: with a barrier
// between (@exchange) or without one, a race between the two waves
// (@exchange_racy).
module attributes {gpu.container_module} {
  gpu.module @kernels {
    gpu.func @exchange(%out: memref<128xf32, 1>) workgroup(%lds: memref<128xf32, 3>) kernel attributes {known_block_size = array<i32: 128, 1, 1>} {
      %c127 = arith.constant 127 : index
      %lane = gpu.thread_id x
      %i = arith.index_cast %lane : index to i32
      %f = arith.sitofp %i : i32 to f32
      memref.store %f, %lds[%lane] : memref<128xf32, 3>
      gpu.barrier
      %mirror = arith.subi %c127, %lane : index
      %v = memref.load %lds[%mirror] : memref<128xf32, 3>
      memref.store %v, %out[%lane] : memref<128xf32, 1>
      gpu.return
    }
    gpu.func @exchange_racy(%out: memref<128xf32, 1>) workgroup(%lds: memref<128xf32, 3>) kernel attributes {known_block_size = array<i32: 128, 1, 1>} {
      %c127 = arith.constant 127 : index
      %lane = gpu.thread_id x
      %i = arith.index_cast %lane : index to i32
      %f = arith.sitofp %i : i32 to f32
      memref.store %f, %lds[%lane] : memref<128xf32, 3>
      %mirror = arith.subi %c127, %lane : index
      %v = memref.load %lds[%mirror] : memref<128xf32, 3>
      memref.store %v, %out[%lane] : memref<128xf32, 1>
      gpu.return
    }
  }
}
