//===- MsgPack.h - Checked MessagePack documents without LLVM ---*- C++ -*-===//
//
// Part of mxc. Code objects come from users: their MessagePack notes are
// parsed with every length checked against the bytes there are, and read
// through NodeReader, which checks each node's kind before it is read and
// turns a wrong or missing one into a failure that names the path to it.
//
//===----------------------------------------------------------------------===//

#ifndef MXC_LIB_TARGET_AMDGPU_CORE_MSGPACK_H
#define MXC_LIB_TARGET_AMDGPU_CORE_MSGPACK_H

#include "mxc/Target/AMDGPU/Result.h"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mxc::amdgpu::core {

/// One MessagePack object. Strings point into the parsed blob.
struct MsgPackNode {
  enum class Kind {
    Nil,
    Boolean,
    Int,
    UInt,
    Float,
    String,
    Binary,
    Array,
    Map
  };
  Kind kind = Kind::Nil;
  bool boolean = false;
  int64_t sint = 0;
  uint64_t uint = 0;
  double real = 0;
  std::string_view string; ///< String and Binary.
  std::vector<MsgPackNode> elements;
  std::vector<std::pair<std::string_view, MsgPackNode>> members;
};

/// Parses `blob`, which must hold exactly one object whose map keys are all
/// distinct strings, nested at most 64 deep, with no extension types.
/// Failures read "<what>: not valid MessagePack: ..." or "<what>: not valid
/// metadata: ...".
Result<MsgPackNode> parseMsgPack(std::string_view blob, std::string_view what);

/// A value read from a node at `path` ("amdhsa.kernels[0].args[2].size").
/// An absent node (a missing map member) reads as empty.
class NodeReader {
public:
  NodeReader(const MsgPackNode *node, std::string path)
      : node(node), path(std::move(path)) {}

  const std::string &getPath() const { return path; }
  bool isEmpty() const { return !node; }

  Failure error(const std::string &why) const {
    return fail(path + ": " + why);
  }

  Result<uint64_t> asUnsigned() const;
  Result<int64_t> asSigned() const;
  Result<std::string_view> asString() const;
  Result<bool> asBool() const;
  /// The elements of an array node.
  Result<std::vector<NodeReader>> asArray() const;

  /// The member `key` of a map node; an empty reader when absent.
  Result<NodeReader> get(std::string_view key) const;
  /// The member `key`, which must be present.
  Result<NodeReader> require(std::string_view key) const;

  Result<uint64_t> getUnsigned(std::string_view key) const;
  Result<uint64_t> getUnsigned(std::string_view key, uint64_t fallback) const;
  Result<int64_t> getSigned(std::string_view key) const;
  Result<std::string_view> getString(std::string_view key) const;
  Result<std::string_view> getString(std::string_view key,
                                     std::string_view fallback) const;
  Result<std::vector<NodeReader>> getArray(std::string_view key) const;
  /// An absent array reads as empty.
  Result<std::vector<NodeReader>> getOptionalArray(std::string_view key) const;

private:
  const MsgPackNode *node;
  std::string path;
};

} // namespace mxc::amdgpu::core

#endif // MXC_LIB_TARGET_AMDGPU_CORE_MSGPACK_H
