//===- RuntimeTest.cpp - libmxrt on the simulator -------------------------===//
//
// Part of mxc. Loads a linear layer mxc compiles here, reads its metadata and
// launch plan through the C++ API, launches it by hand and as a program, and
// checks the errors libmxrt gives for bad use.
//
//===----------------------------------------------------------------------===//

#include "../CompileMlir.h"
#include "mxrt/mxrt.hpp"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include <cstdlib>

using namespace mxc;
using ::testing::HasSubstr;

namespace {
// y[M, 64] = x[M, 128] * w[64, 128]^T + bias, E4M3, f32 out.
constexpr const char *kLinear = R"mlir(
func.func @linear(%x: memref<?x128xf8E4M3FN>, %xs: memref<?x4xf8E8M0FNU>,
                  %w: memref<64x128xf8E4M3FN>, %ws: memref<64x4xf8E8M0FNU>,
                  %bias: memref<64xf32>, %y: memref<?x64xf32>) {
  mx.scaled_matmul %x[%xs] * %w[%ws] + %bias -> %y
      : memref<?x128xf8E4M3FN>[memref<?x4xf8E8M0FNU>]
        * memref<64x128xf8E4M3FN>[memref<64x4xf8E8M0FNU>] + memref<64xf32>
        -> memref<?x64xf32>
  return
}
)mlir";
constexpr int64_t kN = 64, kK = 128;

const std::string &getCodeObject() {
  static const std::string hsaco = test::compileGfx950CodeObject(
      kLinear, "mfma=16x16x128,tile=16x32x128,waves=1x2,prefetch=0");
  return hsaco;
}

/// Inputs whose products are exact in f32: x = 1.0, w in {1, 2, -1},
/// unit scales; so y[m][n] = sum_k w[n][k] + bias[n].
struct Linear {
  int64_t m;
  std::vector<uint8_t> x, xs, w, ws;
  std::vector<float> bias, expected;
  explicit Linear(int64_t m) : m(m) {
    x.assign(m * kK, 0x38);
    xs.assign(m * kK / 32, 127);
    ws.assign(kN * kK / 32, 127);
    const uint8_t codes[] = {0x38, 0x40, 0xB8};
    const float values[] = {1, 2, -1};
    for (int64_t n = 0; n < kN; ++n) {
      float sum = 0;
      for (int64_t k = 0; k < kK; ++k) {
        unsigned c = (n * 7 + k * 3) % 3;
        w.push_back(codes[c]);
        sum += values[c];
      }
      bias.push_back(float(n) / 4);
      expected.push_back(sum + bias.back());
    }
  }
};

struct Buffers {
  std::vector<mxrt::Buffer> all;
  Buffers(const mxrt::Device &device, const Linear &l) {
    auto upload = [&](const void *data, size_t bytes) {
      all.push_back(device.allocate(bytes));
      all.back().write(data, bytes);
    };
    upload(l.x.data(), l.x.size());
    upload(l.xs.data(), l.xs.size());
    upload(l.w.data(), l.w.size());
    upload(l.ws.data(), l.ws.size());
    upload(l.bias.data(), l.bias.size() * 4);
    all.push_back(device.allocate(l.m * kN * 4));
  }
  std::vector<const mxrt::Buffer *> pointers() const {
    std::vector<const mxrt::Buffer *> p;
    for (const mxrt::Buffer &b : all)
      p.push_back(&b);
    return p;
  }
};

void expectOutput(const mxrt::Buffer &y, const Linear &l) {
  std::vector<float> out = y.read<float>();
  ASSERT_EQ(out.size(), size_t(l.m * kN));
  for (int64_t m = 0; m < l.m; ++m)
    for (int64_t n = 0; n < kN; ++n)
      ASSERT_EQ(out[m * kN + n], l.expected[n]) << "m " << m << " n " << n;
}

std::string errorOf(const std::function<void()> &f) {
  try {
    f();
  } catch (const mxrt::Error &e) {
    return e.what();
  }
  return "(no error)";
}
} // namespace

TEST(RuntimeTest, ReadsKernelsAndPlan) {
  mxrt::Device device("sim:gfx950");
  EXPECT_EQ(device.chip(), "gfx950");
  const std::string &hsaco = getCodeObject();
  mxrt::Module module = device.load(hsaco.data(), hsaco.size(), "linear.hsaco");
  EXPECT_EQ(module.kernels(), std::vector<std::string>{"linear_scaled_matmul"});
  mxrt_kernel_info info = module.kernelInfo("linear_scaled_matmul");
  EXPECT_EQ(info.arg_count, 7u);
  EXPECT_EQ(info.wavefront_size, 64u);
  EXPECT_EQ(info.required_block[0], 128u);
  EXPECT_EQ(info.scratch_bytes, 0u);
  std::vector<mxrt::ArgInfo> args = module.kernelArgs("linear_scaled_matmul");
  ASSERT_EQ(args.size(), 7u);
  EXPECT_EQ(args[0].kind, MXRT_ARG_KIND_POINTER);
  EXPECT_EQ(args[6].kind, MXRT_ARG_KIND_VALUE);
  EXPECT_EQ(args[6].size, 4u);
  EXPECT_EQ(module.programs(), std::vector<std::string>{"linear"});
  EXPECT_EQ(module.programSizes("linear"), std::vector<std::string>{"M"});
  EXPECT_EQ(module.paramBytes("linear", 5, {9}), 9u * kN * 4);
}

TEST(RuntimeTest, RunsProgramAndKernel) {
  mxrt::Device device("sim:gfx950");
  const std::string &hsaco = getCodeObject();
  mxrt::Module module = device.load(hsaco.data(), hsaco.size(), "linear.hsaco");
  for (int64_t m : {1, 17, 40}) {
    Linear l(m);
    Buffers b(device, l);
    module.run("linear", b.pointers(), {m});
    expectOutput(b.all[5], l);
  }
  // By hand, on a stream, with the launch the plan describes for M = 20.
  Linear l(20);
  Buffers b(device, l);
  mxrt::Stream stream = device.createStream();
  module.launch(
      "linear_scaled_matmul", {2, 2, 1}, {128, 1, 1},
      {b.all[0], b.all[1], b.all[2], b.all[3], b.all[4], b.all[5], int32_t(20)},
      0, &stream);
  stream.synchronize();
  expectOutput(b.all[5], l);
  // M = 0 runs nothing.
  Linear empty(0);
  Buffers none(device, empty);
  module.run("linear", none.pointers(), {0});
}

TEST(RuntimeTest, SimulatorDeviceTakesChecks) {
  // mxc's GEMM runs clean under every check, and stops at a small limit.
  mxrt::Device device("sim:gfx950:check:max-steps=100000");
  EXPECT_EQ(device.chip(), "gfx950");
  const std::string &hsaco = getCodeObject();
  mxrt::Module module = device.load(hsaco.data(), hsaco.size(), "linear.hsaco");
  Linear l(40);
  Buffers b(device, l);
  module.run("linear", b.pointers(), {40});
  expectOutput(b.all[5], l);
  mxrt::Device limited("sim:gfx950:max-steps=3");
  mxrt::Module again = limited.load(hsaco.data(), hsaco.size(), "linear.hsaco");
  Buffers c(limited, l);
  EXPECT_THAT(errorOf([&] { again.run("linear", c.pointers(), {40}); }),
              HasSubstr("kernel 'linear_scaled_matmul', workgroup (0,0,0), "
                        "wave 0: ran "));
  EXPECT_THAT(errorOf([&] { again.run("linear", c.pointers(), {40}); }),
              HasSubstr(" instructions, over the limit of 3 per wave"));
  EXPECT_THAT(errorOf([] { mxrt::Device("sim:gfx950:check=race,bogus"); }),
              HasSubstr("unknown check 'bogus' in 'race,bogus'"));
  EXPECT_THAT(errorOf([] { mxrt::Device("sim:gfx950:max-steps=-1"); }),
              HasSubstr("unknown simulator option 'max-steps=-1'; expected "
                        "check[=race,sync,init] or max-steps=N (decimal)"));
}

TEST(RuntimeTest, WrapsDeviceMemory) {
  mxrt::Device device("sim:gfx950");
  mxrt::Buffer owned = device.allocate(256);
  mxrt::Buffer view = device.wrap(owned.devicePointer(), 256);
  std::vector<uint32_t> data(64, 7);
  view.write(data);
  EXPECT_EQ(owned.read<uint32_t>(), data);
  EXPECT_THAT(errorOf([&] { device.wrap(nullptr, 16); }),
              HasSubstr("is not memory of this simulator device"));
  EXPECT_THAT(errorOf([&] { owned.write(data.data(), 300); }),
              HasSubstr("bytes [0, 300) lie outside the 256-byte buffer"));
}

TEST(RuntimeTest, ChecksLaunches) {
  mxrt::Device device("sim:gfx950");
  const std::string &hsaco = getCodeObject();
  mxrt::Module module = device.load(hsaco.data(), hsaco.size(), "linear.hsaco");
  Linear l(4);
  Buffers b(device, l);
  auto &a = b.all;
  const char *k = "linear_scaled_matmul";
  EXPECT_THAT(errorOf([&] {
                module.launch("nope", {1, 1, 1}, {128, 1, 1}, {});
              }),
              HasSubstr("no kernel 'nope' in linear.hsaco (it has: "
                        "linear_scaled_matmul)"));
  EXPECT_THAT(errorOf([&] {
                module.launch(k, {1, 1, 1}, {128, 1, 1}, {a[0], a[1]});
              }),
              HasSubstr("kernel 'linear_scaled_matmul': takes 7 arguments, "
                        "got 2"));
  EXPECT_THAT(errorOf([&] {
                module.launch(k, {1, 1, 1}, {128, 1, 1},
                              {a[0], a[1], a[2], a[3], a[4], a[5], int64_t(4)});
              }),
              HasSubstr("argument 6: the kernel takes 4 bytes by value; got "
                        "a 8-byte value"));
  EXPECT_THAT(errorOf([&] {
                module.launch(
                    k, {1, 1, 1}, {128, 1, 1},
                    {a[0], a[1], int32_t(3), a[3], a[4], a[5], int32_t(4)});
              }),
              HasSubstr("argument 2: the kernel takes a pointer "
                        "(global_buffer), not a value"));
  EXPECT_THAT(errorOf([&] {
                module.launch(k, {1, 1, 1}, {64, 1, 1},
                              {a[0], a[1], a[2], a[3], a[4], a[5], int32_t(4)});
              }),
              HasSubstr("compiled for blocks of exactly 128,1,1 lanes, got "
                        "64,1,1"));
  EXPECT_THAT(errorOf([&] {
                module.launch(k, {1, 0, 1}, {128, 1, 1},
                              {a[0], a[1], a[2], a[3], a[4], a[5], int32_t(4)});
              }),
              HasSubstr("must be positive"));
  EXPECT_THAT(errorOf([&] {
                module.launch(k, {1, 1, 1}, {128, 1, 1},
                              {a[0], a[1], a[2], a[3], a[4], a[5], int32_t(4)},
                              200 * 1024);
              }),
              HasSubstr("dynamic LDS bytes exceed the 163840 a gfx950 "
                        "workgroup has"));
  // A buffer too small for the runtime size.
  EXPECT_THAT(errorOf([&] { module.run("linear", b.pointers(), {5}); }),
              HasSubstr("buffer 0 (memref<?x128xf8E4M3FN>) holds 512 bytes; "
                        "it needs 640 for M = 5"));
  EXPECT_THAT(errorOf([&] { module.run("linear", b.pointers(), {}); }),
              HasSubstr("the program takes 1 runtime sizes, got 0"));
  EXPECT_THAT(errorOf([&] { module.run("gemm", b.pointers(), {4}); }),
              HasSubstr("no program 'gemm' in linear.hsaco"));
  // A simulated fault names the kernel: C smaller than the kernel writes,
  // passed by hand so that no plan check stops it.
  mxrt::Buffer small = device.allocate(16);
  mxrt_status status = MXRT_SUCCESS;
  std::string message = errorOf([&] {
    try {
      module.launch(k, {1, 1, 1}, {128, 1, 1},
                    {a[0], a[1], a[2], a[3], a[4], small, int32_t(4)});
    } catch (const mxrt::Error &e) {
      status = e.status();
      throw;
    }
  });
  EXPECT_EQ(status, MXRT_ERROR_LAUNCH);
  EXPECT_THAT(message, HasSubstr("kernel 'linear_scaled_matmul'"));
}

TEST(RuntimeTest, ChecksDevicesAndCodeObjects) {
  EXPECT_THAT(errorOf([] { mxrt::Device("sim:gfx999"); }),
              HasSubstr("unknown chip 'gfx999'"));
  EXPECT_THAT(errorOf([] { mxrt::Device("cuda:0"); }),
              HasSubstr("unknown device; use hip:N or sim:gfxNNN"));
  // No HIP runtime here (or a stand-in that does not exist): a plain error.
  setenv("MXRT_HIP_LIBRARY", "/nonexistent/libamdhip64.so", 1);
  std::string hip = errorOf([] { mxrt::Device("hip:0"); });
  EXPECT_THAT(hip, HasSubstr("mxrt_device_open('hip:0'): no HIP runtime: "
                             "cannot load libamdhip64"));
  mxrt::Device gfx942("sim:gfx942");
  const std::string &hsaco = getCodeObject();
  mxrt_status status = MXRT_SUCCESS;
  try {
    gfx942.load(hsaco.data(), hsaco.size(), "linear.hsaco");
  } catch (const mxrt::Error &e) {
    status = e.status();
    EXPECT_THAT(e.what(), HasSubstr("linear.hsaco is built for gfx950, but "
                                    "device sim:gfx942 is a gfx942"));
  }
  EXPECT_EQ(status, MXRT_ERROR_TARGET_MISMATCH);
  mxrt::Device device("sim:gfx950");
  std::string truncated = hsaco.substr(0, hsaco.size() / 3);
  EXPECT_THAT(errorOf([&] {
                device.load(truncated.data(), truncated.size(), "cut.hsaco");
              }),
              HasSubstr("cut.hsaco: unreadable ELF"));
  EXPECT_THAT(errorOf([&] { device.load("/nonexistent.hsaco"); }),
              HasSubstr("cannot read '/nonexistent.hsaco'"));
}

#include <dlfcn.h>

/// The stand-in HIP runtime (test/unittests/Runtime/fake_hip.c), loaded the
/// way a PyTorch process has its HIP runtime loaded before libmxrt is used;
/// MXRT_HIP_LIBRARY is unset, so libmxrt can only find it by reuse.
struct FakeHip {
  void *library;
  FakeHip() {
    unsetenv("MXRT_HIP_LIBRARY");
    library = dlopen(MXC_FAKE_HIP_PATH, RTLD_NOW | RTLD_LOCAL);
  }
  ~FakeHip() { dlclose(library); }
  template <typename T> T &get(const char *name) {
    void *symbol = dlsym(library, name);
    EXPECT_NE(symbol, nullptr) << name;
    return *static_cast<T *>(symbol);
  }
  template <typename F> F *function(const char *name) {
    return reinterpret_cast<F *>(dlsym(library, name));
  }
  int currentDevice() {
    int device = -1;
    function<int(int *)>("hipGetDevice")(&device);
    return device;
  }
};

TEST(RuntimeTest, HipNeedsARuntime) {
  // With no runtime loaded and none on the search path, a one-line error
  // that names the sonames tried, versioned first.
  unsetenv("MXRT_HIP_LIBRARY");
  std::string message = errorOf([] { mxrt::Device("hip:0"); });
  EXPECT_THAT(message, HasSubstr("no HIP runtime: cannot load libamdhip64"));
  EXPECT_LT(message.find("libamdhip64.so.6"), message.find("libamdhip64.so:"));
  EXPECT_EQ(message.find('\n'), std::string::npos);
}

/// A HIP runtime the process already loaded is the one libmxrt uses: it
/// finds it by soname without being told where it is, and loads no other
/// (ctest's mxrt-hip-reuse runs this with a libamdhip64.so.6 on the search
/// path, which a loader trying the versioned sonames first would load).
TEST(RuntimeTest, HipReusesTheLoadedRuntime) {
  FakeHip hip;
  ASSERT_NE(hip.library, nullptr) << dlerror();
  int initsBefore = hip.get<int>("fake_hip_init_calls");
  mxrt::Device device("hip:0");
  EXPECT_EQ(device.chip(), "gfx950");
  EXPECT_EQ(hip.get<int>("fake_hip_init_calls"), initsBefore + 1);
}

/// The device, the target check, memory, and the launch HIP receives.
TEST(RuntimeTest, HipBackendAgainstStandIn) {
  FakeHip hip;
  setenv("FAKE_HIP_ARCH", "gfx942", 1);
  const std::string &hsaco = getCodeObject();
  {
    // The processor is gcnArchName's (the device name, "gfx000", is not).
    mxrt::Device gfx942("hip:0");
    EXPECT_EQ(gfx942.chip(), "gfx942");
    mxrt_status status = MXRT_SUCCESS;
    std::string message = errorOf([&] {
      try {
        gfx942.load(hsaco.data(), hsaco.size(), "linear.hsaco");
      } catch (const mxrt::Error &e) {
        status = e.status();
        throw;
      }
    });
    EXPECT_EQ(status, MXRT_ERROR_TARGET_MISMATCH);
    EXPECT_THAT(message, HasSubstr("linear.hsaco is built for gfx950, but "
                                   "device hip:0 is a gfx942"));
  }
  EXPECT_THAT(errorOf([] { mxrt::Device("hip:3"); }),
              HasSubstr("no GPU 3: the HIP runtime sees 1 (hip:0 to hip:0)"));
  setenv("FAKE_HIP_DEVICES", "0", 1);
  EXPECT_THAT(errorOf([] { mxrt::Device("hip:0"); }),
              HasSubstr("the HIP runtime sees no AMD GPU"));
  unsetenv("FAKE_HIP_DEVICES");

  setenv("FAKE_HIP_ARCH", "gfx950", 1);
  mxrt::Device device("hip:0");
  mxrt::Module module = device.load(hsaco.data(), hsaco.size(), "linear.hsaco");
  Linear l(20);
  Buffers b(device, l);
  EXPECT_EQ(b.all[4].read<float>(), l.bias);
  hip.get<int>("fake_hip_arg_count") = 7;
  mxrt::Stream stream = device.createStream();
  module.run("linear", b.pointers(), {20}, &stream);
  auto *dims = &hip.get<unsigned>("fake_hip_dims");
  auto *args = &hip.get<uint64_t>("fake_hip_args");
  EXPECT_STREQ(&hip.get<char>("fake_hip_kernel"), "linear_scaled_matmul");
  // Grid (ceil(64 / 32), ceil(20 / 16), 1) of 128-lane blocks.
  EXPECT_EQ(std::vector<unsigned>(dims, dims + 7),
            (std::vector<unsigned>{2, 2, 1, 128, 1, 1, 0}));
  for (unsigned i = 0; i < 6; ++i)
    EXPECT_EQ(args[i], reinterpret_cast<uint64_t>(b.all[i].devicePointer()));
  EXPECT_EQ(uint32_t(args[6]), 20u);
  // Device memory the host app owns.
  mxrt::Buffer view = device.wrap(b.all[0].devicePointer(), 64);
  EXPECT_EQ(view.read<uint8_t>(), std::vector<uint8_t>(64, 0x38));
  // LDS per workgroup is the device's sharedMemPerBlock (FAKE_HIP_LDS).
  EXPECT_THAT(errorOf([&] {
                module.launch("linear_scaled_matmul", {1, 1, 1}, {128, 1, 1},
                              {b.all[0], b.all[1], b.all[2], b.all[3], b.all[4],
                               view, int32_t(1)},
                              65536);
              }),
              HasSubstr("dynamic LDS bytes exceed the 65536 a gfx950 "
                        "workgroup has"));
  EXPECT_EQ(hip.get<int>("fake_hip_violations"), 0)
      << &hip.get<char>("fake_hip_violation");
}

/// Calls run with hip:N current and leave the caller's device current.
TEST(RuntimeTest, HipRestoresTheCallersDevice) {
  FakeHip hip;
  setenv("FAKE_HIP_DEVICES", "2", 1);
  // The application works on GPU 1; libmxrt is asked for GPU 0.
  ASSERT_EQ(hip.function<int(int)>("hipSetDevice")(1), 0);
  mxrt::Device device("hip:0");
  const std::string &hsaco = getCodeObject();
  mxrt::Module module = device.load(hsaco.data(), hsaco.size(), "linear.hsaco");
  EXPECT_EQ(hip.get<int>("fake_hip_last_module_device"), 0);
  EXPECT_EQ(hip.currentDevice(), 1);
  Linear l(20);
  Buffers b(device, l);
  EXPECT_EQ(hip.get<int>("fake_hip_last_malloc_device"), 0);
  EXPECT_EQ(hip.currentDevice(), 1);
  hip.get<int>("fake_hip_arg_count") = 7;
  mxrt::Stream stream = device.createStream();
  module.run("linear", b.pointers(), {20}, &stream);
  stream.synchronize();
  EXPECT_EQ(b.all[4].read<float>(), l.bias);
  device.synchronize();
  EXPECT_EQ(hip.currentDevice(), 1);
  EXPECT_EQ(hip.get<int>("fake_hip_violations"), 0)
      << &hip.get<char>("fake_hip_violation");
  unsetenv("FAKE_HIP_DEVICES");
}

/// Launches go on the caller's stream (or HIP's null stream) and never make
/// the host wait.
TEST(RuntimeTest, HipLaunchesAreStreamOrdered) {
  FakeHip hip;
  mxrt::Device device("hip:0");
  const std::string &hsaco = getCodeObject();
  mxrt::Module module = device.load(hsaco.data(), hsaco.size(), "linear.hsaco");
  Linear l(20);
  Buffers b(device, l);
  hip.get<int>("fake_hip_arg_count") = 7;
  // A stream the application made (as torch.cuda.current_stream() is).
  void *appHandle = nullptr;
  ASSERT_EQ(hip.function<int(void **)>("hipStreamCreate")(&appHandle), 0);
  mxrt::Stream appStream = device.wrapStream(appHandle);
  int syncs = hip.get<int>("fake_hip_sync_calls");
  int launches = hip.get<int>("fake_hip_launches");
  module.run("linear", b.pointers(), {20}, &appStream);
  EXPECT_EQ(hip.get<void *>("fake_hip_stream"), appHandle);
  module.launch(
      "linear_scaled_matmul", {1, 1, 1}, {128, 1, 1},
      {b.all[0], b.all[1], b.all[2], b.all[3], b.all[4], b.all[5], int32_t(1)},
      0, &appStream);
  EXPECT_EQ(hip.get<void *>("fake_hip_stream"), appHandle);
  // The null stream: still no wait.
  module.run("linear", b.pointers(), {20});
  EXPECT_EQ(hip.get<void *>("fake_hip_stream"), nullptr);
  EXPECT_EQ(hip.get<int>("fake_hip_launches"), launches + 3);
  EXPECT_EQ(hip.get<int>("fake_hip_sync_calls"), syncs);
  // Waiting is the caller's to ask for.
  appStream.synchronize();
  EXPECT_EQ(hip.get<int>("fake_hip_sync_calls"), syncs + 1);
  EXPECT_EQ(hip.get<int>("fake_hip_violations"), 0)
      << &hip.get<char>("fake_hip_violation");
  hip.function<int(void *)>("hipStreamDestroy")(appHandle);
}
