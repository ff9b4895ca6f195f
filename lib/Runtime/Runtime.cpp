//===- Runtime.cpp - libmxrt: the C API over the device backends ----------===//
//
// Part of mxc. Handles, error messages, and every check made before work
// reaches a device: code object against device, arguments against the
// kernel's metadata, launch dimensions against its limits, program buffers
// against the launch plan.
//
//===----------------------------------------------------------------------===//

#include "Device.h"
#include "mxrt/mxrt.h"

#include <cerrno>
#include <cstdio>
#include <cstring>

using namespace mxc;
using namespace mxc::runtime;

using std::to_string;

struct mxrt_device_s {
  std::unique_ptr<Device> device;
  std::string spec; ///< "sim:gfx950", "hip:0".
};

struct mxrt_stream_s {
  mxrt_device device;
  void *handle;
  bool owned;
};

struct mxrt_buffer_s {
  mxrt_device device;
  uint64_t address;
  size_t bytes;
  bool owned;
};

struct mxrt_module_s {
  mxrt_device device;
  std::string name;
  std::string bytes;
  amdgpu::CodeObjectInfo info;
  std::unique_ptr<LoadedCode> code;
};

static thread_local std::string lastError;

/// Records `message` as this thread's error and returns `status`.
static mxrt_status fail(mxrt_status status, std::string message) {
  lastError = std::move(message);
  return status;
}

/// Numbers and strings as text, for messages.
static std::string str(const char *text) { return text; }
static std::string str(const std::string &text) { return text; }
template <typename T, typename = std::enable_if_t<std::is_arithmetic_v<T>>>
static std::string str(T value) {
  return to_string(value);
}

/// `value` as "0x..." in lowercase hexadecimal.
static std::string hex(uint64_t value) {
  char text[19];
  std::snprintf(text, sizeof(text), "0x%llx", (unsigned long long)value);
  return text;
}

const char *mxrt_last_error(void) { return lastError.c_str(); }

const char *mxrt_status_name(mxrt_status status) {
  switch (status) {
  case MXRT_SUCCESS:
    return "success";
  case MXRT_ERROR_INVALID_ARGUMENT:
    return "invalid argument";
  case MXRT_ERROR_NOT_FOUND:
    return "not found";
  case MXRT_ERROR_INVALID_CODE_OBJECT:
    return "invalid code object";
  case MXRT_ERROR_TARGET_MISMATCH:
    return "target mismatch";
  case MXRT_ERROR_UNAVAILABLE:
    return "unavailable";
  case MXRT_ERROR_DEVICE:
    return "device error";
  case MXRT_ERROR_LAUNCH:
    return "launch failed";
  }
  return "unknown status";
}

//===----------------------------------------------------------------------===//
// Devices and streams
//===----------------------------------------------------------------------===//

mxrt_status mxrt_device_open(const char *spec, mxrt_device *out) {
  if (!spec || !out)
    return fail(MXRT_ERROR_INVALID_ARGUMENT,
                "mxrt_device_open: null spec or result pointer");
  *out = nullptr;
  std::string text(spec);
  std::string where = "mxrt_device_open('" + text + "'): ";
  Result<std::unique_ptr<Device>> device = fail("");
  if (text.compare(0, 4, "sim:") == 0) {
    device = openSimDevice(text.substr(4));
  } else if (text.compare(0, 4, "hip:") == 0) {
    std::string digits = text.substr(4);
    bool decimal = !digits.empty() && digits.size() <= 9 &&
                   digits.find_first_not_of("0123456789") == std::string::npos;
    if (!decimal)
      return fail(MXRT_ERROR_INVALID_ARGUMENT,
                  where + "expected hip:N with N a GPU ordinal");
    device = openHipDevice(unsigned(std::stoul(digits)));
  } else {
    return fail(MXRT_ERROR_INVALID_ARGUMENT,
                where + "unknown device; use hip:N or sim:gfxNNN");
  }
  if (!device) {
    // A sim: spec the simulator refuses is the caller's mistake; a missing
    // backend or GPU is not.
    bool missing =
        device.getMessage().find("not installed") != std::string::npos ||
        text.compare(0, 4, "hip:") == 0;
    return fail(missing ? MXRT_ERROR_UNAVAILABLE : MXRT_ERROR_INVALID_ARGUMENT,
                where + device.getMessage());
  }
  *out = new mxrt_device_s{std::move(*device), text};
  return MXRT_SUCCESS;
}

void mxrt_device_close(mxrt_device device) { delete device; }

const char *mxrt_device_chip(mxrt_device device) {
  return device ? device->device->getChip().c_str() : "";
}

mxrt_status mxrt_device_synchronize(mxrt_device device) {
  if (!device)
    return fail(MXRT_ERROR_INVALID_ARGUMENT,
                "mxrt_device_synchronize: null device");
  if (Status s = device->device->synchronizeDevice())
    return fail(MXRT_ERROR_DEVICE, "mxrt_device_synchronize(" + device->spec +
                                       "): " + s.getMessage());
  return MXRT_SUCCESS;
}

mxrt_status mxrt_stream_create(mxrt_device device, mxrt_stream *out) {
  if (!device || !out)
    return fail(MXRT_ERROR_INVALID_ARGUMENT,
                "mxrt_stream_create: null device or result pointer");
  Result<void *> handle = device->device->createStream();
  if (!handle)
    return fail(MXRT_ERROR_DEVICE, "mxrt_stream_create(" + device->spec +
                                       "): " + handle.getMessage());
  *out = new mxrt_stream_s{device, *handle, true};
  return MXRT_SUCCESS;
}

mxrt_status mxrt_stream_wrap(mxrt_device device, void *hipStream,
                             mxrt_stream *out) {
  if (!device || !out)
    return fail(MXRT_ERROR_INVALID_ARGUMENT,
                "mxrt_stream_wrap: null device or result pointer");
  *out = new mxrt_stream_s{device, hipStream, false};
  return MXRT_SUCCESS;
}

mxrt_status mxrt_stream_synchronize(mxrt_stream stream) {
  if (!stream)
    return fail(MXRT_ERROR_INVALID_ARGUMENT,
                "mxrt_stream_synchronize: null stream");
  if (Status e = stream->device->device->synchronize(stream->handle))
    return fail(MXRT_ERROR_DEVICE,
                "mxrt_stream_synchronize: " + e.getMessage());
  return MXRT_SUCCESS;
}

void mxrt_stream_destroy(mxrt_stream stream) {
  if (stream && stream->owned)
    stream->device->device->destroyStream(stream->handle);
  delete stream;
}

/// The backend handle of `stream` if it belongs to `device`.
static bool getStreamHandle(mxrt_device device, mxrt_stream stream,
                            void *&handle) {
  handle = stream ? stream->handle : nullptr;
  return !stream || stream->device == device;
}

//===----------------------------------------------------------------------===//
// Buffers
//===----------------------------------------------------------------------===//

mxrt_status mxrt_buffer_alloc(mxrt_device device, size_t bytes,
                              mxrt_buffer *out) {
  if (!device || !out)
    return fail(MXRT_ERROR_INVALID_ARGUMENT,
                "mxrt_buffer_alloc: null device or result pointer");
  Result<uint64_t> address = device->device->allocate(bytes);
  if (!address)
    return fail(MXRT_ERROR_DEVICE, "mxrt_buffer_alloc(" + str(bytes) +
                                       " bytes) on " + device->spec + ": " +
                                       address.getMessage());
  *out = new mxrt_buffer_s{device, *address, bytes, true};
  return MXRT_SUCCESS;
}

mxrt_status mxrt_buffer_wrap(mxrt_device device, void *pointer, size_t bytes,
                             mxrt_buffer *out) {
  if (!device || !out)
    return fail(MXRT_ERROR_INVALID_ARGUMENT,
                "mxrt_buffer_wrap: null device or result pointer");
  uint64_t address = reinterpret_cast<uint64_t>(pointer);
  if (Status e = device->device->checkWrap(address, bytes))
    return fail(MXRT_ERROR_INVALID_ARGUMENT,
                "mxrt_buffer_wrap on " + device->spec + ": " + e.getMessage());
  *out = new mxrt_buffer_s{device, address, bytes, false};
  return MXRT_SUCCESS;
}

void mxrt_buffer_free(mxrt_buffer buffer) {
  if (buffer && buffer->owned)
    buffer->device->device->free(buffer->address);
  delete buffer;
}

size_t mxrt_buffer_size(mxrt_buffer buffer) {
  return buffer ? buffer->bytes : 0;
}

void *mxrt_buffer_device_pointer(mxrt_buffer buffer) {
  return buffer ? reinterpret_cast<void *>(buffer->address) : nullptr;
}

/// Checks a copy of `bytes` at `offset` and returns the stream handle.
static mxrt_status checkCopy(const char *call, mxrt_buffer buffer,
                             size_t offset, const void *host, size_t bytes,
                             mxrt_stream stream, void *&handle) {
  if (!buffer || (!host && bytes))
    return fail(MXRT_ERROR_INVALID_ARGUMENT,
                str(call) + ": null buffer or host pointer");
  if (offset > buffer->bytes || bytes > buffer->bytes - offset)
    return fail(MXRT_ERROR_INVALID_ARGUMENT,
                str(call) + ": bytes [" + str(offset) + ", " +
                    str(uint64_t(offset) + bytes) + ") lie outside the " +
                    str(buffer->bytes) + "-byte buffer");
  if (!getStreamHandle(buffer->device, stream, handle))
    return fail(MXRT_ERROR_INVALID_ARGUMENT,
                str(call) + ": the stream belongs to another device");
  return MXRT_SUCCESS;
}

mxrt_status mxrt_buffer_write(mxrt_buffer buffer, size_t offset,
                              const void *source, size_t bytes,
                              mxrt_stream stream) {
  void *handle;
  if (mxrt_status s = checkCopy("mxrt_buffer_write", buffer, offset, source,
                                bytes, stream, handle))
    return s;
  if (!bytes)
    return MXRT_SUCCESS;
  if (Status e = buffer->device->device->write(buffer->address + offset, source,
                                               bytes, handle))
    return fail(MXRT_ERROR_DEVICE, "mxrt_buffer_write: " + e.getMessage());
  return MXRT_SUCCESS;
}

mxrt_status mxrt_buffer_read(mxrt_buffer buffer, size_t offset,
                             void *destination, size_t bytes,
                             mxrt_stream stream) {
  void *handle;
  if (mxrt_status s = checkCopy("mxrt_buffer_read", buffer, offset, destination,
                                bytes, stream, handle))
    return s;
  if (!bytes)
    return MXRT_SUCCESS;
  if (Status e = buffer->device->device->read(buffer->address + offset,
                                              destination, bytes, handle))
    return fail(MXRT_ERROR_DEVICE, "mxrt_buffer_read: " + e.getMessage());
  return MXRT_SUCCESS;
}

//===----------------------------------------------------------------------===//
// Code objects
//===----------------------------------------------------------------------===//

static mxrt_status loadModule(mxrt_device device, std::string bytes,
                              std::string name, mxrt_module *out) {
  Result<amdgpu::CodeObjectInfo> info =
      amdgpu::core::readCodeObject(bytes, name);
  if (!info)
    return fail(MXRT_ERROR_INVALID_CODE_OBJECT,
                "mxrt_module_load: " + info.getMessage());
  const std::string &chip = device->device->getChip();
  if (info->chip != chip)
    return fail(MXRT_ERROR_TARGET_MISMATCH,
                "mxrt_module_load: " + name + " is built for " + info->chip +
                    ", but device " + device->spec + " is a " + chip +
                    "; compile it with mxc --target " + chip);
  auto *module = new mxrt_module_s{device, std::move(name), std::move(bytes),
                                   std::move(*info), nullptr};
  // The module's own copy of the bytes outlives the loaded code.
  Result<std::unique_ptr<LoadedCode>> code =
      device->device->load(module->bytes, module->name, module->info);
  if (!code) {
    std::string message = "mxrt_module_load: " + module->name + " on " +
                          device->spec + ": " + code.getMessage();
    delete module;
    return fail(MXRT_ERROR_INVALID_CODE_OBJECT, std::move(message));
  }
  module->code = std::move(*code);
  *out = module;
  return MXRT_SUCCESS;
}

mxrt_status mxrt_module_load_file(mxrt_device device, const char *path,
                                  mxrt_module *out) {
  if (!device || !path || !out)
    return fail(MXRT_ERROR_INVALID_ARGUMENT,
                "mxrt_module_load_file: null device, path or result pointer");
  *out = nullptr;
  std::string bytes;
  std::FILE *file = std::fopen(path, "rb");
  bool readAll = false;
  if (file) {
    char chunk[65536];
    size_t got;
    while ((got = std::fread(chunk, 1, sizeof(chunk), file)) > 0)
      bytes.append(chunk, got);
    readAll = !std::ferror(file);
    std::fclose(file);
  }
  if (!readAll)
    return fail(MXRT_ERROR_NOT_FOUND, "mxrt_module_load_file: cannot read '" +
                                          str(path) +
                                          "': " + std::strerror(errno));
  return loadModule(device, std::move(bytes), path, out);
}

mxrt_status mxrt_module_load_data(mxrt_device device, const void *data,
                                  size_t bytes, const char *name,
                                  mxrt_module *out) {
  if (!device || (!data && bytes) || !out)
    return fail(MXRT_ERROR_INVALID_ARGUMENT,
                "mxrt_module_load_data: null device, data or result pointer");
  *out = nullptr;
  return loadModule(device, std::string(static_cast<const char *>(data), bytes),
                    name && *name ? name : "<memory>", out);
}

void mxrt_module_unload(mxrt_module module) { delete module; }

size_t mxrt_module_kernel_count(mxrt_module module) {
  return module ? module->info.kernels.size() : 0;
}

const char *mxrt_module_kernel_name(mxrt_module module, size_t index) {
  if (!module || index >= module->info.kernels.size())
    return nullptr;
  return module->info.kernels[index].name.c_str();
}

/// The kernel called `name`, or an error naming those there are.
static mxrt_status findKernel(const char *call, mxrt_module module,
                              const char *name,
                              const amdgpu::KernelInfo *&kernel) {
  if (!module || !name)
    return fail(MXRT_ERROR_INVALID_ARGUMENT,
                str(call) + ": null module or kernel name");
  kernel = module->info.lookupKernel(name);
  if (kernel)
    return MXRT_SUCCESS;
  std::string names;
  for (const amdgpu::KernelInfo &k : module->info.kernels)
    names += (names.empty() ? "" : ", ") + k.name;
  return fail(MXRT_ERROR_NOT_FOUND, str(call) + ": no kernel '" + name +
                                        "' in " + module->name +
                                        " (it has: " + names + ")");
}

mxrt_status mxrt_module_kernel_info(mxrt_module module, const char *name,
                                    mxrt_kernel_info *info) {
  const amdgpu::KernelInfo *k;
  if (mxrt_status s = findKernel("mxrt_module_kernel_info", module, name, k))
    return s;
  if (!info)
    return fail(MXRT_ERROR_INVALID_ARGUMENT,
                "mxrt_module_kernel_info: null result pointer");
  *info = {};
  info->arg_count = k->getExplicitArgCount();
  info->kernarg_bytes = k->kernargSegmentSize;
  info->static_lds_bytes = k->groupSegmentFixedSize;
  info->scratch_bytes = k->privateSegmentFixedSize;
  info->vgpr_count = k->vgprCount;
  info->agpr_count = k->agprCount;
  info->sgpr_count = k->sgprCount;
  info->vgpr_spill_count = k->vgprSpillCount;
  info->sgpr_spill_count = k->sgprSpillCount;
  info->wavefront_size = k->wavefrontSize;
  info->max_workgroup_size = k->maxFlatWorkgroupSize;
  if (k->reqdWorkgroupSize)
    for (unsigned d = 0; d < 3; ++d)
      info->required_block[d] = (*k->reqdWorkgroupSize)[d];
  return MXRT_SUCCESS;
}

/// The explicit arguments of `kernel`, in order.
static std::vector<const amdgpu::KernelArgInfo *>
getExplicitArgs(const amdgpu::KernelInfo &kernel) {
  std::vector<const amdgpu::KernelArgInfo *> args;
  for (const amdgpu::KernelArgInfo &arg : kernel.args)
    if (!arg.isHidden())
      args.push_back(&arg);
  return args;
}

mxrt_status mxrt_module_kernel_arg(mxrt_module module, const char *name,
                                   uint32_t index, mxrt_arg_info *info) {
  const amdgpu::KernelInfo *k;
  if (mxrt_status s = findKernel("mxrt_module_kernel_arg", module, name, k))
    return s;
  std::vector<const amdgpu::KernelArgInfo *> args = getExplicitArgs(*k);
  if (!info || index >= args.size())
    return fail(MXRT_ERROR_INVALID_ARGUMENT,
                "mxrt_module_kernel_arg: kernel '" + str(name) + "' has " +
                    str(args.size()) + " arguments; asked for " + str(index));
  info->kind =
      args[index]->isPointer() ? MXRT_ARG_KIND_POINTER : MXRT_ARG_KIND_VALUE;
  info->offset = args[index]->offset;
  info->size = args[index]->size;
  info->name = args[index]->name.c_str();
  return MXRT_SUCCESS;
}

//===----------------------------------------------------------------------===//
// Launching
//===----------------------------------------------------------------------===//

/// Checks and runs one launch of resolved arguments. `where` prefixes
/// messages ("mxrt_launch", "mxrt_program_run('gemm') launch 0").
static mxrt_status launchChecked(const std::string &where, mxrt_module module,
                                 const amdgpu::KernelInfo &kernel,
                                 const LaunchDims &dims,
                                 const std::vector<mxrt_value> &values,
                                 mxrt_stream stream) {
  std::string prefix =
      where + ": " + module->name + ", kernel '" + kernel.name + "': ";
  auto bad = [&](const std::string &why) {
    return fail(MXRT_ERROR_INVALID_ARGUMENT, prefix + why);
  };
  std::vector<const amdgpu::KernelArgInfo *> params = getExplicitArgs(kernel);
  if (values.size() != params.size())
    return bad("takes " + str(params.size()) + " arguments, got " +
               str(values.size()));
  std::vector<KernelArg> args;
  for (size_t i = 0; i < values.size(); ++i) {
    const mxrt_value &value = values[i];
    const amdgpu::KernelArgInfo &param = *params[i];
    auto argError = [&](const std::string &why) {
      return bad("argument " + str(i) + ": " + why);
    };
    if (param.offset % std::min<uint32_t>(std::max<uint32_t>(param.size, 1), 8))
      return argError("the metadata places it at misaligned offset " +
                      str(param.offset));
    KernelArg arg;
    arg.size = param.size;
    if (param.isPointer()) {
      if (param.size != 8)
        return argError("a " + str(param.size) + "-byte pointer");
      arg.pointer = true;
      if (value.kind == MXRT_VALUE_BUFFER) {
        if (!value.buffer)
          return argError("null buffer");
        if (value.buffer->device != module->device)
          return argError("the buffer belongs to another device");
        arg.bits = value.buffer->address;
      } else if (value.kind == MXRT_VALUE_POINTER) {
        arg.bits = reinterpret_cast<uint64_t>(value.pointer);
      } else {
        return argError("the kernel takes a pointer (" + param.valueKind +
                        "), not a value");
      }
      if (arg.bits % 4)
        return argError("device pointer " + hex(arg.bits) +
                        " is not 4-byte aligned");
    } else if (param.valueKind == "by_value") {
      unsigned size;
      switch (value.kind) {
      case MXRT_VALUE_I32:
        size = 4, arg.bits = uint32_t(value.i32);
        break;
      case MXRT_VALUE_F32: {
        uint32_t bits;
        std::memcpy(&bits, &value.f32, 4);
        size = 4, arg.bits = bits;
        break;
      }
      case MXRT_VALUE_I64:
        size = 8, arg.bits = uint64_t(value.i64);
        break;
      default:
        return argError("the kernel takes " + str(param.size) +
                        " bytes by value, not a pointer");
      }
      if (size != param.size)
        return argError("the kernel takes " + str(param.size) +
                        " bytes by value; got a " + str(size) + "-byte value");
    } else {
      return argError("kind '" + param.valueKind +
                      "' is not one libmxrt can pass");
    }
    args.push_back(arg);
  }

  uint64_t lanes = 1;
  for (unsigned d = 0; d < 3; ++d) {
    if (dims.grid[d] == 0 || dims.block[d] == 0)
      return bad("grid " + str(dims.grid[0]) + "," + str(dims.grid[1]) + "," +
                 str(dims.grid[2]) + " and block " + str(dims.block[0]) + "," +
                 str(dims.block[1]) + "," + str(dims.block[2]) +
                 " must be positive");
    if (uint64_t(dims.grid[d]) * dims.block[d] > UINT32_MAX)
      return bad("dimension " + str(d) + " has more than 2^32 lanes");
    lanes *= dims.block[d];
  }
  if (lanes > kernel.maxFlatWorkgroupSize)
    return bad("a block of " + str(lanes) + " lanes exceeds the kernel's " +
               str(kernel.maxFlatWorkgroupSize));
  if (kernel.reqdWorkgroupSize && *kernel.reqdWorkgroupSize != dims.block)
    return bad("the kernel was compiled for blocks of exactly " +
               str((*kernel.reqdWorkgroupSize)[0]) + "," +
               str((*kernel.reqdWorkgroupSize)[1]) + "," +
               str((*kernel.reqdWorkgroupSize)[2]) + " lanes, got " +
               str(dims.block[0]) + "," + str(dims.block[1]) + "," +
               str(dims.block[2]));
  uint64_t lds = uint64_t(kernel.groupSegmentFixedSize) + dims.dynamicLdsBytes;
  uint32_t limit = module->device->device->getLdsBytesPerWorkgroup();
  if (lds > limit)
    return bad(str(kernel.groupSegmentFixedSize) + " static + " +
               str(dims.dynamicLdsBytes) + " dynamic LDS bytes exceed the " +
               str(limit) + " a " + module->device->device->getChip() +
               " workgroup has");
  void *handle;
  if (!getStreamHandle(module->device, stream, handle))
    return bad("the stream belongs to another device");
  if (Status e = module->device->device->launch(*module->code, kernel, dims,
                                                args, handle))
    return fail(MXRT_ERROR_LAUNCH, prefix + e.getMessage());
  return MXRT_SUCCESS;
}

mxrt_status mxrt_launch(mxrt_module module, const char *name,
                        const uint32_t grid[3], const uint32_t block[3],
                        uint32_t dynamicLdsBytes, const mxrt_value *args,
                        size_t argCount, mxrt_stream stream) {
  const amdgpu::KernelInfo *kernel;
  if (mxrt_status s = findKernel("mxrt_launch", module, name, kernel))
    return s;
  if (!grid || !block || (!args && argCount))
    return fail(MXRT_ERROR_INVALID_ARGUMENT,
                "mxrt_launch: null grid, block or arguments");
  LaunchDims dims{{grid[0], grid[1], grid[2]},
                  {block[0], block[1], block[2]},
                  dynamicLdsBytes};
  return launchChecked("mxrt_launch", module, *kernel, dims,
                       std::vector<mxrt_value>(args, args + argCount), stream);
}

//===----------------------------------------------------------------------===//
// Programs
//===----------------------------------------------------------------------===//

static const amdgpu::PlanProgram *findProgram(mxrt_module module,
                                              const char *name) {
  if (!module || !name || !module->info.plan)
    return nullptr;
  return module->info.plan->lookupProgram(name);
}

size_t mxrt_module_program_count(mxrt_module module) {
  return module && module->info.plan ? module->info.plan->programs.size() : 0;
}

const char *mxrt_module_program_name(mxrt_module module, size_t index) {
  if (index >= mxrt_module_program_count(module))
    return nullptr;
  return module->info.plan->programs[index].name.c_str();
}

static mxrt_status noProgram(const char *call, mxrt_module module,
                             const char *name) {
  if (!module || !name)
    return fail(MXRT_ERROR_INVALID_ARGUMENT,
                str(call) + ": null module or program name");
  if (!module->info.plan)
    return fail(MXRT_ERROR_NOT_FOUND,
                str(call) + ": " + module->name +
                    " has no launch plan (it was not compiled by mxc from a "
                    "program)");
  return fail(MXRT_ERROR_NOT_FOUND,
              str(call) + ": no program '" + name + "' in " + module->name);
}

mxrt_status mxrt_program_signature(mxrt_module module, const char *name,
                                   size_t *paramCount, size_t *sizeCount) {
  const amdgpu::PlanProgram *program = findProgram(module, name);
  if (!program)
    return noProgram("mxrt_program_signature", module, name);
  if (paramCount)
    *paramCount = program->params.size();
  if (sizeCount)
    *sizeCount = program->sizes.size();
  return MXRT_SUCCESS;
}

const char *mxrt_program_size_name(mxrt_module module, const char *name,
                                   size_t index) {
  const amdgpu::PlanProgram *program = findProgram(module, name);
  if (!program || index >= program->sizes.size())
    return nullptr;
  return program->sizes[index].name.c_str();
}

/// Checks the runtime sizes given for `program`.
static mxrt_status checkSizes(const std::string &where,
                              const amdgpu::PlanProgram &program,
                              const int64_t *sizes, size_t count) {
  if (count != program.sizes.size() || (!sizes && count))
    return fail(MXRT_ERROR_INVALID_ARGUMENT,
                where + ": the program takes " + str(program.sizes.size()) +
                    " runtime sizes, got " + str(count));
  for (size_t i = 0; i < count; ++i)
    if (sizes[i] < 0 || sizes[i] > INT32_MAX)
      return fail(MXRT_ERROR_INVALID_ARGUMENT,
                  where + ": size " + program.sizes[i].name + " = " +
                      str(sizes[i]) + " is not in [0, 2^31)");
  return MXRT_SUCCESS;
}

mxrt_status mxrt_program_param_bytes(mxrt_module module, const char *name,
                                     size_t index, const int64_t *sizes,
                                     size_t sizeCount, uint64_t *bytes) {
  const amdgpu::PlanProgram *program = findProgram(module, name);
  if (!program)
    return noProgram("mxrt_program_param_bytes", module, name);
  std::string where = "mxrt_program_param_bytes('" + str(name) + "')";
  if (mxrt_status s = checkSizes(where, *program, sizes, sizeCount))
    return s;
  if (index >= program->params.size() || !bytes)
    return fail(MXRT_ERROR_INVALID_ARGUMENT,
                where + ": no parameter " + str(index));
  *bytes = program->params[index].getBytes(amdgpu::SizeView(sizes, sizeCount));
  return MXRT_SUCCESS;
}

mxrt_status mxrt_program_run(mxrt_module module, const char *name,
                             const mxrt_buffer *buffers, size_t bufferCount,
                             const int64_t *sizes, size_t sizeCount,
                             mxrt_stream stream) {
  const amdgpu::PlanProgram *program = findProgram(module, name);
  if (!program)
    return noProgram("mxrt_program_run", module, name);
  std::string where = "mxrt_program_run('" + str(name) + "')";
  if (mxrt_status s = checkSizes(where, *program, sizes, sizeCount))
    return s;
  amdgpu::SizeView sizeValues(sizes, sizeCount);
  if (bufferCount != program->params.size() || (!buffers && bufferCount))
    return fail(MXRT_ERROR_INVALID_ARGUMENT,
                where + ": the program takes " + str(program->params.size()) +
                    " buffers, got " + str(bufferCount));
  for (size_t i = 0; i < bufferCount; ++i) {
    const amdgpu::PlanParam &param = program->params[i];
    if (!buffers[i] || buffers[i]->device != module->device)
      return fail(MXRT_ERROR_INVALID_ARGUMENT,
                  where + ": buffer " + str(i) +
                      " is null or belongs to another device");
    uint64_t needed = param.getBytes(sizeValues);
    if (buffers[i]->bytes < needed) {
      std::string sizeText;
      for (size_t s = 0; s < program->sizes.size(); ++s)
        sizeText += (s ? ", " : " for ") + program->sizes[s].name + " = " +
                    to_string(sizes[s]);
      return fail(MXRT_ERROR_INVALID_ARGUMENT,
                  where + ": buffer " + str(i) + " (" + param.type +
                      ") holds " + str(buffers[i]->bytes) +
                      " bytes; it needs " + str(needed) + sizeText);
    }
  }
  // The launches of each op's variant for these sizes.
  Result<std::vector<const amdgpu::PlanLaunch *>> launches =
      amdgpu::core::selectLaunches(*program, sizeValues);
  if (!launches)
    return fail(MXRT_ERROR_INVALID_ARGUMENT,
                where + ": " + launches.getMessage());
  for (size_t l = 0; l < launches->size(); ++l) {
    const amdgpu::PlanLaunch &launch = *(*launches)[l];
    const amdgpu::KernelInfo *kernel = module->info.lookupKernel(launch.kernel);
    Result<amdgpu::ResolvedLaunch> resolved =
        amdgpu::core::resolveLaunch(launch, sizeValues);
    if (!resolved)
      return fail(MXRT_ERROR_INVALID_ARGUMENT,
                  where + ": launch " + str(l) + ": " + resolved.getMessage());
    if (resolved->empty)
      continue; // A size of 0: nothing to compute.
    LaunchDims dims;
    for (unsigned d = 0; d < 3; ++d) {
      dims.grid[d] = resolved->grid[d];
      dims.block[d] = launch.block[d];
    }
    dims.dynamicLdsBytes = launch.dynamicLdsBytes;
    std::vector<mxrt_value> values;
    for (const amdgpu::ResolvedLaunch::Arg &arg : resolved->args) {
      mxrt_value value{};
      if (arg.isBuffer) {
        value.kind = MXRT_VALUE_BUFFER;
        value.buffer = buffers[arg.param];
      } else if (arg.bytes == 4) {
        value.kind = MXRT_VALUE_I32, value.i32 = int32_t(arg.value);
      } else {
        value.kind = MXRT_VALUE_I64, value.i64 = arg.value;
      }
      values.push_back(value);
    }
    if (mxrt_status s = launchChecked(where + " launch " + str(l), module,
                                      *kernel, dims, values, stream))
      return s;
  }
  return MXRT_SUCCESS;
}
