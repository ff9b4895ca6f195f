//===- Result.h - Values or errors without LLVM -----------------*- C++ -*-===//
//
// Part of mxc. The code-object reader and launch plans are shared by mxc
// (which links LLVM) and libmxrt's core (which must not): they report
// failures through these two small types instead of llvm::Error, and
// lib/Target/AMDGPU wraps them for LLVM-side callers.
//
//===----------------------------------------------------------------------===//

#ifndef MXC_TARGET_AMDGPU_RESULT_H
#define MXC_TARGET_AMDGPU_RESULT_H

#include <optional>
#include <string>
#include <type_traits>
#include <utility>

namespace mxc::amdgpu::core {

/// Why an operation failed: one line, which callers prefix with context.
struct Failure {
  std::string message;
};

inline Failure fail(std::string message) { return Failure{std::move(message)}; }

/// Success, or a Failure. Converts to true on failure, so that
/// `if (Status s = f()) return s;` passes failures up.
class [[nodiscard]] Status {
public:
  Status() = default;
  Status(Failure failure) : message(std::move(failure.message)), failed(true) {}
  static Status success() { return Status(); }

  explicit operator bool() const { return failed; }
  const std::string &getMessage() const { return message; }
  /// The failure, for returning it as another Result's.
  Failure takeFailure() { return Failure{std::move(message)}; }

private:
  std::string message;
  bool failed = false;
};

/// A value of type T, or a Failure. Converts to true when it holds a value.
template <typename T> class [[nodiscard]] Result {
public:
  /// Holds `v` (anything that converts to T, such as a derived class's
  /// unique_ptr).
  template <typename U = T,
            typename = std::enable_if_t<std::is_convertible_v<U &&, T>>>
  Result(U &&v) : value(std::forward<U>(v)) {}
  Result(Failure failure) : message(std::move(failure.message)) {}

  explicit operator bool() const { return value.has_value(); }
  T &operator*() { return *value; }
  const T &operator*() const { return *value; }
  T *operator->() { return &*value; }
  const T *operator->() const { return &*value; }

  const std::string &getMessage() const { return message; }
  Failure takeFailure() { return Failure{std::move(message)}; }

private:
  std::optional<T> value;
  std::string message;
};

} // namespace mxc::amdgpu::core

#endif // MXC_TARGET_AMDGPU_RESULT_H
