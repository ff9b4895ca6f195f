module attributes {gpu.container_module} {
  gpu.module @kernels {
    gpu.func @scaled_mfma_tile(%a: memref<64x32xf8E4M3FN, 1>, %b: memref<64x32xf8E4M3FN, 1>,
                               %sa: memref<64xf8E8M0FNU, 1>, %sb: memref<64xf8E8M0FNU, 1>,
                               %c: memref<64x16xf32, 1>) kernel attributes {known_block_size = array<i32: 64, 1, 1>} {
      %lane = gpu.thread_id x
      %c0 = arith.constant 0 : index
      %va = vector.load %a[%lane, %c0] : memref<64x32xf8E4M3FN, 1>, vector<32xf8E4M3FN>
      %vb = vector.load %b[%lane, %c0] : memref<64x32xf8E4M3FN, 1>, vector<32xf8E4M3FN>
      %s0 = memref.load %sa[%lane] : memref<64xf8E8M0FNU, 1>
      %s1 = memref.load %sb[%lane] : memref<64xf8E8M0FNU, 1>
      %acc = arith.constant dense<0.0> : vector<16xf32>
      %d = amdgpu.scaled_mfma 32x32x64 (%s0[0] * %va) * (%s1[0] * %vb) + %acc : f8E8M0FNU, vector<32xf8E4M3FN>, f8E8M0FNU, vector<32xf8E4M3FN>, vector<16xf32>
      vector.store %d, %c[%lane, %c0] : memref<64x16xf32, 1>, vector<16xf32>
      gpu.return
    }
  }
}
