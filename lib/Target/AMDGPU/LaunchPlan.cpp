//===- LaunchPlan.cpp - How the host runs a compiled mxc program ----------===//
//
// Part of mxc.
//
//===----------------------------------------------------------------------===//

#include "mxc/Target/AMDGPU/LaunchPlan.h"
#include "llvm/BinaryFormat/MsgPackDocument.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/MathExtras.h"

using namespace llvm;
using namespace mxc::amdgpu;

//===----------------------------------------------------------------------===//
// Writing
//===----------------------------------------------------------------------===//

static StringRef getArgKindName(PlanArg::Kind kind) {
  switch (kind) {
  case PlanArg::Kind::Param:
    return "param";
  case PlanArg::Kind::Size:
    return "size";
  case PlanArg::Kind::Constant:
    return "constant";
  }
  llvm_unreachable("unknown PlanArg kind");
}

/// One launch as a MessagePack map.
static msgpack::MapDocNode writeLaunch(msgpack::Document &doc,
                                       const PlanLaunch &launch) {
  auto ints = [&](auto &&values) {
    msgpack::ArrayDocNode array = doc.getArrayNode();
    for (int64_t v : values)
      array.push_back(doc.getNode(v));
    return array;
  };
  msgpack::MapDocNode m = doc.getMapNode();
  m["kernel"] = doc.getNode(launch.kernel, /*Copy=*/true);
  msgpack::ArrayDocNode grid = doc.getArrayNode();
  for (const PlanDim &dim : launch.grid) {
    msgpack::MapDocNode d = doc.getMapNode();
    if (dim.divisor) {
      d["size"] = doc.getNode(uint64_t(dim.size));
      d["divisor"] = doc.getNode(dim.divisor);
    } else {
      d["constant"] = doc.getNode(dim.constant);
    }
    grid.push_back(d);
  }
  m["grid"] = grid;
  m["block"] = ints(ArrayRef<uint32_t>(launch.block));
  m["dynamic_lds_bytes"] = doc.getNode(uint64_t(launch.dynamicLdsBytes));
  if (!launch.config.empty())
    m["config"] = doc.getNode(launch.config, /*Copy=*/true);
  msgpack::ArrayDocNode args = doc.getArrayNode();
  for (const PlanArg &arg : launch.args) {
    msgpack::MapDocNode a = doc.getMapNode();
    a["kind"] = doc.getNode(getArgKindName(arg.kind));
    if (arg.kind == PlanArg::Kind::Constant)
      a["value"] = doc.getNode(arg.value);
    else
      a["index"] = doc.getNode(uint64_t(arg.index));
    a["bytes"] = doc.getNode(uint64_t(arg.bytes));
    args.push_back(a);
  }
  m["args"] = args;
  return m;
}

std::string mxc::amdgpu::writeLaunchPlan(const LaunchPlan &plan) {
  msgpack::Document doc;
  auto ints = [&](auto &&values) {
    msgpack::ArrayDocNode array = doc.getArrayNode();
    for (int64_t v : values)
      array.push_back(doc.getNode(v));
    return array;
  };
  msgpack::MapDocNode root = doc.getRoot().getMap(/*Convert=*/true);
  root["mxc.version"] = ints(std::initializer_list<int64_t>{
      kLaunchPlanVersionMajor, kLaunchPlanVersionMinor});
  msgpack::ArrayDocNode programs = doc.getArrayNode();
  for (const PlanProgram &program : plan.programs) {
    msgpack::MapDocNode p = doc.getMapNode();
    p["name"] = doc.getNode(program.name, /*Copy=*/true);
    msgpack::ArrayDocNode params = doc.getArrayNode();
    for (const PlanParam &param : program.params) {
      msgpack::MapDocNode m = doc.getMapNode();
      m["type"] = doc.getNode(param.type, /*Copy=*/true);
      m["shape"] = ints(param.shape);
      m["element_bits"] = doc.getNode(uint64_t(param.elementBits));
      params.push_back(m);
    }
    p["params"] = params;
    msgpack::ArrayDocNode sizes = doc.getArrayNode();
    for (const PlanSize &size : program.sizes) {
      msgpack::MapDocNode m = doc.getMapNode();
      m["name"] = doc.getNode(size.name, /*Copy=*/true);
      m["param"] = doc.getNode(uint64_t(size.param));
      m["dim"] = doc.getNode(uint64_t(size.dim));
      sizes.push_back(m);
    }
    p["sizes"] = sizes;
    msgpack::ArrayDocNode dispatches = doc.getArrayNode();
    for (const PlanDispatch &dispatch : program.dispatches) {
      msgpack::MapDocNode d = doc.getMapNode();
      d["op"] = doc.getNode(dispatch.op, /*Copy=*/true);
      msgpack::ArrayDocNode variants = doc.getArrayNode();
      for (const PlanVariant &variant : dispatch.variants) {
        msgpack::MapDocNode v = doc.getMapNode();
        msgpack::ArrayDocNode when = doc.getArrayNode();
        for (const PlanRange &range : variant.when) {
          msgpack::MapDocNode r = doc.getMapNode();
          r["size"] = doc.getNode(uint64_t(range.size));
          r["min"] = doc.getNode(range.min);
          r["max"] = doc.getNode(range.max);
          when.push_back(r);
        }
        v["when"] = when;
        msgpack::ArrayDocNode launches = doc.getArrayNode();
        for (const PlanLaunch &launch : variant.launches)
          launches.push_back(writeLaunch(doc, launch));
        v["launches"] = launches;
        variants.push_back(v);
      }
      d["variants"] = variants;
      dispatches.push_back(d);
    }
    p["dispatches"] = dispatches;
    programs.push_back(p);
  }
  root["mxc.programs"] = programs;
  std::string blob;
  doc.writeToBlob(blob);
  return blob;
}

std::string mxc::amdgpu::encodeLaunchPlanNote(const LaunchPlan &plan) {
  std::string desc = writeLaunchPlan(plan);
  std::string note;
  auto word = [&](uint32_t v) {
    char bytes[4];
    support::endian::write32le(bytes, v);
    note.append(bytes, 4);
  };
  auto pad = [&] { note.resize(alignTo(note.size(), 4), '\0'); };
  word(kLaunchPlanNoteOwner.size() + 1);
  word(desc.size());
  word(kLaunchPlanNoteType);
  note += kLaunchPlanNoteOwner;
  note += '\0';
  pad();
  note += desc;
  pad();
  return note;
}

//===----------------------------------------------------------------------===//
// Reading and running: the LLVM-free core, as llvm::Error
//===----------------------------------------------------------------------===//

/// `result`'s value, or its failure as an llvm::Error.
template <typename T>
static Expected<T> toExpected(mxc::amdgpu::core::Result<T> result) {
  if (!result)
    return toError(result.takeFailure());
  return std::move(*result);
}

Expected<LaunchPlan> mxc::amdgpu::readLaunchPlan(StringRef blob) {
  return toExpected(core::readLaunchPlan(blob));
}

Expected<unsigned> mxc::amdgpu::selectVariant(const PlanProgram &program,
                                              const PlanDispatch &dispatch,
                                              ArrayRef<int64_t> sizes) {
  return toExpected(core::selectVariant(program, dispatch, sizes));
}

Expected<std::vector<const PlanLaunch *>>
mxc::amdgpu::selectLaunches(const PlanProgram &program,
                            ArrayRef<int64_t> sizes) {
  return toExpected(core::selectLaunches(program, sizes));
}

Expected<ResolvedLaunch> mxc::amdgpu::resolveLaunch(const PlanLaunch &launch,
                                                    ArrayRef<int64_t> sizes) {
  return toExpected(core::resolveLaunch(launch, sizes));
}
