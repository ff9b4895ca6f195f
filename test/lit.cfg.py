# lit configuration for mxc.
import os
import lit.formats

config.name = "mxc"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".mlir", ".ll", ".test"]
config.excludes = ["Inputs"]
config.excludes = ["Inputs", "lit.cfg.py", "CMakeLists.txt", "unittests"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.mxc_obj_root, "test")

# mxc's tools first, then LLVM's (FileCheck, not, llvm-objdump, llvm-readelf).
path = os.pathsep.join([config.mxc_tools_dir, config.llvm_tools_dir, config.environment.get("PATH", os.environ["PATH"])])
config.environment["PATH"] = path
config.substitutions.append(("%mxc_src", config.mxc_src_root))
config.substitutions.append(("%mxc_obj", config.mxc_obj_root))

# ../shared/tools/isa_stats.py, where the checkout sits beside it: mxc inspect
# is checked against it.
isa_stats = os.path.join(os.path.dirname(config.mxc_src_root), "shared", "tools", "isa_stats.py")
if os.path.exists(isa_stats):
    config.available_features.add("isa-stats")
    config.substitutions.append(("%isa_stats", isa_stats))

# The ROCm device libraries mxc was configured with (package rocm-device-libs).
if config.mxc_device_libs_dir and os.path.isfile(os.path.join(config.mxc_device_libs_dir, "ocml.bc")):
    config.available_features.add("rocm-device-libs")
    config.substitutions.append(("%device_libs", config.mxc_device_libs_dir))

import sys
config.substitutions.append(("%python", sys.executable))
