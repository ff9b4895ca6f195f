/*===- mxrt.h - libmxrt C API -------------------------------------*- C -*-===*\
|*                                                                            *|
|* Part of mxc. Loads the code objects mxc writes and launches their kernels  *|
|* on an AMD GPU through HIP (loaded at run time) or on mxc's simulator.      *|
|* docs/runtime.md describes it with a worked example.                        *|
|*                                                                            *|
|* Every call that can fail returns an mxrt_status; on failure,               *|
|* mxrt_last_error() gives this thread's message, which says which call       *|
|* failed and why (code object, kernel, argument index).                      *|
\*===----------------------------------------------------------------------===*/

#ifndef MXRT_MXRT_H
#define MXRT_MXRT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#define MXRT_API
#else
#define MXRT_API __attribute__((visibility("default")))
#endif

#define MXRT_VERSION_MAJOR 1
#define MXRT_VERSION_MINOR 0

typedef enum mxrt_status {
  MXRT_SUCCESS = 0,
  MXRT_ERROR_INVALID_ARGUMENT = 1, /* a bad handle, size, argument or dim */
  MXRT_ERROR_NOT_FOUND = 2,        /* no such kernel, program or file */
  MXRT_ERROR_INVALID_CODE_OBJECT = 3,
  MXRT_ERROR_TARGET_MISMATCH = 4, /* code object built for another chip */
  MXRT_ERROR_UNAVAILABLE = 5,     /* no HIP runtime or no such GPU */
  MXRT_ERROR_DEVICE = 6,          /* the device or HIP reported an error */
  MXRT_ERROR_LAUNCH = 7           /* the kernel faulted (simulator) */
} mxrt_status;

typedef struct mxrt_device_s *mxrt_device;
typedef struct mxrt_module_s *mxrt_module;
typedef struct mxrt_buffer_s *mxrt_buffer;
typedef struct mxrt_stream_s *mxrt_stream;

/* This thread's message for the last failed call ("" if none). */
MXRT_API const char *mxrt_last_error(void);
MXRT_API const char *mxrt_status_name(mxrt_status status);

/*--- Devices ---------------------------------------------------------------*/

/* "hip:N" (AMD GPU N through libamdhip64, found at run time; the environment
 * variable MXRT_HIP_LIBRARY names another library) or "sim:gfxNNN" (the
 * simulator, in process). */
MXRT_API mxrt_status mxrt_device_open(const char *spec, mxrt_device *device);
MXRT_API void mxrt_device_close(mxrt_device device);
/* The processor, e.g. "gfx950". */
MXRT_API const char *mxrt_device_chip(mxrt_device device);
/* Waits for all work on the device. */
MXRT_API mxrt_status mxrt_device_synchronize(mxrt_device device);

/*--- Streams ---------------------------------------------------------------*/
/* Work on one stream runs in order. A null stream means the device's default
 * (HIP null) stream. Launches (mxrt_launch, mxrt_program_run) are enqueued
 * and return without waiting, on any stream; copies given a null stream
 * return when done, copies given a stream are ordered on it (the host memory
 * must stay valid until it is synchronized). On the simulator every call
 * completes before it returns. */

MXRT_API mxrt_status mxrt_stream_create(mxrt_device device,
                                        mxrt_stream *stream);
/* Wraps a hipStream_t the host application owns (not destroyed with it). */
MXRT_API mxrt_status mxrt_stream_wrap(mxrt_device device, void *hip_stream,
                                      mxrt_stream *stream);
MXRT_API mxrt_status mxrt_stream_synchronize(mxrt_stream stream);
MXRT_API void mxrt_stream_destroy(mxrt_stream stream);

/*--- Buffers ---------------------------------------------------------------*/

MXRT_API mxrt_status mxrt_buffer_alloc(mxrt_device device, size_t bytes,
                                       mxrt_buffer *buffer);
/* Wraps device memory the host application owns (not freed with it). On the
 * simulator the pointer must lie in a buffer this device allocated. */
MXRT_API mxrt_status mxrt_buffer_wrap(mxrt_device device, void *device_pointer,
                                      size_t bytes, mxrt_buffer *buffer);
MXRT_API void mxrt_buffer_free(mxrt_buffer buffer);
MXRT_API size_t mxrt_buffer_size(mxrt_buffer buffer);
/* The device address (on the simulator, its simulated address). */
MXRT_API void *mxrt_buffer_device_pointer(mxrt_buffer buffer);
MXRT_API mxrt_status mxrt_buffer_write(mxrt_buffer buffer, size_t offset,
                                       const void *source, size_t bytes,
                                       mxrt_stream stream);
MXRT_API mxrt_status mxrt_buffer_read(mxrt_buffer buffer, size_t offset,
                                      void *destination, size_t bytes,
                                      mxrt_stream stream);

/*--- Code objects ----------------------------------------------------------*/

MXRT_API mxrt_status mxrt_module_load_file(mxrt_device device, const char *path,
                                           mxrt_module *module);
/* `name` is used in messages; the bytes are copied. */
MXRT_API mxrt_status mxrt_module_load_data(mxrt_device device, const void *data,
                                           size_t bytes, const char *name,
                                           mxrt_module *module);
MXRT_API void mxrt_module_unload(mxrt_module module);

MXRT_API size_t mxrt_module_kernel_count(mxrt_module module);
/* NULL when `index` is out of range. */
MXRT_API const char *mxrt_module_kernel_name(mxrt_module module, size_t index);

typedef struct mxrt_kernel_info {
  uint32_t arg_count;     /* explicit arguments */
  uint32_t kernarg_bytes; /* argument segment, hidden ones included */
  uint32_t static_lds_bytes;
  uint32_t scratch_bytes; /* per lane */
  uint32_t vgpr_count, agpr_count, sgpr_count;
  uint32_t vgpr_spill_count, sgpr_spill_count;
  uint32_t wavefront_size;
  uint32_t max_workgroup_size;
  uint32_t required_block[3]; /* all 0 when the kernel takes any block */
} mxrt_kernel_info;

typedef enum mxrt_arg_kind {
  MXRT_ARG_KIND_POINTER = 0, /* a global buffer pointer */
  MXRT_ARG_KIND_VALUE = 1    /* bytes passed by value */
} mxrt_arg_kind;

typedef struct mxrt_arg_info {
  mxrt_arg_kind kind;
  uint32_t offset;  /* in the argument segment */
  uint32_t size;    /* bytes */
  const char *name; /* "" when the metadata names none */
} mxrt_arg_info;

MXRT_API mxrt_status mxrt_module_kernel_info(mxrt_module module,
                                             const char *kernel,
                                             mxrt_kernel_info *info);
MXRT_API mxrt_status mxrt_module_kernel_arg(mxrt_module module,
                                            const char *kernel, uint32_t index,
                                            mxrt_arg_info *info);

/*--- Launching -------------------------------------------------------------*/

typedef enum mxrt_value_kind {
  MXRT_VALUE_BUFFER = 0,  /* .buffer */
  MXRT_VALUE_POINTER = 1, /* .pointer: a raw device pointer */
  MXRT_VALUE_I32 = 2,     /* .i32 */
  MXRT_VALUE_I64 = 3,     /* .i64 */
  MXRT_VALUE_F32 = 4      /* .f32 */
} mxrt_value_kind;

typedef struct mxrt_value {
  mxrt_value_kind kind;
  union {
    mxrt_buffer buffer;
    void *pointer;
    int32_t i32;
    int64_t i64;
    float f32;
  };
} mxrt_value;

/* Launches `kernel` with `grid` workgroups of `block` lanes. The arguments
 * are checked against the kernel's metadata (count, kinds, sizes), the block
 * against its limits, and the LDS against the chip's. */
MXRT_API mxrt_status mxrt_launch(mxrt_module module, const char *kernel,
                                 const uint32_t grid[3],
                                 const uint32_t block[3],
                                 uint32_t dynamic_lds_bytes,
                                 const mxrt_value *args, size_t arg_count,
                                 mxrt_stream stream);

/*--- Programs (mxc's launch plan) ------------------------------------------*/

MXRT_API size_t mxrt_module_program_count(mxrt_module module);
MXRT_API const char *mxrt_module_program_name(mxrt_module module, size_t index);
/* The program's parameter and runtime-size counts and the size names
 * ("M"). */
MXRT_API mxrt_status mxrt_program_signature(mxrt_module module,
                                            const char *program,
                                            size_t *param_count,
                                            size_t *size_count);
MXRT_API const char *mxrt_program_size_name(mxrt_module module,
                                            const char *program, size_t index);
/* Bytes parameter `index` needs for the runtime sizes given. */
MXRT_API mxrt_status mxrt_program_param_bytes(mxrt_module module,
                                              const char *program, size_t index,
                                              const int64_t *sizes,
                                              size_t size_count,
                                              uint64_t *bytes);
/* Runs `program`: for each of its ops in order, the launches of the first
 * variant whose size ranges hold the runtime sizes (an error when none
 * does). One buffer per parameter (each checked to be large enough) and one
 * value per runtime size. */
MXRT_API mxrt_status mxrt_program_run(mxrt_module module, const char *program,
                                      const mxrt_buffer *buffers,
                                      size_t buffer_count, const int64_t *sizes,
                                      size_t size_count, mxrt_stream stream);

#ifdef __cplusplus
}
#endif

#endif /* MXRT_MXRT_H */
