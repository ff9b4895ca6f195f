//===- CodeObjectCoreTest.cpp - The LLVM-free reader's own parts ----------===//
//
// Part of mxc. MxcCodeObjectCore parses MessagePack and ELF itself (libmxrt's
// core links no LLVM). Its MessagePack parser is checked against documents
// LLVM's msgpack::Writer writes and against byte strings from the
// MessagePack specification; its processor table against the EF_AMDGPU_MACH
// constants of LLVM's ELF.h.
//
//===----------------------------------------------------------------------===//

#include "../../../lib/Target/AMDGPU/Core/MsgPack.h"
#include "mxc/Target/AMDGPU/CodeObjectInfo.h"

#include "llvm/BinaryFormat/ELF.h"
#include "llvm/BinaryFormat/MsgPackWriter.h"
#include "llvm/Support/raw_ostream.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

using namespace mxc::amdgpu;
using namespace mxc::amdgpu::core;
using ::testing::HasSubstr;
using Kind = MsgPackNode::Kind;

namespace {
Result<MsgPackNode> parse(const std::string &bytes) {
  return parseMsgPack(bytes, "test");
}
std::string errorOf(const std::string &bytes) {
  Result<MsgPackNode> node = parse(bytes);
  return node ? "" : node.getMessage();
}
} // namespace

TEST(CodeObjectCoreTest, ParsesWhatLLVMWrites) {
  std::string blob;
  llvm::raw_string_ostream os(blob);
  llvm::msgpack::Writer writer(os);
  // Strings as StringRef: a const char * would pick write(bool).
  // Widths LLVM's writer picks by value: fixint, uint8..64, int8..64.
  const uint64_t unsigneds[] = {0,         127,        128,
                                255,       256,        65535,
                                65536,     UINT32_MAX, uint64_t(UINT32_MAX) + 1,
                                UINT64_MAX};
  const int64_t signeds[] = {-1,       -32,       -33,
                             -128,     -129,      -32768,
                             -32769,   INT32_MIN, int64_t(INT32_MIN) - 1,
                             INT64_MIN};
  std::string longString(70000, 'x'); // str32
  writer.writeMapSize(5);
  writer.write(llvm::StringRef("unsigned"));
  writer.writeArraySize(std::size(unsigneds));
  for (uint64_t u : unsigneds)
    writer.write(u);
  writer.write(llvm::StringRef("signed"));
  writer.writeArraySize(std::size(signeds));
  for (int64_t i : signeds)
    writer.write(i);
  writer.write(llvm::StringRef("strings"));
  writer.writeArraySize(3);
  writer.write(llvm::StringRef(""));
  writer.write(llvm::StringRef(std::string(300, 'y'))); // str16
  writer.write(llvm::StringRef(longString));
  writer.write(llvm::StringRef("misc"));
  writer.writeArraySize(5);
  writer.writeNil();
  writer.write(true);
  writer.write(2.5);
  writer.write(llvm::MemoryBufferRef("\x01\x02", ""));
  writer.writeArraySize(20); // array16
  for (int i = 0; i < 20; ++i)
    writer.write(uint64_t(i));
  writer.write(llvm::StringRef("empty"));
  writer.writeMapSize(0);

  Result<MsgPackNode> root = parse(blob);
  ASSERT_TRUE(root) << root.getMessage();
  ASSERT_EQ(root->kind, Kind::Map);
  ASSERT_EQ(root->members.size(), 5u);
  NodeReader reader(&*root, "");
  auto array = [&](const char *key) {
    Result<std::vector<NodeReader>> a = reader.getArray(key);
    EXPECT_TRUE(a) << a.getMessage();
    return *a;
  };
  std::vector<NodeReader> u = array("unsigned");
  ASSERT_EQ(u.size(), std::size(unsigneds));
  for (size_t i = 0; i < u.size(); ++i)
    EXPECT_EQ(*u[i].asUnsigned(), unsigneds[i]) << i;
  std::vector<NodeReader> s = array("signed");
  ASSERT_EQ(s.size(), std::size(signeds));
  for (size_t i = 0; i < s.size(); ++i)
    EXPECT_EQ(*s[i].asSigned(), signeds[i]) << i;
  std::vector<NodeReader> strings = array("strings");
  EXPECT_EQ(*strings[0].asString(), "");
  EXPECT_EQ(*strings[1].asString(), std::string(300, 'y'));
  EXPECT_EQ(*strings[2].asString(), longString);
  const MsgPackNode &misc = root->members[3].second;
  ASSERT_EQ(misc.elements.size(), 5u);
  EXPECT_EQ(misc.elements[0].kind, Kind::Nil);
  EXPECT_EQ(*array("misc")[1].asBool(), true);
  EXPECT_EQ(misc.elements[2].kind, Kind::Float);
  EXPECT_EQ(misc.elements[2].real, 2.5);
  EXPECT_EQ(misc.elements[3].kind, Kind::Binary);
  EXPECT_EQ(misc.elements[3].string, "\x01\x02");
  EXPECT_EQ(misc.elements[4].elements.size(), 20u);
  EXPECT_EQ(misc.elements[4].elements[19].uint, 19u);
  // Kinds are checked, and paths named.
  Result<uint64_t> wrong = strings[1].asUnsigned();
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.getMessage(), "strings[1]: expected a non-negative integer");
  EXPECT_EQ(reader.getString("absent").getMessage(), "absent: missing");
}

TEST(CodeObjectCoreTest, SpecificationBytes) {
  // Examples from the MessagePack specification's format table.
  Result<MsgPackNode> array = parse("\x93\x01\x02\x03");
  ASSERT_TRUE(array);
  ASSERT_EQ(array->elements.size(), 3u);
  EXPECT_EQ(array->elements[2].uint, 3u);
  EXPECT_EQ(parse(std::string("\xd0\x80", 2))->sint, -128);
  EXPECT_EQ(parse(std::string("\xcd\x01\x00", 3))->uint, 256u);
  EXPECT_EQ(parse("\xff")->sint, -1); // negative fixint
  EXPECT_EQ(parse(std::string("\xd1\xff\x7f", 3))->sint, -129);
  // The node's strings point into the bytes: they must outlive it.
  const std::string mapBytes = "\x81\xa1"
                               "a\xc2";
  Result<MsgPackNode> map = parse(mapBytes);
  ASSERT_TRUE(map);
  EXPECT_EQ(map->members[0].first, "a");
  EXPECT_EQ(map->members[0].second.boolean, false);
  Result<MsgPackNode> f32 = parse(std::string("\xca\x3f\xc0\x00\x00", 5));
  EXPECT_EQ(f32->real, 1.5);
}

TEST(CodeObjectCoreTest, RefusesBadMessagePack) {
  EXPECT_EQ(errorOf("\xc1"),
            "test: not valid MessagePack: Invalid first byte 0xc1");
  EXPECT_THAT(errorOf(""), HasSubstr("it ends inside an object"));
  EXPECT_THAT(errorOf("\x92\x01"), HasSubstr("a container claims 2 items"));
  EXPECT_THAT(errorOf("\x91\xa3"
                      "ab"),
              HasSubstr("it ends inside an object"));
  EXPECT_THAT(errorOf(std::string("\xda\x00\x05"
                                  "ab",
                                  5)),
              HasSubstr("it ends inside an object"));
  EXPECT_THAT(errorOf("\x01\x02"), HasSubstr("bytes follow the one object"));
  EXPECT_THAT(errorOf("\x81\x01\x02"),
              HasSubstr("not valid metadata: a map key is not a string"));
  EXPECT_THAT(errorOf("\x82\xa1"
                      "a\x01\xa1"
                      "a\x02"),
              HasSubstr("a map repeats the key 'a'"));
  EXPECT_THAT(errorOf(std::string("\xd4\x01\x00", 3)),
              HasSubstr("extension types are not used here"));
  // A count no input could hold is refused before anything is allocated.
  EXPECT_THAT(errorOf(std::string("\xdd\xff\xff\xff\xff", 5)),
              HasSubstr("a container claims 4294967295 items"));
  EXPECT_THAT(errorOf(std::string(65, '\x91') + "\x01"),
              HasSubstr("nested deeper than 64"));
  EXPECT_TRUE(parse(std::string(64, '\x91') + "\x01"));
}

TEST(CodeObjectCoreTest, ProcessorsMatchLLVM) {
  using namespace llvm::ELF;
  const std::pair<unsigned, const char *> machs[] = {
      {EF_AMDGPU_MACH_AMDGCN_GFX90A, "gfx90a"},
      {EF_AMDGPU_MACH_AMDGCN_GFX942, "gfx942"},
      {EF_AMDGPU_MACH_AMDGCN_GFX950, "gfx950"},
      {EF_AMDGPU_MACH_AMDGCN_GFX1100, "gfx1100"},
      {EF_AMDGPU_MACH_AMDGCN_GFX1200, "gfx1200"},
      {EF_AMDGPU_MACH_AMDGCN_GFX1201, "gfx1201"},
      {EF_AMDGPU_MACH_AMDGCN_GFX908, "gfx908"},
      {EF_AMDGPU_MACH_AMDGCN_GFX90C, "gfx90c"},
      {EF_AMDGPU_MACH_AMDGCN_GFX9_4_GENERIC, "gfx9-4-generic"},
      {EF_AMDGPU_MACH_AMDGCN_GFX12_GENERIC, "gfx12-generic"},
  };
  for (const auto &[mach, name] : machs)
    EXPECT_STREQ(getProcessorName(mach | EF_AMDGPU_FEATURE_SRAMECC_ON_V4),
                 name);
  EXPECT_EQ(getProcessorName(0xff), nullptr);
}
