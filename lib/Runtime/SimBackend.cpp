//===- SimBackend.cpp - Loading the simulator backend ---------------------===//
//
// Part of mxc. The simulator links LLVM, so it lives in libmxrt-sim, which
// libmxrt's core opens on the first "sim:" device: from the program when it
// linked libmxrt-sim itself, from MXRT_SIM_LIBRARY when set, else from the
// directory libmxrt was loaded from (both are installed side by side), else
// through the dynamic linker's search path.
//
//===----------------------------------------------------------------------===//

#include "Device.h"

#include <cstdlib>
#include <dlfcn.h>
#include <mutex>

using namespace mxc::runtime;

/// libmxrt-sim's file name: the soname, matching SOVERSION in CMakeLists.txt.
static const char kSimLibrary[] = "libmxrt-sim.so.1";

/// The directory (with a trailing '/') of the object holding this code.
static std::string getOwnDirectory() {
  Dl_info info;
  if (!dladdr(reinterpret_cast<void *>(&getOwnDirectory), &info) ||
      !info.dli_fname)
    return "";
  std::string path = info.dli_fname;
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? "" : path.substr(0, slash + 1);
}

/// The simulator's entry point, loading libmxrt-sim on first use.
static Result<OpenSimDeviceFn> loadSimBackend() {
  static std::mutex mutex;
  static OpenSimDeviceFn entry = nullptr;
  std::lock_guard<std::mutex> lock(mutex);
  if (entry)
    return entry;
  // Linked into the program (or loaded globally) already.
  if (void *symbol = dlsym(RTLD_DEFAULT, kSimEntryPoint))
    return entry = reinterpret_cast<OpenSimDeviceFn>(symbol);
  std::vector<std::string> candidates;
  const char *override = std::getenv("MXRT_SIM_LIBRARY");
  if (override && *override) {
    candidates.push_back(override);
  } else {
    std::string dir = getOwnDirectory();
    if (!dir.empty())
      candidates.push_back(dir + kSimLibrary);
    candidates.push_back(kSimLibrary);
  }
  std::string errors;
  for (const std::string &name : candidates) {
    void *library = dlopen(name.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!library) {
      const char *why = dlerror();
      errors += (errors.empty() ? "" : "; ") + std::string(why ? why : name);
      continue;
    }
    // Kept open for the life of the process: devices and code live in it.
    if (void *symbol = dlsym(library, kSimEntryPoint))
      return entry = reinterpret_cast<OpenSimDeviceFn>(symbol);
    errors += (errors.empty() ? "" : "; ") + name + " lacks " + kSimEntryPoint +
              " (a libmxrt-sim of another mxc version)";
    dlclose(library);
  }
  return fail("the simulator backend is not installed (" + errors +
              "); install libmxrt-sim beside libmxrt, or set "
              "MXRT_SIM_LIBRARY");
}

Result<std::unique_ptr<Device>>
mxc::runtime::openSimDevice(const std::string &spec) {
  Result<OpenSimDeviceFn> open = loadSimBackend();
  if (!open)
    return open.takeFailure();
  std::string error;
  Device *device = (*open)(spec.c_str(), &error);
  if (!device)
    return fail(std::move(error));
  return std::unique_ptr<Device>(device);
}
