//===- CompilerModule.cpp - mxc._compiler: mxc in process -----------------===//
//
// Part of mxc. mxc's compiler for Python, through lib/Driver's one-call API
// (mxc/Driver/Compiler.h): MLIR text, or one of the ready-made kernels of
// `mxc gemm`/`quantize`/`dequantize`/`swiglu`/`rmsnorm`, to a code object, in
// this process. A failure is raised as mxc.CompileError with mxc's one-line
// message. mxc/compiler.py builds the user-facing API on these.
//
//===----------------------------------------------------------------------===//

#include "mxc/Driver/Compiler.h"

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <string>
#include <utility>
#include <vector>

namespace py = pybind11;
using namespace mxc::driver;
using mxc::amdgpu::core::Result;

namespace {

/// A failed compilation: raised as mxc.errors.CompileError(message).
struct CompileFailure {
  std::string message;
};

CompileRequest makeRequest(const std::string &target, unsigned optLevel,
                           const std::string &emit, bool embedBitcode,
                           bool barePtrMemrefs, const std::string &ldLld,
                           const std::string &deviceLibs,
                           const std::string &config, int64_t tuneM,
                           const std::string &mBuckets) {
  CompileRequest request;
  request.target = target;
  request.optLevel = optLevel;
  request.emit = emit;
  request.embedBitcode = embedBitcode;
  request.barePtrMemrefs = barePtrMemrefs;
  request.ldLld = ldLld;
  request.deviceLibs = deviceLibs;
  request.config = config;
  request.tuneM = tuneM;
  request.mBuckets = mBuckets;
  return request;
}

/// The code object (or text) and the warnings, or CompileFailure.
py::tuple unwrap(Result<CompileOutput> result) {
  if (!result)
    throw CompileFailure{result.getMessage()};
  return py::make_tuple(py::bytes(result->bytes), result->warnings);
}

/// Runs `compile` without the GIL: compiling takes a while, and other Python
/// threads may compile or run kernels meanwhile.
template <typename Compile> py::tuple compileReleased(Compile compile) {
  Result<CompileOutput> result = [&] {
    py::gil_scoped_release release;
    return compile();
  }();
  return unwrap(std::move(result));
}

} // namespace

#define MXC_REQUEST_ARGS                                                       \
  py::kw_only(), py::arg("target"), py::arg("opt_level"), py::arg("emit"),     \
      py::arg("embed_bitcode"), py::arg("bare_ptr_memrefs"),                   \
      py::arg("ld_lld"), py::arg("device_libs"), py::arg("config"),            \
      py::arg("tune_m"), py::arg("m_buckets")

PYBIND11_MODULE(_compiler, m) {
  m.doc() = "mxc's compiler in process, for mxc's Python package (see "
            "mxc.compiler)";

  py::register_exception_translator([](std::exception_ptr thrown) {
    try {
      if (thrown)
        std::rethrow_exception(thrown);
    } catch (const CompileFailure &failure) {
      py::object type = py::module_::import("mxc.errors").attr("CompileError");
      PyErr_SetObject(type.ptr(), type(failure.message).ptr());
    }
  });

  m.def(
      "compile_source",
      [](const std::string &text, const std::string &name,
         const std::string &target, unsigned optLevel, const std::string &emit,
         bool embedBitcode, bool barePtrMemrefs, const std::string &ldLld,
         const std::string &deviceLibs, const std::string &config,
         int64_t tuneM, const std::string &mBuckets) {
        CompileRequest request =
            makeRequest(target, optLevel, emit, embedBitcode, barePtrMemrefs,
                        ldLld, deviceLibs, config, tuneM, mBuckets);
        return compileReleased(
            [&] { return compileSource(text, name, request); });
      },
      py::arg("text"), py::arg("name"), MXC_REQUEST_ARGS);

  m.def(
      "compile_gemm",
      [](const std::string &aFormat, const std::string &bFormat, int64_t n,
         int64_t k, const std::string &out, bool bias,
         const std::string &bLayout, const std::string &target,
         unsigned optLevel, const std::string &emit, bool embedBitcode,
         bool barePtrMemrefs, const std::string &ldLld,
         const std::string &deviceLibs, const std::string &config,
         int64_t tuneM, const std::string &mBuckets) {
        GemmSpec spec{aFormat, bFormat, n, k, out, bias, bLayout};
        CompileRequest request =
            makeRequest(target, optLevel, emit, embedBitcode, barePtrMemrefs,
                        ldLld, deviceLibs, config, tuneM, mBuckets);
        return compileReleased(
            [&] { return compileGemm(spec, request, ParamSpelling::Python); });
      },
      py::arg("a_format"), py::arg("b_format"), py::arg("n"), py::arg("k"),
      py::arg("out"), py::arg("bias"), py::arg("b_layout"), MXC_REQUEST_ARGS);

  m.def(
      "compile_quantize",
      [](const std::string &format, int64_t k, const std::string &in,
         const std::string &rounding, const std::string &target,
         unsigned optLevel, const std::string &emit, bool embedBitcode,
         bool barePtrMemrefs, const std::string &ldLld,
         const std::string &deviceLibs, const std::string &config,
         int64_t tuneM, const std::string &mBuckets) {
        QuantizeSpec spec{format, k, in, rounding};
        CompileRequest request =
            makeRequest(target, optLevel, emit, embedBitcode, barePtrMemrefs,
                        ldLld, deviceLibs, config, tuneM, mBuckets);
        return compileReleased([&] {
          return compileQuantize(spec, request, ParamSpelling::Python);
        });
      },
      py::arg("format"), py::arg("k"), py::arg("in_type"), py::arg("rounding"),
      MXC_REQUEST_ARGS);

  m.def(
      "compile_dequantize",
      [](const std::string &format, int64_t k, const std::string &out,
         const std::string &target, unsigned optLevel, const std::string &emit,
         bool embedBitcode, bool barePtrMemrefs, const std::string &ldLld,
         const std::string &deviceLibs, const std::string &config,
         int64_t tuneM, const std::string &mBuckets) {
        DequantizeSpec spec{format, k, out};
        CompileRequest request =
            makeRequest(target, optLevel, emit, embedBitcode, barePtrMemrefs,
                        ldLld, deviceLibs, config, tuneM, mBuckets);
        return compileReleased([&] {
          return compileDequantize(spec, request, ParamSpelling::Python);
        });
      },
      py::arg("format"), py::arg("k"), py::arg("out"), MXC_REQUEST_ARGS);

  m.def(
      "compile_swiglu",
      [](int64_t i, const std::string &layout, std::optional<double> limit,
         double alpha, double beta, const std::string &in,
         const std::string &out, const std::string &rounding,
         const std::string &target, unsigned optLevel, const std::string &emit,
         bool embedBitcode, bool barePtrMemrefs, const std::string &ldLld,
         const std::string &deviceLibs, const std::string &config,
         int64_t tuneM, const std::string &mBuckets) {
        SwigluSpec spec{i, layout, limit, alpha, beta, in, out, rounding};
        CompileRequest request =
            makeRequest(target, optLevel, emit, embedBitcode, barePtrMemrefs,
                        ldLld, deviceLibs, config, tuneM, mBuckets);
        return compileReleased([&] {
          return compileSwiglu(spec, request, ParamSpelling::Python);
        });
      },
      py::arg("i"), py::arg("layout"), py::arg("limit"), py::arg("alpha"),
      py::arg("beta"), py::arg("in_type"), py::arg("out"), py::arg("rounding"),
      MXC_REQUEST_ARGS);

  m.def(
      "compile_rmsnorm",
      [](int64_t h, bool residual, double eps, const std::string &in,
         const std::string &out, const std::string &rounding,
         const std::string &target, unsigned optLevel, const std::string &emit,
         bool embedBitcode, bool barePtrMemrefs, const std::string &ldLld,
         const std::string &deviceLibs, const std::string &config,
         int64_t tuneM, const std::string &mBuckets) {
        RmsNormSpec spec{h, residual, eps, in, out, rounding};
        CompileRequest request =
            makeRequest(target, optLevel, emit, embedBitcode, barePtrMemrefs,
                        ldLld, deviceLibs, config, tuneM, mBuckets);
        return compileReleased([&] {
          return compileRmsNorm(spec, request, ParamSpelling::Python);
        });
      },
      py::arg("h"), py::arg("residual"), py::arg("eps"), py::arg("in_type"),
      py::arg("out"), py::arg("rounding"), MXC_REQUEST_ARGS);
}
