// gfx950's loads from memory straight into LDS, written as ROCDL ops, taken by
// mxc to an HSACO: buffer_load_dwordx4 ... lds and global_load_lds_dwordx4
// with the LDS pointer in M0 and the instruction offset (1024) moving both the
// global and the LDS address. The simulator runs the embedded IR: the 2048
// bytes staged through LDS come back unchanged, a num_records of 1000 zeroes
// the buffer half's dwords from byte 1000 on, and the profile shows two
// load.lds sites of 8 lines and 1024 LDS bytes each.
// RUN: mxc %s --target gfx950 -o %t.hsaco
// RUN: llvm-objdump -d --mcpu=gfx950 %t.hsaco | FileCheck %s --check-prefix=ISA
// RUN: %python -c "import sys; sys.stdout.buffer.write(bytes((i * 7 + 3) % 256 for i in range(2048)))" > %t.in
// RUN: mxc-run --device sim:gfx950 %t.hsaco --kernel stage_through_lds --block 64 --arg in:%t.in --arg out:%t.out:2048 --arg i64:2048
// RUN: cmp %t.in %t.out
// RUN: mxc-run --device sim:gfx950 %t.hsaco --kernel stage_through_lds --block 64 --arg in:%t.in --arg out:%t.out:2048 --arg i64:1000
// RUN: od -An -tx1 -j 992 -N 48 -v %t.out | FileCheck %s --check-prefix=RANGE
// RUN: mxc-run --device sim:gfx950 %t.hsaco --kernel stage_through_lds --block 64 --arg in:%t.in --arg zero:2048 --arg i64:2048 --profile=json | FileCheck %s --check-prefix=PROFILE
// RUN: not mxc %s --target gfx942 -o %t.gfx942.hsaco 2>&1 | FileCheck %s --check-prefix=GFX942
// RUN: not mxc %s --target gfx1201 -o %t.gfx1201.hsaco 2>&1 | FileCheck %s --check-prefix=GFX1201

// ISA-LABEL: <stage_through_lds>:
// ISA: s_mov_b32 m0, 0
// ISA: buffer_load_dwordx4 v{{[0-9]+}}, s[{{[0-9]+}}:{{[0-9]+}}], 0 offen lds
// ISA: global_load_lds_dwordx4 v{{[0-9]+}}, s[{{[0-9]+}}:{{[0-9]+}}] offset:1024

// Bytes 992..999 in range (i * 7 + 3), 1000..1023 zero, 1024.. from the global half.
// RANGE:      23 2a 31 38 3f 46 4d 54 00 00 00 00 00 00 00 00
// RANGE-NEXT: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
// RANGE-NEXT: 03 0a 11 18 1f 26 2d 34 3b 42 49 50 57 5e 65 6c

// PROFILE: "lds_bytes":4096
// PROFILE-SAME: {"active_lanes":64,"bytes":1024,"executions":1,"kind":"load.lds","lds_bank_conflicts":0,"lds_bytes":1024,"lds_cycles":8,"lines":8,"location":"tail call void @llvm.amdgcn.raw.ptr.buffer.load.lds(
// PROFILE-SAME: {"active_lanes":64,"bytes":1024,"executions":1,"kind":"load.lds","lds_bank_conflicts":0,"lds_bytes":1024,"lds_cycles":8,"lines":8,"location":"tail call void @llvm.amdgcn.global.load.lds(

// GFX942: load_to_lds_gfx950.mlir:[[# @LINE + 17]]:7: error: 'rocdl.raw.ptr.buffer.load.lds' op loads 16 bytes a lane into LDS; gfx942 loads at most 4 bytes a lane
// GFX1201: error: 'rocdl.raw.ptr.buffer.load.lds' op loads 16 bytes a lane into LDS; gfx1201 has no loads into LDS

module attributes {gpu.container_module} {
  gpu.module @kernels {
    llvm.mlir.global internal @stage() {addr_space = 3 : i32, alignment = 16 : i64} : !llvm.array<2048 x i8>
    gpu.func @stage_through_lds(%src: !llvm.ptr<1>, %out: !llvm.ptr<1>, %records: i64) kernel attributes {known_block_size = array<i32: 64, 1, 1>} {
      %lds = llvm.mlir.addressof @stage : !llvm.ptr<3>
      %lane = rocdl.workitem.id.x : i32
      %c16 = llvm.mlir.constant(16 : i32) : i32
      %c32 = llvm.mlir.constant(32 : i32) : i32
      %c1024 = llvm.mlir.constant(1024 : i32) : i32
      %zero = llvm.mlir.constant(0 : i32) : i32
      %stride = llvm.mlir.constant(0 : i16) : i16
      %voff = llvm.mul %lane, %c16 : i32
      %rsrc = rocdl.make.buffer.rsrc %src, %stride, %records, %zero : !llvm.ptr<1> to !llvm.ptr<8>
      // Lanes' 16 bytes from src[16 l] land at stage[16 l].
      rocdl.raw.ptr.buffer.load.lds %rsrc, %lds, %c16, %voff, %zero, %zero, %zero
      // And from src[1024 + 16 l] at stage[1024 + 16 l], through the
      // instruction offset on both sides.
      %voff64 = llvm.zext %voff : i32 to i64
      %g = llvm.getelementptr %src[%voff64] : (!llvm.ptr<1>, i64) -> !llvm.ptr<1>, i8
      rocdl.global.load.lds %g, %lds, 16, 1024, 0
      rocdl.s.waitcnt 0
      rocdl.s.barrier
      // Each lane copies 32 bytes of stage to out.
      %at = llvm.mul %lane, %c32 : i32
      %from = llvm.getelementptr %lds[%at] : (!llvm.ptr<3>, i32) -> !llvm.ptr<3>, i8
      %v = llvm.load %from {alignment = 16 : i64} : !llvm.ptr<3> -> vector<8xi32>
      %to = llvm.getelementptr %out[%at] : (!llvm.ptr<1>, i32) -> !llvm.ptr<1>, i8
      llvm.store %v, %to {alignment = 16 : i64} : vector<8xi32>, !llvm.ptr<1>
      gpu.return
    }
  }
}
