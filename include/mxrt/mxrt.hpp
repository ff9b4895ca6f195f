//===- mxrt.hpp - libmxrt C++17 API -----------------------------*- C++ -*-===//
//
// Part of mxc. RAII handles over the C API (mxrt.h), header-only so that the
// host application and libmxrt share no C++ ABI. Failures throw mxrt::Error,
// whose what() is libmxrt's message. docs/runtime.md has a worked example.
//
//===----------------------------------------------------------------------===//

#ifndef MXRT_MXRT_HPP
#define MXRT_MXRT_HPP

#include "mxrt/mxrt.h"

#include <array>
#include <cstdint>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace mxrt {

class Error : public std::runtime_error {
public:
  Error(mxrt_status status, const std::string &message)
      : std::runtime_error(message), status_(status) {}
  mxrt_status status() const { return status_; }

private:
  mxrt_status status_;
};

namespace detail {
inline void check(mxrt_status status) {
  if (status != MXRT_SUCCESS)
    throw Error(status, mxrt_last_error());
}

/// A move-only owner of a C handle.
template <typename Handle, void (*Release)(Handle)> class Owner {
public:
  Owner() = default;
  explicit Owner(Handle handle) : handle_(handle) {}
  Owner(Owner &&other) noexcept : handle_(std::exchange(other.handle_, {})) {}
  Owner &operator=(Owner &&other) noexcept {
    if (this != &other) {
      reset();
      handle_ = std::exchange(other.handle_, {});
    }
    return *this;
  }
  ~Owner() { reset(); }
  Handle get() const { return handle_; }
  explicit operator bool() const { return handle_ != nullptr; }

private:
  void reset() {
    if (handle_)
      Release(handle_);
    handle_ = {};
  }
  Handle handle_ = {};
};
} // namespace detail

using Dim3 = std::array<uint32_t, 3>;

class Stream {
public:
  explicit Stream(mxrt_stream stream) : stream_(stream) {}
  mxrt_stream get() const { return stream_.get(); }
  void synchronize() const { detail::check(mxrt_stream_synchronize(get())); }

private:
  detail::Owner<mxrt_stream, mxrt_stream_destroy> stream_;
};

class Buffer {
public:
  explicit Buffer(mxrt_buffer buffer) : buffer_(buffer) {}
  mxrt_buffer get() const { return buffer_.get(); }
  size_t size() const { return mxrt_buffer_size(get()); }
  void *devicePointer() const { return mxrt_buffer_device_pointer(get()); }

  void write(const void *data, size_t bytes, size_t offset = 0,
             const Stream *stream = nullptr) {
    detail::check(mxrt_buffer_write(get(), offset, data, bytes,
                                    stream ? stream->get() : nullptr));
  }
  void read(void *data, size_t bytes, size_t offset = 0,
            const Stream *stream = nullptr) const {
    detail::check(mxrt_buffer_read(get(), offset, data, bytes,
                                   stream ? stream->get() : nullptr));
  }
  template <typename T> void write(const std::vector<T> &values) {
    write(values.data(), values.size() * sizeof(T));
  }
  template <typename T> std::vector<T> read() const {
    std::vector<T> values(size() / sizeof(T));
    read(values.data(), values.size() * sizeof(T));
    return values;
  }

private:
  detail::Owner<mxrt_buffer, mxrt_buffer_free> buffer_;
};

/// A kernel argument: a buffer, a raw device pointer, or a scalar.
class Value {
public:
  Value(const Buffer &buffer) : value_(make(MXRT_VALUE_BUFFER)) {
    value_.buffer = buffer.get();
  }
  static Value pointer(void *devicePointer) {
    Value v(MXRT_VALUE_POINTER);
    v.value_.pointer = devicePointer;
    return v;
  }
  Value(int32_t v) : value_(make(MXRT_VALUE_I32)) { value_.i32 = v; }
  Value(int64_t v) : value_(make(MXRT_VALUE_I64)) { value_.i64 = v; }
  Value(float v) : value_(make(MXRT_VALUE_F32)) { value_.f32 = v; }
  const mxrt_value &get() const { return value_; }

private:
  explicit Value(mxrt_value_kind kind) : value_(make(kind)) {}
  static mxrt_value make(mxrt_value_kind kind) {
    mxrt_value v{};
    v.kind = kind;
    return v;
  }
  mxrt_value value_;
};

struct ArgInfo {
  mxrt_arg_kind kind;
  uint32_t offset, size;
  std::string name;
};

class Module {
public:
  explicit Module(mxrt_module module) : module_(module) {}
  mxrt_module get() const { return module_.get(); }

  std::vector<std::string> kernels() const {
    std::vector<std::string> names;
    for (size_t i = 0, e = mxrt_module_kernel_count(get()); i < e; ++i)
      names.emplace_back(mxrt_module_kernel_name(get(), i));
    return names;
  }
  mxrt_kernel_info kernelInfo(const std::string &kernel) const {
    mxrt_kernel_info info;
    detail::check(mxrt_module_kernel_info(get(), kernel.c_str(), &info));
    return info;
  }
  std::vector<ArgInfo> kernelArgs(const std::string &kernel) const {
    std::vector<ArgInfo> args;
    for (uint32_t i = 0, e = kernelInfo(kernel).arg_count; i < e; ++i) {
      mxrt_arg_info a;
      detail::check(mxrt_module_kernel_arg(get(), kernel.c_str(), i, &a));
      args.push_back({a.kind, a.offset, a.size, a.name});
    }
    return args;
  }

  void launch(const std::string &kernel, Dim3 grid, Dim3 block,
              const std::vector<Value> &args, uint32_t dynamicLdsBytes = 0,
              const Stream *stream = nullptr) const {
    std::vector<mxrt_value> values;
    for (const Value &v : args)
      values.push_back(v.get());
    detail::check(mxrt_launch(get(), kernel.c_str(), grid.data(), block.data(),
                              dynamicLdsBytes, values.data(), values.size(),
                              stream ? stream->get() : nullptr));
  }

  std::vector<std::string> programs() const {
    std::vector<std::string> names;
    for (size_t i = 0, e = mxrt_module_program_count(get()); i < e; ++i)
      names.emplace_back(mxrt_module_program_name(get(), i));
    return names;
  }
  /// The program's runtime size names, in the order run() takes them.
  std::vector<std::string> programSizes(const std::string &program) const {
    size_t params = 0, sizes = 0;
    detail::check(
        mxrt_program_signature(get(), program.c_str(), &params, &sizes));
    std::vector<std::string> names;
    for (size_t i = 0; i < sizes; ++i)
      names.emplace_back(mxrt_program_size_name(get(), program.c_str(), i));
    return names;
  }
  uint64_t paramBytes(const std::string &program, size_t param,
                      const std::vector<int64_t> &sizes) const {
    uint64_t bytes = 0;
    detail::check(mxrt_program_param_bytes(get(), program.c_str(), param,
                                           sizes.data(), sizes.size(), &bytes));
    return bytes;
  }
  /// Runs `program`'s launches: one buffer per parameter, one value per
  /// runtime size.
  void run(const std::string &program,
           const std::vector<const Buffer *> &buffers,
           const std::vector<int64_t> &sizes,
           const Stream *stream = nullptr) const {
    std::vector<mxrt_buffer> handles;
    for (const Buffer *b : buffers)
      handles.push_back(b ? b->get() : nullptr);
    detail::check(mxrt_program_run(get(), program.c_str(), handles.data(),
                                   handles.size(), sizes.data(), sizes.size(),
                                   stream ? stream->get() : nullptr));
  }

private:
  detail::Owner<mxrt_module, mxrt_module_unload> module_;
};

class Device {
public:
  /// "hip:N" or "sim:gfxNNN".
  explicit Device(const std::string &spec) {
    mxrt_device device = nullptr;
    detail::check(mxrt_device_open(spec.c_str(), &device));
    device_ = Handle(device);
  }
  mxrt_device get() const { return device_.get(); }
  std::string chip() const { return mxrt_device_chip(get()); }
  void synchronize() const { detail::check(mxrt_device_synchronize(get())); }

  Buffer allocate(size_t bytes) const {
    mxrt_buffer buffer = nullptr;
    detail::check(mxrt_buffer_alloc(get(), bytes, &buffer));
    return Buffer(buffer);
  }
  /// Device memory the host application owns.
  Buffer wrap(void *devicePointer, size_t bytes) const {
    mxrt_buffer buffer = nullptr;
    detail::check(mxrt_buffer_wrap(get(), devicePointer, bytes, &buffer));
    return Buffer(buffer);
  }
  Stream createStream() const {
    mxrt_stream stream = nullptr;
    detail::check(mxrt_stream_create(get(), &stream));
    return Stream(stream);
  }
  /// A hipStream_t the host application owns.
  Stream wrapStream(void *hipStream) const {
    mxrt_stream stream = nullptr;
    detail::check(mxrt_stream_wrap(get(), hipStream, &stream));
    return Stream(stream);
  }
  Module load(const std::string &path) const {
    mxrt_module module = nullptr;
    detail::check(mxrt_module_load_file(get(), path.c_str(), &module));
    return Module(module);
  }
  Module load(const void *data, size_t bytes,
              const std::string &name = "<memory>") const {
    mxrt_module module = nullptr;
    detail::check(
        mxrt_module_load_data(get(), data, bytes, name.c_str(), &module));
    return Module(module);
  }

private:
  using Handle = detail::Owner<mxrt_device, mxrt_device_close>;
  Handle device_;
};

} // namespace mxrt

#endif // MXRT_MXRT_HPP
