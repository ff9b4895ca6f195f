//===- MsgPack.cpp - Checked MessagePack documents without LLVM -----------===//
//
// Part of mxc. The wire format is the MessagePack specification's
// (github.com/msgpack/msgpack/blob/master/spec.md): big-endian lengths and
// numbers after a first byte that says the type.
//
//===----------------------------------------------------------------------===//

#include "MsgPack.h"

#include <algorithm>
#include <cstring>

using namespace mxc::amdgpu::core;

namespace {
/// Nesting beyond this is refused: no real metadata comes close, and the
/// parser recurses once per level.
constexpr unsigned kMaxDepth = 64;

class Parser {
public:
  Parser(std::string_view blob, std::string_view what)
      : blob(blob), what(what) {}

  Result<MsgPackNode> parseDocument() {
    MsgPackNode root;
    if (Status s = parse(root, 0))
      return s.takeFailure();
    if (at != blob.size())
      return invalid("bytes follow the one object");
    return root;
  }

private:
  Failure invalid(const std::string &why) const {
    return fail(std::string(what) + ": not valid MessagePack: " + why);
  }
  Failure badMetadata(const std::string &why) const {
    return fail(std::string(what) + ": not valid metadata: " + why);
  }

  /// Reads a big-endian unsigned of `bytes` bytes.
  Status readUnsigned(unsigned bytes, uint64_t &value) {
    if (blob.size() - at < bytes)
      return invalid("it ends inside an object");
    value = 0;
    for (unsigned i = 0; i < bytes; ++i)
      value = value << 8 | uint8_t(blob[at++]);
    return Status::success();
  }
  Status readBytes(uint64_t length, std::string_view &bytes) {
    if (blob.size() - at < length)
      return invalid("it ends inside an object");
    bytes = blob.substr(at, length);
    at += length;
    return Status::success();
  }
  /// Sign-extends the low `bytes` bytes of `value`.
  static int64_t signExtend(uint64_t value, unsigned bytes) {
    unsigned shift = 64 - 8 * bytes;
    return int64_t(value << shift) >> shift;
  }

  Status parseContainer(MsgPackNode &node, bool isMap, uint64_t count,
                        unsigned depth) {
    if (depth == kMaxDepth)
      return badMetadata("nested deeper than " + std::to_string(kMaxDepth));
    // Every item takes at least one byte: a larger count is a lie, refused
    // before anything is reserved for it.
    if ((isMap ? 2 * count : count) > blob.size() - at)
      return invalid("a container claims " + std::to_string(count) + " items");
    node.kind = isMap ? MsgPackNode::Kind::Map : MsgPackNode::Kind::Array;
    if (!isMap) {
      node.elements.resize(count);
      for (MsgPackNode &element : node.elements)
        if (Status s = parse(element, depth + 1))
          return s;
      return Status::success();
    }
    node.members.reserve(count);
    for (uint64_t i = 0; i < count; ++i) {
      MsgPackNode key;
      if (Status s = parse(key, depth + 1))
        return s;
      if (key.kind != MsgPackNode::Kind::String)
        return badMetadata("a map key is not a string");
      node.members.emplace_back(key.string, MsgPackNode());
      if (Status s = parse(node.members.back().second, depth + 1))
        return s;
    }
    // Sorted, a repeated key sits beside itself: n log n for any input.
    std::vector<std::string_view> keys;
    keys.reserve(node.members.size());
    for (const auto &member : node.members)
      keys.push_back(member.first);
    std::sort(keys.begin(), keys.end());
    auto repeated = std::adjacent_find(keys.begin(), keys.end());
    if (repeated != keys.end())
      return invalid("a map repeats the key '" + std::string(*repeated) + "'");
    return Status::success();
  }

  Status parse(MsgPackNode &node, unsigned depth) {
    using Kind = MsgPackNode::Kind;
    if (at == blob.size())
      return invalid("it ends inside an object");
    uint8_t first = uint8_t(blob[at++]);
    uint64_t value = 0;
    if (first <= 0x7f) {
      node.kind = Kind::UInt, node.uint = first;
      return Status::success();
    }
    if (first >= 0xe0) {
      node.kind = Kind::Int, node.sint = int8_t(first);
      return Status::success();
    }
    if ((first & 0xf0) == 0x80)
      return parseContainer(node, /*isMap=*/true, first & 0x0f, depth);
    if ((first & 0xf0) == 0x90)
      return parseContainer(node, /*isMap=*/false, first & 0x0f, depth);
    if ((first & 0xe0) == 0xa0) {
      node.kind = Kind::String;
      return readBytes(first & 0x1f, node.string);
    }
    switch (first) {
    case 0xc0:
      node.kind = Kind::Nil;
      return Status::success();
    case 0xc2:
    case 0xc3:
      node.kind = Kind::Boolean, node.boolean = first == 0xc3;
      return Status::success();
    case 0xc4:
    case 0xc5:
    case 0xc6: // bin 8, 16, 32
    case 0xd9:
    case 0xda:
    case 0xdb: { // str 8, 16, 32
      bool isString = first >= 0xd9;
      unsigned lengthBytes = 1u << (first - (isString ? 0xd9 : 0xc4));
      if (Status s = readUnsigned(lengthBytes, value))
        return s;
      node.kind = isString ? Kind::String : Kind::Binary;
      return readBytes(value, node.string);
    }
    case 0xc7:
    case 0xc8:
    case 0xc9:
    case 0xd4:
    case 0xd5:
    case 0xd6:
    case 0xd7:
    case 0xd8:
      return badMetadata("MessagePack extension types are not used here");
    case 0xca:
    case 0xcb: {
      bool isDouble = first == 0xcb;
      if (Status s = readUnsigned(isDouble ? 8 : 4, value))
        return s;
      node.kind = Kind::Float;
      if (isDouble) {
        std::memcpy(&node.real, &value, 8);
      } else {
        uint32_t bits = uint32_t(value);
        float single;
        std::memcpy(&single, &bits, 4);
        node.real = single;
      }
      return Status::success();
    }
    case 0xcc:
    case 0xcd:
    case 0xce:
    case 0xcf: // uint 8, 16, 32, 64
      if (Status s = readUnsigned(1u << (first - 0xcc), value))
        return s;
      node.kind = Kind::UInt, node.uint = value;
      return Status::success();
    case 0xd0:
    case 0xd1:
    case 0xd2:
    case 0xd3: { // int 8, 16, 32, 64
      unsigned bytes = 1u << (first - 0xd0);
      if (Status s = readUnsigned(bytes, value))
        return s;
      node.kind = Kind::Int, node.sint = signExtend(value, bytes);
      return Status::success();
    }
    case 0xdc:
    case 0xdd: // array 16, 32
    case 0xde:
    case 0xdf: { // map 16, 32
      bool isMap = first >= 0xde;
      if (Status s = readUnsigned(first & 1 ? 4 : 2, value))
        return s;
      return parseContainer(node, isMap, value, depth);
    }
    default: // 0xc1 is never used.
      return invalid("Invalid first byte 0x" + hex(first));
    }
  }

  static std::string hex(uint8_t byte) {
    const char *digits = "0123456789abcdef";
    return {digits[byte >> 4], digits[byte & 15]};
  }

  std::string_view blob;
  std::string_view what;
  size_t at = 0;
};
} // namespace

Result<MsgPackNode> mxc::amdgpu::core::parseMsgPack(std::string_view blob,
                                                    std::string_view what) {
  return Parser(blob, what).parseDocument();
}

//===----------------------------------------------------------------------===//
// NodeReader
//===----------------------------------------------------------------------===//

using Kind = MsgPackNode::Kind;

Result<uint64_t> NodeReader::asUnsigned() const {
  if (node && node->kind == Kind::UInt)
    return node->uint;
  if (node && node->kind == Kind::Int && node->sint >= 0)
    return uint64_t(node->sint);
  return error("expected a non-negative integer");
}

Result<int64_t> NodeReader::asSigned() const {
  if (node && node->kind == Kind::Int)
    return node->sint;
  if (node && node->kind == Kind::UInt && node->uint <= uint64_t(INT64_MAX))
    return int64_t(node->uint);
  return error("expected an integer");
}

Result<std::string_view> NodeReader::asString() const {
  if (!node || node->kind != Kind::String)
    return error("expected a string");
  return node->string;
}

Result<bool> NodeReader::asBool() const {
  if (!node || node->kind != Kind::Boolean)
    return error("expected a boolean");
  return node->boolean;
}

Result<std::vector<NodeReader>> NodeReader::asArray() const {
  if (!node || node->kind != Kind::Array)
    return error("expected an array");
  std::vector<NodeReader> elements;
  for (size_t i = 0; i < node->elements.size(); ++i)
    elements.emplace_back(&node->elements[i],
                          path + "[" + std::to_string(i) + "]");
  return elements;
}

Result<NodeReader> NodeReader::get(std::string_view key) const {
  if (!node || node->kind != Kind::Map)
    return error("expected a map");
  // AMDGPU metadata keys carry their own dot (".vgpr_count").
  std::string child = path.empty() || key.substr(0, 1) == "."
                          ? path + std::string(key)
                          : path + "." + std::string(key);
  for (const auto &[name, value] : node->members)
    if (name == key)
      return NodeReader(&value, std::move(child));
  return NodeReader(nullptr, std::move(child));
}

Result<NodeReader> NodeReader::require(std::string_view key) const {
  Result<NodeReader> member = get(key);
  if (member && member->isEmpty())
    return member->error("missing");
  return member;
}

Result<uint64_t> NodeReader::getUnsigned(std::string_view key) const {
  Result<NodeReader> m = require(key);
  return m ? m->asUnsigned() : m.takeFailure();
}

Result<uint64_t> NodeReader::getUnsigned(std::string_view key,
                                         uint64_t fallback) const {
  Result<NodeReader> m = get(key);
  if (!m)
    return m.takeFailure();
  return m->isEmpty() ? Result<uint64_t>(fallback) : m->asUnsigned();
}

Result<int64_t> NodeReader::getSigned(std::string_view key) const {
  Result<NodeReader> m = require(key);
  return m ? m->asSigned() : m.takeFailure();
}

Result<std::string_view> NodeReader::getString(std::string_view key) const {
  Result<NodeReader> m = require(key);
  return m ? m->asString() : m.takeFailure();
}

Result<std::string_view>
NodeReader::getString(std::string_view key, std::string_view fallback) const {
  Result<NodeReader> m = get(key);
  if (!m)
    return m.takeFailure();
  return m->isEmpty() ? Result<std::string_view>(fallback) : m->asString();
}

Result<std::vector<NodeReader>>
NodeReader::getArray(std::string_view key) const {
  Result<NodeReader> m = require(key);
  return m ? m->asArray() : m.takeFailure();
}

Result<std::vector<NodeReader>>
NodeReader::getOptionalArray(std::string_view key) const {
  Result<NodeReader> m = get(key);
  if (!m)
    return m.takeFailure();
  if (m->isEmpty())
    return std::vector<NodeReader>();
  return m->asArray();
}
