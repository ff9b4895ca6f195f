//===- MsgPackReader.h - Checked access to MessagePack maps -----*- C++ -*-===//
//
// Part of mxc. Code objects come from users: every node of their MessagePack
// notes is checked for its kind before it is read, and a wrong or missing one
// becomes an error that names the path to it.
//
//===----------------------------------------------------------------------===//

#ifndef MXC_LIB_TARGET_AMDGPU_MSGPACKREADER_H
#define MXC_LIB_TARGET_AMDGPU_MSGPACKREADER_H

#include "llvm/BinaryFormat/MsgPackDocument.h"
#include "llvm/BinaryFormat/MsgPackReader.h"
#include "llvm/Support/Error.h"
#include <optional>
#include <string>

namespace mxc::amdgpu::detail {

/// Checks that `blob` is one MessagePack object whose map keys are all
/// strings, nested at most 64 deep. msgpack::Document::readFromBlob trusts
/// its input further than that (a map used as a key reaches an unreachable),
/// so every blob from a file passes here first.
inline llvm::Error checkMsgPack(llvm::StringRef blob, const llvm::Twine &what) {
  auto bad = [&](const llvm::Twine &why) {
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   what + ": " + why);
  };
  llvm::msgpack::Reader reader(blob);
  // Per open container: objects still to read, and whether it is a map.
  struct Open {
    uint64_t left;
    bool map;
  };
  std::vector<Open> stack;
  uint64_t roots = 0;
  do {
    llvm::msgpack::Object object;
    llvm::Expected<bool> read = reader.read(object);
    if (!read)
      return bad("not valid MessagePack: " + toString(read.takeError()));
    if (!*read)
      return bad("not valid MessagePack: it ends inside an object");
    if (!stack.empty()) {
      Open &top = stack.back();
      // In a map, even positions (counting down from 2n) are keys.
      if (top.map && top.left % 2 == 0 &&
          object.Kind != llvm::msgpack::Type::String)
        return bad("not valid metadata: a map key is not a string");
      --top.left;
    } else {
      ++roots;
    }
    if (object.Kind == llvm::msgpack::Type::Extension)
      return bad("not valid metadata: MessagePack extension types are not "
                 "used here");
    bool isMap = object.Kind == llvm::msgpack::Type::Map;
    if (isMap || object.Kind == llvm::msgpack::Type::Array) {
      if (stack.size() == 64)
        return bad("not valid metadata: nested deeper than 64");
      uint64_t items = isMap ? 2 * uint64_t(object.Length) : object.Length;
      if (items > blob.size())
        return bad("not valid MessagePack: a container claims " +
                   llvm::Twine(object.Length) + " items");
      stack.push_back({items, isMap});
    }
    while (!stack.empty() && stack.back().left == 0)
      stack.pop_back();
  } while (!stack.empty());
  if (roots != 1)
    return bad("not valid MessagePack");
  return llvm::Error::success();
}

/// A value read from a node at `path` ("amdhsa.kernels[0].args[2].size").
class NodeReader {
public:
  NodeReader(llvm::msgpack::DocNode node, std::string path)
      : node(node), path(std::move(path)) {}

  const std::string &getPath() const { return path; }
  llvm::msgpack::DocNode getNode() const { return node; }
  bool isEmpty() const { return node.isEmpty(); }

  llvm::Error error(const llvm::Twine &why) const {
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   path + ": " + why);
  }

  llvm::Expected<uint64_t> asUnsigned() const {
    using Type = llvm::msgpack::Type;
    if (kind() == Type::UInt)
      return node.getUInt();
    if (kind() == Type::Int && node.getInt() >= 0)
      return uint64_t(node.getInt());
    return error("expected a non-negative integer");
  }
  llvm::Expected<int64_t> asSigned() const {
    using Type = llvm::msgpack::Type;
    if (kind() == Type::Int)
      return node.getInt();
    if (kind() == Type::UInt && node.getUInt() <= INT64_MAX)
      return int64_t(node.getUInt());
    return error("expected an integer");
  }
  llvm::Expected<llvm::StringRef> asString() const {
    if (kind() != llvm::msgpack::Type::String)
      return error("expected a string");
    return node.getString();
  }
  llvm::Expected<bool> asBool() const {
    if (kind() != llvm::msgpack::Type::Boolean)
      return error("expected a boolean");
    return node.getBool();
  }
  /// The elements of an array node.
  llvm::Expected<std::vector<NodeReader>> asArray() const {
    if (kind() != llvm::msgpack::Type::Array)
      return error("expected an array");
    std::vector<NodeReader> elements;
    llvm::msgpack::DocNode copy = node;
    llvm::msgpack::ArrayDocNode array = copy.getArray();
    size_t i = 0;
    for (llvm::msgpack::DocNode &element : array)
      elements.emplace_back(element, path + "[" + std::to_string(i++) + "]");
    return elements;
  }

  /// The member `key` of a map node; an empty reader when absent.
  llvm::Expected<NodeReader> get(llvm::StringRef key) const {
    if (kind() != llvm::msgpack::Type::Map)
      return error("expected a map");
    llvm::msgpack::DocNode copy = node;
    llvm::msgpack::MapDocNode map = copy.getMap();
    // AMDGPU metadata keys carry their own dot (".vgpr_count").
    std::string child = path.empty() || key.starts_with(".")
                            ? path + key.str()
                            : path + "." + key.str();
    auto it = map.find(key);
    if (it == map.end())
      return NodeReader(llvm::msgpack::DocNode(), std::move(child));
    return NodeReader(it->second, std::move(child));
  }
  /// The member `key`, which must be present.
  llvm::Expected<NodeReader> require(llvm::StringRef key) const {
    llvm::Expected<NodeReader> member = get(key);
    if (member && member->isEmpty())
      return member->error("missing");
    return member;
  }

  llvm::Expected<uint64_t> getUnsigned(llvm::StringRef key) const {
    llvm::Expected<NodeReader> m = require(key);
    return m ? m->asUnsigned() : m.takeError();
  }
  llvm::Expected<uint64_t> getUnsigned(llvm::StringRef key,
                                       uint64_t fallback) const {
    llvm::Expected<NodeReader> m = get(key);
    if (!m)
      return m.takeError();
    return m->isEmpty() ? fallback : m->asUnsigned();
  }
  llvm::Expected<int64_t> getSigned(llvm::StringRef key) const {
    llvm::Expected<NodeReader> m = require(key);
    return m ? m->asSigned() : m.takeError();
  }
  llvm::Expected<llvm::StringRef> getString(llvm::StringRef key) const {
    llvm::Expected<NodeReader> m = require(key);
    return m ? m->asString() : m.takeError();
  }
  llvm::Expected<llvm::StringRef> getString(llvm::StringRef key,
                                            llvm::StringRef fallback) const {
    llvm::Expected<NodeReader> m = get(key);
    if (!m)
      return m.takeError();
    return m->isEmpty() ? llvm::Expected<llvm::StringRef>(fallback)
                        : m->asString();
  }
  llvm::Expected<std::vector<NodeReader>> getArray(llvm::StringRef key) const {
    llvm::Expected<NodeReader> m = require(key);
    return m ? m->asArray() : m.takeError();
  }
  /// An absent array reads as empty.
  llvm::Expected<std::vector<NodeReader>>
  getOptionalArray(llvm::StringRef key) const {
    llvm::Expected<NodeReader> m = get(key);
    if (!m)
      return m.takeError();
    if (m->isEmpty())
      return std::vector<NodeReader>();
    return m->asArray();
  }

private:
  /// The node's kind; Empty for an absent node (DocNode::getKind would
  /// dereference null there).
  llvm::msgpack::Type kind() const {
    return node.isEmpty() ? llvm::msgpack::Type::Empty : node.getKind();
  }

  llvm::msgpack::DocNode node;
  std::string path;
};

} // namespace mxc::amdgpu::detail

#endif // MXC_LIB_TARGET_AMDGPU_MSGPACKREADER_H
