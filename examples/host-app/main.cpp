// host-app: runs an MXFP8 x MXFP4 GEMM (gemm.mlir) through its launch plan
// on a device (default sim:gfx950) for a batch of M rows, and checks C
// against a plain reference (SPEC.md). The code object is the one
// mxc_add_kernels compiled and embedded for the device's processor, or a
// file that mxc built, e.g.
//   mxc gemm --a-format e4m3 --b-format e2m1 --n 256 --k 512 --out f32 -o
//   gemm.hsaco
//
//   host-app [gemm.hsaco] [--device hip:0|sim:gfx950] [--m 33]

#include "host_app_kernels.h"
#include "mxrt/mxrt.hpp"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace {
constexpr int64_t N = 256, K = 512;

float decodeE4M3(uint8_t b) {
  int sign = b >> 7, exponent = (b >> 3) & 15, mantissa = b & 7;
  float magnitude = exponent ? std::ldexp(1.0f + mantissa / 8.0f, exponent - 7)
                             : std::ldexp(float(mantissa), -9);
  return sign ? -magnitude : magnitude;
}

float decodeE2M1(uint8_t nibble) {
  int sign = nibble >> 3, exponent = (nibble >> 1) & 3, mantissa = nibble & 1;
  float magnitude = exponent ? std::ldexp(1.0f + mantissa / 2.0f, exponent - 1)
                             : mantissa * 0.5f;
  return sign ? -magnitude : magnitude;
}
} // namespace

int main(int argc, char **argv) {
  // host-app [GEMM.hsaco] [--device D] [--m M]: without a file, the gemm
  // kernel mxc_add_kernels embedded for the device's processor.
  std::string path, deviceSpec = "sim:gfx950";
  int64_t m = 33;
  int i = 1;
  if (argc > 1 && std::strncmp(argv[1], "--", 2) != 0)
    path = argv[i++];
  for (; i < argc; i += 2) {
    if (i + 1 < argc && !std::strcmp(argv[i], "--device"))
      deviceSpec = argv[i + 1];
    else if (i + 1 < argc && !std::strcmp(argv[i], "--m"))
      m = std::stoll(argv[i + 1]);
    else {
      std::fprintf(stderr,
                   "usage: host-app [GEMM.hsaco] [--device D] [--m M]\n");
      return 2;
    }
  }
  try {
    mxrt::Device device(deviceSpec);
    std::optional<mxrt::Module> loaded;
    if (path.empty()) {
      const mxc_embedded_kernel *kernel =
          host_app_kernels_find("gemm", device.chip().c_str());
      if (!kernel) {
        std::fprintf(stderr, "host-app: no gemm kernel embedded for %s\n",
                     device.chip().c_str());
        return 1;
      }
      path = "embedded gemm." + device.chip();
      loaded.emplace(device.load(kernel->data, kernel->size, path.c_str()));
    } else {
      loaded.emplace(device.load(path));
    }
    mxrt::Module &module = *loaded;
    std::printf("%s on %s: kernels", path.c_str(), deviceSpec.c_str());
    for (const std::string &k : module.kernels())
      std::printf(" %s", k.c_str());
    std::printf("; program gemm takes sizes");
    for (const std::string &s : module.programSizes("gemm"))
      std::printf(" %s", s.c_str());
    std::printf("\n");

    std::mt19937 rng(7);
    std::vector<uint8_t> a(m * K), sa(m * K / 32), b(N * K / 2), sb(N * K / 32);
    for (uint8_t &v : a)
      do
        v = uint8_t(rng());
      while ((v & 0x7F) == 0x7F);
    for (uint8_t &v : b)
      v = uint8_t(rng());
    for (uint8_t &v : sa)
      v = uint8_t(124 + rng() % 6);
    for (uint8_t &v : sb)
      v = uint8_t(124 + rng() % 6);

    std::vector<mxrt::Buffer> buffers;
    for (auto *host : {&a, &sa, &b, &sb}) {
      buffers.push_back(device.allocate(host->size()));
      buffers.back().write(*host);
    }
    buffers.push_back(device.allocate(module.paramBytes("gemm", 4, {m})));
    module.run(
        "gemm",
        {&buffers[0], &buffers[1], &buffers[2], &buffers[3], &buffers[4]}, {m});
    std::vector<float> c = buffers[4].read<float>();

    double worst = 0;
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < N; ++j) {
        double sum = 0, magnitude = 0;
        for (int64_t k = 0; k < K; ++k) {
          double x = decodeE4M3(a[i * K + k]) *
                     std::ldexp(1.0, sa[i * K / 32 + k / 32] - 127);
          uint8_t packed = b[(j * K + k) / 2];
          double w = decodeE2M1(k % 2 ? packed >> 4 : packed & 15) *
                     std::ldexp(1.0, sb[j * K / 32 + k / 32] - 127);
          sum += x * w;
          magnitude += std::fabs(x * w);
        }
        // fp32 accumulation in another order: error within K ulps of the
        // magnitude.
        double error = std::fabs(c[i * N + j] - sum) / (magnitude + 1e-30);
        worst = std::max(worst, error);
      }
    bool pass = worst < K * 6e-8;
    std::printf("M=%lld N=%lld K=%lld: worst relative error %.2e: %s\n",
                (long long)m, (long long)N, (long long)K, worst,
                pass ? "PASS" : "FAIL");
    return pass ? 0 : 1;
  } catch (const mxrt::Error &e) {
    std::fprintf(stderr, "host-app: %s\n", e.what());
    return 1;
  }
}
