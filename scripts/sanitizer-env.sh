# Sourced by scripts/sanitize.sh and scripts/fuzz.sh: the sanitizer runtime
# options for mxc's sanitizer build.
#
# allow_user_poisoning=0: Debian's libLLVM and libMLIR are not instrumented,
#   and their allocators' poisoning calls do not match what ASan sees of them.
# detect_leaks=1 with lsan.supp: leaks in mxc's code fail the run; the
#   suppressions name the leaks of LLVM and MLIR themselves (see the file).
# abort_on_error=1: a report ends the program on SIGABRT, which lit's `not`
#   counts as a failure (a plain non-zero exit would pass `not mxc ...`).
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export ASAN_OPTIONS="allow_user_poisoning=0:detect_leaks=1:abort_on_error=1:strict_string_checks=1:check_initialization_order=1"
export LSAN_OPTIONS="suppressions=$here/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:abort_on_error=1"
