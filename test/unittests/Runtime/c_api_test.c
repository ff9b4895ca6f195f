/*===- c_api_test.c - libmxrt's C API from C ------------------------------===*\
|*                                                                            *|
|* Part of mxc. Usage: c_api_test GEMM.hsaco, a code object from              *|
|*   mxc gemm --a-format e4m3 --b-format e4m3 --n 64 --k 64 --out f32         *|
|* Runs it on sim:gfx950 through its launch plan and by hand, checks the      *|
|* result (exact: A = 1.0, B in {1, 2, -1}, unit scales) and some errors.     *|
\*===----------------------------------------------------------------------===*/

#include "mxrt/mxrt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N 64
#define K 64
#define M 5

static int failures = 0;

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "%s:%d: CHECK(%s) failed; last error: %s\n", __FILE__,   \
              __LINE__, #cond, mxrt_last_error());                             \
      ++failures;                                                              \
    }                                                                          \
  } while (0)

/* Evaluates `cond` once (it often allocates or launches). */
#define REQUIRE(cond)                                                          \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "%s:%d: REQUIRE(%s) failed; last error: %s\n", __FILE__, \
              __LINE__, #cond, mxrt_last_error());                             \
      return 1;                                                                \
    }                                                                          \
  } while (0)

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: c_api_test GEMM.hsaco\n");
    return 2;
  }
  mxrt_device device = NULL;
  REQUIRE(mxrt_device_open("sim:gfx950", &device) == MXRT_SUCCESS);
  CHECK(strcmp(mxrt_device_chip(device), "gfx950") == 0);

  mxrt_module module = NULL;
  REQUIRE(mxrt_module_load_file(device, argv[1], &module) == MXRT_SUCCESS);
  REQUIRE(mxrt_module_kernel_count(module) == 1);
  const char *kernel = mxrt_module_kernel_name(module, 0);
  CHECK(strcmp(kernel, "gemm_scaled_matmul") == 0);
  CHECK(mxrt_module_kernel_name(module, 1) == NULL);
  mxrt_kernel_info info;
  REQUIRE(mxrt_module_kernel_info(module, kernel, &info) == MXRT_SUCCESS);
  CHECK(info.arg_count == 6);
  CHECK(info.vgpr_spill_count == 0);
  mxrt_arg_info arg;
  CHECK(mxrt_module_kernel_arg(module, kernel, 5, &arg) == MXRT_SUCCESS);
  CHECK(arg.kind == MXRT_ARG_KIND_VALUE && arg.size == 4);
  CHECK(mxrt_module_kernel_arg(module, kernel, 6, &arg) ==
        MXRT_ERROR_INVALID_ARGUMENT);

  size_t params = 0, sizes = 0;
  REQUIRE(mxrt_program_signature(module, "gemm", &params, &sizes) ==
          MXRT_SUCCESS);
  CHECK(params == 5 && sizes == 1);
  CHECK(strcmp(mxrt_program_size_name(module, "gemm", 0), "M") == 0);

  /* Inputs and expected output. */
  static unsigned char a[M * K], sa[M * K / 32], b[N * K], sb[N * K / 32];
  static float expected[N], c[M * N];
  const unsigned char codes[3] = {0x38, 0x40, 0xB8}; /* 1, 2, -1 */
  const float values[3] = {1, 2, -1};
  memset(a, 0x38, sizeof a);
  memset(sa, 127, sizeof sa);
  memset(sb, 127, sizeof sb);
  for (int n = 0; n < N; ++n) {
    expected[n] = 0;
    for (int k = 0; k < K; ++k) {
      int i = (n + 2 * k) % 3;
      b[n * K + k] = codes[i];
      expected[n] += values[i];
    }
  }
  const void *hostData[4] = {a, sa, b, sb};
  const size_t hostBytes[5] = {sizeof a, sizeof sa, sizeof b, sizeof sb,
                               sizeof c};
  mxrt_buffer buffers[5];
  for (int i = 0; i < 5; ++i) {
    uint64_t needed = 0;
    int64_t m = M;
    CHECK(mxrt_program_param_bytes(module, "gemm", i, &m, 1, &needed) ==
          MXRT_SUCCESS);
    CHECK(needed == hostBytes[i]);
    REQUIRE(mxrt_buffer_alloc(device, hostBytes[i], &buffers[i]) ==
            MXRT_SUCCESS);
    if (i < 4)
      CHECK(mxrt_buffer_write(buffers[i], 0, hostData[i], hostBytes[i], NULL) ==
            MXRT_SUCCESS);
  }

  /* Through the launch plan. */
  int64_t m = M;
  REQUIRE(mxrt_program_run(module, "gemm", buffers, 5, &m, 1, NULL) ==
          MXRT_SUCCESS);
  REQUIRE(mxrt_buffer_read(buffers[4], 0, c, sizeof c, NULL) == MXRT_SUCCESS);
  for (int i = 0; i < M * N; ++i)
    CHECK(c[i] == expected[i % N]);

  /* By hand, on a stream. */
  mxrt_stream stream = NULL;
  REQUIRE(mxrt_stream_create(device, &stream) == MXRT_SUCCESS);
  memset(c, 0, sizeof c);
  CHECK(mxrt_buffer_write(buffers[4], 0, c, sizeof c, stream) == MXRT_SUCCESS);
  mxrt_value args[6];
  for (int i = 0; i < 5; ++i) {
    args[i].kind = MXRT_VALUE_BUFFER;
    args[i].buffer = buffers[i];
  }
  args[5].kind = MXRT_VALUE_I32;
  args[5].i32 = M;
  uint32_t block[3] = {info.required_block[0], info.required_block[1],
                       info.required_block[2]};
  uint32_t grid[3] = {64, 64, 1}; /* enough for any tile; extra groups mask */
  CHECK(mxrt_launch(module, kernel, grid, block, 0, args, 6, stream) ==
        MXRT_SUCCESS);
  CHECK(mxrt_stream_synchronize(stream) == MXRT_SUCCESS);
  CHECK(mxrt_buffer_read(buffers[4], 0, c, sizeof c, stream) == MXRT_SUCCESS);
  for (int i = 0; i < M * N; ++i)
    CHECK(c[i] == expected[i % N]);

  /* Errors carry the call, code object, kernel and argument. */
  CHECK(mxrt_launch(module, kernel, grid, block, 0, args, 5, NULL) ==
        MXRT_ERROR_INVALID_ARGUMENT);
  CHECK(strstr(mxrt_last_error(), "takes 6 arguments, got 5") != NULL);
  args[5].kind = MXRT_VALUE_I64;
  CHECK(mxrt_launch(module, kernel, grid, block, 0, args, 6, NULL) ==
        MXRT_ERROR_INVALID_ARGUMENT);
  CHECK(strstr(mxrt_last_error(), "argument 5: the kernel takes 4 bytes by "
                                  "value; got a 8-byte value") != NULL);
  /* A buffer the host cannot hold is an error, not the end of the process. */
  mxrt_buffer huge = NULL;
  CHECK(mxrt_buffer_alloc(device, (size_t)1 << 62, &huge) == MXRT_ERROR_DEVICE);
  CHECK(huge == NULL);
  CHECK(strstr(mxrt_last_error(), "does not fit the host's memory") != NULL);
  mxrt_device other = NULL;
  CHECK(mxrt_device_open("sim:gfx1201x", &other) ==
        MXRT_ERROR_INVALID_ARGUMENT);
  CHECK(strstr(mxrt_last_error(), "unknown chip 'gfx1201x'") != NULL);
  mxrt_module missing = NULL;
  CHECK(mxrt_module_load_file(device, "/nonexistent.hsaco", &missing) ==
        MXRT_ERROR_NOT_FOUND);
  CHECK(strcmp(mxrt_status_name(MXRT_ERROR_TARGET_MISMATCH),
               "target mismatch") == 0);

  mxrt_stream_destroy(stream);
  for (int i = 0; i < 5; ++i)
    mxrt_buffer_free(buffers[i]);
  mxrt_module_unload(module);
  mxrt_device_close(device);
  if (failures) {
    fprintf(stderr, "%d checks failed\n", failures);
    return 1;
  }
  printf("c_api_test: all checks passed\n");
  return 0;
}
