# mxc_add_kernels(<target> SOURCES k.mlir ... [TARGETS gfx950 ...]
#                 [OPTIONS opt ...])
#
# Compiles each MLIR source with mxc (mxrt::mxc) for each processor in
# TARGETS (default gfx950) when <target> builds, and embeds the code objects
# in <target>: a generated header <ident>_kernels.h (ident: <target> with
# every character outside [A-Za-z0-9_] made '_') declares
#
#   const mxc_embedded_kernel *<ident>_kernels_find(const char *name,
#                                                   const char *chip);
#   extern const mxc_embedded_kernel <ident>_kernels[];
#   extern const size_t <ident>_kernel_count;
#
# where mxc_embedded_kernel holds name (the source's file name without
# ".mlir"), chip, data and size: what mxrt_module_load_data takes. OPTIONS
# are passed to every mxc command (e.g. -O2, --config ...). A missing mxc or
# a kernel that does not compile fails the build with mxc's error.
include_guard(GLOBAL)

set(_MXC_EMBED_SCRIPT "${CMAKE_CURRENT_LIST_DIR}/MxcEmbedKernels.cmake")

function(mxc_add_kernels target)
  cmake_parse_arguments(PARSE_ARGV 1 MXC "" "" "SOURCES;TARGETS;OPTIONS")
  if(NOT TARGET ${target})
    message(FATAL_ERROR "mxc_add_kernels: no target '${target}'")
  endif()
  if(NOT MXC_SOURCES)
    message(FATAL_ERROR "mxc_add_kernels(${target}): no SOURCES given")
  endif()
  if(MXC_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "mxc_add_kernels(${target}): unexpected arguments: "
                        "${MXC_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT MXC_TARGETS)
    set(MXC_TARGETS gfx950)
  endif()
  if(NOT TARGET mxrt::mxc)
    message(FATAL_ERROR "mxc_add_kernels: mxrt::mxc is not defined; "
                        "find_package(mxrt) from an mxc installation")
  endif()
  string(MAKE_C_IDENTIFIER "${target}" ident)
  set(dir "${CMAKE_CURRENT_BINARY_DIR}/mxc_kernels/${target}")
  file(MAKE_DIRECTORY "${dir}")

  set(manifest "")
  set(objects "")
  set(names "")
  foreach(source IN LISTS MXC_SOURCES)
    get_filename_component(source "${source}" ABSOLUTE
                           BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    get_filename_component(name "${source}" NAME_WE)
    if(name IN_LIST names)
      message(FATAL_ERROR "mxc_add_kernels(${target}): two sources are "
                          "called '${name}'")
    endif()
    list(APPEND names "${name}")
    foreach(chip IN LISTS MXC_TARGETS)
      set(object "${dir}/${name}.${chip}.hsaco")
      add_custom_command(
        OUTPUT "${object}"
        COMMAND mxrt::mxc "${source}" --target ${chip} ${MXC_OPTIONS}
                -o "${object}"
        DEPENDS "${source}" "$<TARGET_FILE:mxrt::mxc>"
        COMMENT "mxc: ${name}.mlir for ${chip}"
        VERBATIM)
      list(APPEND objects "${object}")
      string(APPEND manifest "list(APPEND ENTRIES [==[${name}]==] "
                             "[==[${chip}]==] [==[${object}]==])\n")
    endforeach()
  endforeach()
  file(GENERATE OUTPUT "${dir}/manifest.cmake" CONTENT "${manifest}")

  get_property(languages GLOBAL PROPERTY ENABLED_LANGUAGES)
  if("CXX" IN_LIST languages)
    set(generated "${dir}/${ident}_kernels.cpp")
  else()
    set(generated "${dir}/${ident}_kernels.c")
  endif()
  add_custom_command(
    OUTPUT "${generated}" "${dir}/${ident}_kernels.h"
    COMMAND "${CMAKE_COMMAND}" -DMANIFEST=${dir}/manifest.cmake
            -DIDENT=${ident} -DSOURCE=${generated}
            -DHEADER=${dir}/${ident}_kernels.h -P "${_MXC_EMBED_SCRIPT}"
    DEPENDS ${objects} "${dir}/manifest.cmake" "${_MXC_EMBED_SCRIPT}"
    COMMENT "Embedding ${target}'s kernels"
    VERBATIM)
  target_sources(${target} PRIVATE "${generated}" "${dir}/${ident}_kernels.h")
  target_include_directories(${target} PRIVATE "${dir}")
endfunction()
