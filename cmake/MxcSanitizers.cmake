# Sanitizer and fuzzer builds (docs/hardening.md).
#
#   MXC_SANITIZE=address,undefined  instruments everything mxc compiles; the
#                                   sanitizer build that CI runs the tests in.
#   MXC_FUZZERS=ON                  adds libFuzzer coverage to everything and
#                                   builds the fuzz targets in fuzz/ (clang).
#
# Debian's libLLVM and libMLIR are not instrumented: they run as they are,
# with the sanitizer runtime intercepting their allocations.

set(MXC_SANITIZE "" CACHE STRING
  "Sanitizers to build with, as -fsanitize takes them (e.g. address,undefined)")
option(MXC_FUZZERS "Build the libFuzzer targets in fuzz/ (needs clang)" OFF)

if(MXC_FUZZERS AND NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  message(FATAL_ERROR "MXC_FUZZERS needs clang (libFuzzer): configure with "
                      "-DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22")
endif()

if(MXC_SANITIZE)
  add_compile_options(-fsanitize=${MXC_SANITIZE} -fno-omit-frame-pointer
                      -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${MXC_SANITIZE})
  if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    # One shared runtime for the programs and libmxrt/libmxrt-sim (which link
    # with --no-undefined), as with gcc; found through the rpath.
    execute_process(COMMAND ${CMAKE_CXX_COMPILER} -print-runtime-dir
                    OUTPUT_VARIABLE MXC_SANITIZER_RUNTIME_DIR
                    OUTPUT_STRIP_TRAILING_WHITESPACE)
    add_link_options(-shared-libsan "LINKER:-rpath,${MXC_SANITIZER_RUNTIME_DIR}")
  endif()
  message(STATUS "Sanitizers: ${MXC_SANITIZE}")
endif()

if(MXC_FUZZERS)
  # Coverage for libFuzzer in every library the fuzz targets link.
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()
