//===- RuntimeModule.cpp - mxc._runtime: libmxrt for Python ---------------===//
//
// Part of mxc. A thin pybind11 layer over libmxrt's C API (mxrt.h): devices,
// streams, buffers, modules and launch-plan programs, each failure raised as
// mxc.MxrtError with libmxrt's message; the code-object reader (LLVM-free,
// as in libmxrt's core) that gives Python a code object's kernels and launch
// plan; and the consumer side of DLPack, for tensors on a HIP device.
// mxc/runtime.py builds the user-facing API on these.
//
//===----------------------------------------------------------------------===//

#include "mxc/Target/AMDGPU/CodeObjectInfo.h"
#include "mxrt/mxrt.h"

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace py = pybind11;
using namespace mxc::amdgpu;

namespace {

/// A failed libmxrt call: raised as mxc.MxrtError(message, status name).
struct MxrtFailure {
  mxrt_status status;
  std::string message;
};

void check(mxrt_status status) {
  if (status != MXRT_SUCCESS)
    throw MxrtFailure{status, mxrt_last_error()};
}

/// An open device, shared by everything made on it so that it closes last.
struct DeviceHandle {
  mxrt_device device = nullptr;
  explicit DeviceHandle(const std::string &spec) {
    mxrt_status status;
    {
      py::gil_scoped_release release;
      status = mxrt_device_open(spec.c_str(), &device);
    }
    check(status);
  }
  ~DeviceHandle() { mxrt_device_close(device); }
  DeviceHandle(const DeviceHandle &) = delete;
  DeviceHandle &operator=(const DeviceHandle &) = delete;
};
using DevicePtr = std::shared_ptr<DeviceHandle>;

struct Stream {
  DevicePtr device;
  mxrt_stream stream = nullptr;
  /// The hipStream_t it wraps, for DLPack producers; none for the streams
  /// libmxrt creates (mxrt.h does not say theirs).
  std::optional<uintptr_t> hipStream;
  Stream(DevicePtr device, mxrt_stream stream,
         std::optional<uintptr_t> hipStream = std::nullopt)
      : device(std::move(device)), stream(stream), hipStream(hipStream) {}
  ~Stream() { mxrt_stream_destroy(stream); }
  Stream(const Stream &) = delete;
  Stream &operator=(const Stream &) = delete;
};

/// The mxrt_stream of an optional Stream (null: the device's default).
mxrt_stream streamOf(const Stream *stream) {
  return stream ? stream->stream : nullptr;
}

struct Buffer {
  DevicePtr device;
  mxrt_buffer buffer = nullptr;
  Buffer(DevicePtr device, mxrt_buffer buffer)
      : device(std::move(device)), buffer(buffer) {}
  ~Buffer() { mxrt_buffer_free(buffer); }
  Buffer(const Buffer &) = delete;
  Buffer &operator=(const Buffer &) = delete;

  size_t size() const { return mxrt_buffer_size(buffer); }
  uintptr_t devicePointer() const {
    return reinterpret_cast<uintptr_t>(mxrt_buffer_device_pointer(buffer));
  }

  /// Copies the bytes of `source` (any buffer-protocol object) in.
  void write(py::buffer source, size_t offset, const Stream *stream) {
    py::buffer_info info = source.request();
    size_t bytes = size_t(info.size) * size_t(info.itemsize);
    if (!PyBuffer_IsContiguous(info.view(), 'C'))
      throw py::value_error("Buffer.write: the source is not C-contiguous");
    py::gil_scoped_release release;
    check(mxrt_buffer_write(buffer, offset, info.ptr, bytes, streamOf(stream)));
  }
  /// Copies bytes out into `destination` (a writable buffer-protocol object),
  /// filling it.
  void read(py::buffer destination, size_t offset, const Stream *stream) {
    py::buffer_info info = destination.request(/*writable=*/true);
    size_t bytes = size_t(info.size) * size_t(info.itemsize);
    if (!PyBuffer_IsContiguous(info.view(), 'C'))
      throw py::value_error("Buffer.read: the destination is not C-contiguous");
    py::gil_scoped_release release;
    check(mxrt_buffer_read(buffer, offset, info.ptr, bytes, streamOf(stream)));
  }
};

struct Module {
  DevicePtr device;
  mxrt_module module = nullptr;
  Module(DevicePtr device, mxrt_module module)
      : device(std::move(device)), module(module) {}
  ~Module() { mxrt_module_unload(module); }
  Module(const Module &) = delete;
  Module &operator=(const Module &) = delete;

  uint64_t paramBytes(const std::string &program, size_t index,
                      const std::vector<int64_t> &sizes) {
    uint64_t bytes = 0;
    check(mxrt_program_param_bytes(module, program.c_str(), index, sizes.data(),
                                   sizes.size(), &bytes));
    return bytes;
  }

  void run(const std::string &program, const std::vector<Buffer *> &buffers,
           const std::vector<int64_t> &sizes, const Stream *stream) {
    std::vector<mxrt_buffer> handles;
    for (Buffer *buffer : buffers) {
      if (!buffer)
        throw py::type_error("Module.run: a buffer is None");
      handles.push_back(buffer->buffer);
    }
    py::gil_scoped_release release;
    check(mxrt_program_run(module, program.c_str(), handles.data(),
                           handles.size(), sizes.data(), sizes.size(),
                           streamOf(stream)));
  }
};

//--- DLPack (consumer side) --------------------------------------------------
// The DLPack ABI as dlpack.h (v0.6 to v0.8) declares it: a capsule named
// "dltensor" holds a DLManagedTensor; a consumer renames it "used_dltensor"
// and calls the deleter when it no longer needs the memory.

struct DLDevice {
  int32_t deviceType; // kDLCPU 1, kDLCUDA 2, kDLROCM 10, ...
  int32_t deviceId;
};
struct DLDataType {
  uint8_t code; // kDLInt 0, kDLUInt 1, kDLFloat 2, kDLBfloat 4, ...
  uint8_t bits;
  uint16_t lanes;
};
struct DLTensor {
  void *data;
  DLDevice device;
  int32_t ndim;
  DLDataType dtype;
  int64_t *shape;
  int64_t *strides; // null: compact row-major
  uint64_t byteOffset;
};
struct DLManagedTensor {
  DLTensor dlTensor;
  void *managerContext;
  void (*deleter)(DLManagedTensor *self);
};

/// A tensor taken from a DLPack capsule; returns it to its producer (the
/// deleter) when dropped.
struct DLPackTensor {
  DLManagedTensor *managed = nullptr;
  explicit DLPackTensor(py::capsule capsule) {
    if (std::string(capsule.name() ? capsule.name() : "") != "dltensor")
      throw py::value_error(
          "not a DLPack capsule, or one already consumed (its name is not "
          "'dltensor')");
    managed = static_cast<DLManagedTensor *>(capsule.get_pointer());
    if (PyCapsule_SetName(capsule.ptr(), "used_dltensor") != 0)
      throw py::error_already_set();
  }
  ~DLPackTensor() {
    if (managed && managed->deleter)
      managed->deleter(managed);
  }
  DLPackTensor(const DLPackTensor &) = delete;
  DLPackTensor &operator=(const DLPackTensor &) = delete;

  const DLTensor &tensor() const { return managed->dlTensor; }
  std::vector<int64_t> shape() const {
    return {tensor().shape, tensor().shape + tensor().ndim};
  }
  /// Strides in elements; empty when the producer gave none (compact).
  std::vector<int64_t> strides() const {
    if (!tensor().strides)
      return {};
    return {tensor().strides, tensor().strides + tensor().ndim};
  }
  uintptr_t data() const {
    return reinterpret_cast<uintptr_t>(tensor().data) + tensor().byteOffset;
  }
  /// Bytes of the elements, compact.
  size_t bytes() const {
    size_t elements = 1;
    for (int64_t extent : shape())
      elements *= size_t(std::max<int64_t>(extent, 0));
    return elements * tensor().dtype.lanes * tensor().dtype.bits / 8;
  }
};

/// libmxrt's status as its enumerator's name, for MxrtError.status.
const char *statusEnumName(mxrt_status status) {
  switch (status) {
  case MXRT_SUCCESS:
    return "MXRT_SUCCESS";
  case MXRT_ERROR_INVALID_ARGUMENT:
    return "MXRT_ERROR_INVALID_ARGUMENT";
  case MXRT_ERROR_NOT_FOUND:
    return "MXRT_ERROR_NOT_FOUND";
  case MXRT_ERROR_INVALID_CODE_OBJECT:
    return "MXRT_ERROR_INVALID_CODE_OBJECT";
  case MXRT_ERROR_TARGET_MISMATCH:
    return "MXRT_ERROR_TARGET_MISMATCH";
  case MXRT_ERROR_UNAVAILABLE:
    return "MXRT_ERROR_UNAVAILABLE";
  case MXRT_ERROR_DEVICE:
    return "MXRT_ERROR_DEVICE";
  case MXRT_ERROR_LAUNCH:
    return "MXRT_ERROR_LAUNCH";
  }
  return "MXRT_ERROR_UNKNOWN";
}

//--- Code objects -------------------------------------------------------------

py::dict toDict(const PlanDim &dim) {
  py::dict d;
  d["constant"] = dim.constant;
  d["divisor"] = dim.divisor;
  d["size"] = dim.size;
  return d;
}

/// The code object's kernels and launch plan as plain Python data, which
/// mxc/codeobject.py turns into dataclasses.
py::dict readCodeObject(py::bytes data, const std::string &name) {
  std::string bytes = data;
  core::Result<CodeObjectInfo> info = core::readCodeObject(bytes, name);
  if (!info)
    throw MxrtFailure{MXRT_ERROR_INVALID_CODE_OBJECT, info.getMessage()};
  py::dict result;
  result["chip"] = info->chip;
  result["target_id"] = info->targetId;
  py::list kernels;
  for (const KernelInfo &kernel : info->kernels) {
    py::dict k;
    k["name"] = kernel.name;
    py::list args;
    for (const KernelArgInfo &arg : kernel.args) {
      if (arg.isHidden())
        continue;
      py::dict a;
      a["name"] = arg.name;
      a["kind"] = arg.isPointer() ? "pointer" : "value";
      a["offset"] = arg.offset;
      a["size"] = arg.size;
      args.append(a);
    }
    k["args"] = args;
    k["vgprs"] = kernel.vgprCount;
    k["agprs"] = kernel.agprCount;
    k["sgprs"] = kernel.sgprCount;
    k["vgpr_spills"] = kernel.vgprSpillCount;
    k["sgpr_spills"] = kernel.sgprSpillCount;
    k["static_lds_bytes"] = kernel.groupSegmentFixedSize;
    k["scratch_bytes"] = kernel.privateSegmentFixedSize;
    k["wavefront_size"] = kernel.wavefrontSize;
    kernels.append(k);
  }
  result["kernels"] = kernels;
  py::list programs;
  if (info->plan)
    for (const PlanProgram &program : info->plan->programs) {
      py::dict p;
      p["name"] = program.name;
      py::list params;
      for (const PlanParam &param : program.params) {
        py::dict q;
        q["type"] = param.type;
        q["shape"] = param.shape;
        q["element_bits"] = param.elementBits;
        params.append(q);
      }
      p["params"] = params;
      py::list sizes;
      for (const PlanSize &size : program.sizes) {
        py::dict s;
        s["name"] = size.name;
        s["param"] = size.param;
        s["dim"] = size.dim;
        sizes.append(s);
      }
      p["sizes"] = sizes;
      py::list dispatches;
      for (const PlanDispatch &dispatch : program.dispatches) {
        py::dict d;
        d["op"] = dispatch.op;
        py::list variants;
        for (const PlanVariant &variant : dispatch.variants) {
          py::dict v;
          v["when"] = describeWhen(program, variant);
          py::list launches;
          for (const PlanLaunch &launch : variant.launches) {
            py::dict l;
            l["kernel"] = launch.kernel;
            l["grid"] =
                py::make_tuple(toDict(launch.grid[0]), toDict(launch.grid[1]),
                               toDict(launch.grid[2]));
            l["block"] = py::make_tuple(launch.block[0], launch.block[1],
                                        launch.block[2]);
            l["dynamic_lds_bytes"] = launch.dynamicLdsBytes;
            l["config"] = launch.config;
            launches.append(l);
          }
          v["launches"] = launches;
          variants.append(v);
        }
        d["variants"] = variants;
        dispatches.append(d);
      }
      p["dispatches"] = dispatches;
      programs.append(p);
    }
  result["programs"] = programs;
  return result;
}

} // namespace

PYBIND11_MODULE(_runtime, m) {
  m.doc() = "libmxrt's C API for mxc's Python package (see mxc.runtime)";

  // MxrtFailure becomes mxc.errors.MxrtError(message, status name).
  py::register_exception_translator([](std::exception_ptr thrown) {
    try {
      if (thrown)
        std::rethrow_exception(thrown);
    } catch (const MxrtFailure &failure) {
      py::object type = py::module_::import("mxc.errors").attr("MxrtError");
      py::object error = type(failure.message, statusEnumName(failure.status));
      PyErr_SetObject(type.ptr(), error.ptr());
    }
  });

  m.def("read_code_object", &readCodeObject, py::arg("data"), py::arg("name"));

  py::class_<Stream>(m, "Stream")
      .def("synchronize",
           [](Stream &self) {
             py::gil_scoped_release release;
             check(mxrt_stream_synchronize(self.stream));
           })
      .def_property_readonly("hip_stream",
                             [](const Stream &self) { return self.hipStream; });

  py::class_<Buffer>(m, "Buffer")
      .def_property_readonly("size", &Buffer::size)
      .def_property_readonly("device_pointer", &Buffer::devicePointer)
      .def("write", &Buffer::write, py::arg("source"), py::arg("offset") = 0,
           py::arg("stream") = nullptr)
      .def("read", &Buffer::read, py::arg("destination"), py::arg("offset") = 0,
           py::arg("stream") = nullptr);

  py::class_<Module>(m, "Module")
      .def_property_readonly(
          "kernels",
          [](const Module &self) {
            std::vector<std::string> names;
            size_t count = mxrt_module_kernel_count(self.module);
            for (size_t i = 0; i < count; ++i)
              names.push_back(mxrt_module_kernel_name(self.module, i));
            return names;
          })
      .def_property_readonly(
          "programs",
          [](const Module &self) {
            std::vector<std::string> names;
            size_t count = mxrt_module_program_count(self.module);
            for (size_t i = 0; i < count; ++i)
              names.push_back(mxrt_module_program_name(self.module, i));
            return names;
          })
      .def("param_bytes", &Module::paramBytes, py::arg("program"),
           py::arg("index"), py::arg("sizes"))
      .def("run", &Module::run, py::arg("program"), py::arg("buffers"),
           py::arg("sizes"), py::arg("stream") = nullptr);

  py::class_<DeviceHandle, DevicePtr>(m, "Device")
      .def(py::init<const std::string &>(), py::arg("spec"))
      .def_property_readonly("chip",
                             [](const DeviceHandle &self) {
                               return std::string(
                                   mxrt_device_chip(self.device));
                             })
      .def("synchronize",
           [](DeviceHandle &self) {
             py::gil_scoped_release release;
             check(mxrt_device_synchronize(self.device));
           })
      .def("create_stream",
           [](const DevicePtr &self) {
             mxrt_stream stream;
             check(mxrt_stream_create(self->device, &stream));
             return std::make_unique<Stream>(self, stream);
           })
      .def(
          "wrap_stream",
          [](const DevicePtr &self, uintptr_t handle) {
            mxrt_stream stream;
            check(mxrt_stream_wrap(self->device,
                                   reinterpret_cast<void *>(handle), &stream));
            return std::make_unique<Stream>(self, stream, handle);
          },
          py::arg("handle"))
      .def(
          "alloc",
          [](const DevicePtr &self, size_t bytes) {
            mxrt_buffer buffer;
            check(mxrt_buffer_alloc(self->device, bytes, &buffer));
            return std::make_unique<Buffer>(self, buffer);
          },
          py::arg("bytes"))
      .def(
          "wrap_buffer",
          [](const DevicePtr &self, uintptr_t pointer, size_t bytes) {
            mxrt_buffer buffer;
            check(mxrt_buffer_wrap(self->device,
                                   reinterpret_cast<void *>(pointer), bytes,
                                   &buffer));
            return std::make_unique<Buffer>(self, buffer);
          },
          py::arg("pointer"), py::arg("bytes"))
      .def(
          "load",
          [](const DevicePtr &self, py::bytes data, const std::string &name) {
            std::string bytes = data;
            mxrt_module module;
            mxrt_status status;
            {
              py::gil_scoped_release release;
              status =
                  mxrt_module_load_data(self->device, bytes.data(),
                                        bytes.size(), name.c_str(), &module);
            }
            check(status);
            return std::make_unique<Module>(self, module);
          },
          py::arg("data"), py::arg("name"));

  py::class_<DLPackTensor>(m, "DLPackTensor")
      .def(py::init<py::capsule>(), py::arg("capsule"))
      .def_property_readonly("device_type",
                             [](const DLPackTensor &self) {
                               return self.tensor().device.deviceType;
                             })
      .def_property_readonly("device_id",
                             [](const DLPackTensor &self) {
                               return self.tensor().device.deviceId;
                             })
      .def_property_readonly("data", &DLPackTensor::data)
      .def_property_readonly("nbytes", &DLPackTensor::bytes)
      // The elements as writable bytes, for tensors in host memory; valid
      // while this object lives.
      .def("host_view",
           [](const DLPackTensor &self) {
             return py::memoryview::from_memory(
                 reinterpret_cast<void *>(self.data()),
                 static_cast<py::ssize_t>(self.bytes()), /*readonly=*/false);
           })
      .def_property_readonly("shape", &DLPackTensor::shape)
      .def_property_readonly("strides", &DLPackTensor::strides)
      .def_property_readonly("dtype", [](const DLPackTensor &self) {
        const DLDataType &type = self.tensor().dtype;
        return py::make_tuple(type.code, type.bits, type.lanes);
      });
}
