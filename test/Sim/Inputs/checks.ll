target triple = "amdgcn-amd-amdhsa"
; Kernels for mxc-run --check (test/Sim/check.test).
@lds = internal addrspace(3) global [128 x i32] poison, align 4
declare i32 @llvm.amdgcn.workitem.id.x()
declare void @llvm.amdgcn.s.barrier()

; Lane l writes lds[l]; then reads lds[127 - l] without a barrier.
define amdgpu_kernel void @exchange_no_barrier(ptr addrspace(1) %out) {
  %l = call i32 @llvm.amdgcn.workitem.id.x()
  %p = getelementptr i32, ptr addrspace(3) @lds, i32 %l
  store i32 %l, ptr addrspace(3) %p
  %m = sub i32 127, %l
  %q = getelementptr i32, ptr addrspace(3) @lds, i32 %m
  %v = load i32, ptr addrspace(3) %q
  %o = getelementptr i32, ptr addrspace(1) %out, i32 %l
  store i32 %v, ptr addrspace(1) %o
  ret void
}

; The same with a barrier between the store and the load.
define amdgpu_kernel void @exchange(ptr addrspace(1) %out) {
  %l = call i32 @llvm.amdgcn.workitem.id.x()
  %p = getelementptr i32, ptr addrspace(3) @lds, i32 %l
  store i32 %l, ptr addrspace(3) %p
  fence syncscope("workgroup") release
  call void @llvm.amdgcn.s.barrier()
  fence syncscope("workgroup") acquire
  %m = sub i32 127, %l
  %q = getelementptr i32, ptr addrspace(3) @lds, i32 %m
  %v = load i32, ptr addrspace(3) %q
  %o = getelementptr i32, ptr addrspace(1) %out, i32 %l
  store i32 %v, ptr addrspace(1) %o
  ret void
}

; Wave 0 waits at one barrier, wave 1 at another.
define amdgpu_kernel void @split_barrier(ptr addrspace(1) %out) {
entry:
  %l = call i32 @llvm.amdgcn.workitem.id.x()
  %zero = icmp ult i32 %l, 64
  br i1 %zero, label %a, label %b
a:
  call void @llvm.amdgcn.s.barrier()
  br label %done
b:
  call void @llvm.amdgcn.s.barrier()
  br label %done
done:
  ret void
}

; Loads LDS nothing wrote.
define amdgpu_kernel void @uninit(ptr addrspace(1) %out) {
  %l = call i32 @llvm.amdgcn.workitem.id.x()
  %q = getelementptr i32, ptr addrspace(3) @lds, i32 %l
  %v = load i32, ptr addrspace(3) %q
  %o = getelementptr i32, ptr addrspace(1) %out, i32 %l
  store i32 %v, ptr addrspace(1) %o
  ret void
}

; Never ends.
define amdgpu_kernel void @spin(ptr addrspace(1) %out) {
entry:
  br label %loop
loop:
  %i = phi i32 [ 0, %entry ], [ %i1, %loop ]
  %i1 = add i32 %i, 1
  br label %loop
}
