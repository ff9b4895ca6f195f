//===- LaunchPlan.cpp - How the host runs a compiled mxc program ----------===//
//
// Part of mxc.
//
//===----------------------------------------------------------------------===//

#include "mxc/Target/AMDGPU/LaunchPlan.h"
#include "MsgPackReader.h"

#include "llvm/Support/Endian.h"
#include "llvm/Support/MathExtras.h"

using namespace llvm;
using namespace mxc::amdgpu;
using mxc::amdgpu::detail::NodeReader;

uint64_t PlanParam::getBytes(ArrayRef<int64_t> sizes) const {
  uint64_t elements = 1;
  for (int64_t extent : shape) {
    int64_t value = extent >= 0 ? extent : sizes[-1 - extent];
    elements =
        SaturatingMultiply(elements, uint64_t(std::max<int64_t>(value, 0)));
  }
  return divideCeil(SaturatingMultiply(elements, uint64_t(elementBits)), 8);
}

int64_t PlanDim::evaluate(ArrayRef<int64_t> sizes) const {
  // (size + divisor - 1) / divisor would overflow near INT64_MAX.
  return divisor ? divideCeilSigned(sizes[size], divisor) : constant;
}

int PlanProgram::lookupSize(StringRef name) const {
  for (auto [i, size] : llvm::enumerate(sizes))
    if (size.name == name)
      return int(i);
  return -1;
}

bool PlanVariant::matches(ArrayRef<int64_t> sizes) const {
  return llvm::all_of(when, [&](const PlanRange &range) {
    return sizes[range.size] >= range.min && sizes[range.size] <= range.max;
  });
}

const PlanProgram *LaunchPlan::lookupProgram(StringRef name) const {
  for (const PlanProgram &program : programs)
    if (program.name == name)
      return &program;
  return nullptr;
}

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
// Reading
//===----------------------------------------------------------------------===//

/// Reads `key` as an unsigned that must fit `limit`.
static Expected<uint64_t> getBounded(const NodeReader &map, StringRef key,
                                     uint64_t limit, StringRef what) {
  Expected<uint64_t> value = map.getUnsigned(key);
  if (!value)
    return value.takeError();
  if (*value >= limit)
    return map.error(key + " " + Twine(*value) + " is out of range: " + what);
  return *value;
}

/// One launch of `program` (whose params and sizes are read).
static Expected<PlanLaunch> readLaunch(const NodeReader &l,
                                       const PlanProgram &program) {
  PlanLaunch launch;
  Expected<StringRef> kernel = l.getString("kernel");
  if (!kernel)
    return kernel.takeError();
  launch.kernel = kernel->str();
  Expected<std::vector<NodeReader>> grid = l.getArray("grid");
  if (!grid)
    return grid.takeError();
  Expected<std::vector<NodeReader>> block = l.getArray("block");
  if (!block)
    return block.takeError();
  if (grid->size() != 3 || block->size() != 3)
    return l.error("grid and block need 3 dimensions each");
  for (unsigned d = 0; d < 3; ++d) {
    const NodeReader &g = (*grid)[d];
    Expected<NodeReader> divisor = g.get("divisor");
    if (!divisor)
      return divisor.takeError();
    PlanDim &dim = launch.grid[d];
    if (divisor->isEmpty()) {
      Expected<int64_t> constant = g.getSigned("constant");
      if (!constant)
        return constant.takeError();
      if (*constant < 1 || *constant > UINT32_MAX)
        return g.error("grid dimension " + Twine(*constant) +
                       " is not in [1, 2^32)");
      dim.constant = *constant;
    } else {
      Expected<int64_t> value = divisor->asSigned();
      if (!value)
        return value.takeError();
      if (*value < 1)
        return divisor->error("must be positive");
      dim.divisor = *value;
      Expected<uint64_t> size =
          getBounded(g, "size", program.sizes.size(), "no such size");
      if (!size)
        return size.takeError();
      dim.size = *size;
    }
    Expected<uint64_t> extent = (*block)[d].asUnsigned();
    if (!extent)
      return extent.takeError();
    if (*extent < 1 || *extent > 1024)
      return (*block)[d].error("block dimension " + Twine(*extent) +
                               " is not in [1, 1024]");
    launch.block[d] = *extent;
  }
  Expected<uint64_t> lds =
      getBounded(l, "dynamic_lds_bytes", uint64_t(1) << 32, "too large");
  if (!lds)
    return lds.takeError();
  launch.dynamicLdsBytes = *lds;
  Expected<StringRef> config = l.getString("config", "");
  if (!config)
    return config.takeError();
  launch.config = config->str();
  Expected<std::vector<NodeReader>> args = l.getArray("args");
  if (!args)
    return args.takeError();
  for (const NodeReader &a : *args) {
    PlanArg arg;
    Expected<StringRef> kind = a.getString("kind");
    if (!kind)
      return kind.takeError();
    Expected<uint64_t> bytes = a.getUnsigned("bytes");
    if (!bytes)
      return bytes.takeError();
    if (*bytes != 4 && *bytes != 8)
      return a.error("argument of " + Twine(*bytes) +
                     " bytes; plans pass 4- or 8-byte values");
    arg.bytes = *bytes;
    if (*kind == "constant") {
      arg.kind = PlanArg::Kind::Constant;
      Expected<int64_t> value = a.getSigned("value");
      if (!value)
        return value.takeError();
      arg.value = *value;
    } else if (*kind == "param" || *kind == "size") {
      bool isParam = *kind == "param";
      arg.kind = isParam ? PlanArg::Kind::Param : PlanArg::Kind::Size;
      Expected<uint64_t> index = getBounded(
          a, "index", isParam ? program.params.size() : program.sizes.size(),
          isParam ? "no such parameter" : "no such size");
      if (!index)
        return index.takeError();
      arg.index = *index;
    } else {
      return a.error("unknown argument kind '" + *kind + "'");
    }
    launch.args.push_back(arg);
  }
  return launch;
}

/// The launches of `node`'s "launches" array, appended to `out`.
static Error readLaunches(const NodeReader &node, const PlanProgram &program,
                          std::vector<PlanLaunch> &out) {
  Expected<std::vector<NodeReader>> launches = node.getArray("launches");
  if (!launches)
    return launches.takeError();
  for (const NodeReader &l : *launches) {
    Expected<PlanLaunch> launch = readLaunch(l, program);
    if (!launch)
      return launch.takeError();
    out.push_back(std::move(*launch));
  }
  return Error::success();
}

static Expected<PlanProgram> readProgram(const NodeReader &node,
                                         uint64_t major) {
  PlanProgram program;
  Expected<StringRef> name = node.getString("name");
  if (!name)
    return name.takeError();
  program.name = name->str();

  Expected<std::vector<NodeReader>> params = node.getArray("params");
  if (!params)
    return params.takeError();
  Expected<std::vector<NodeReader>> sizes = node.getArray("sizes");
  if (!sizes)
    return sizes.takeError();
  for (const NodeReader &p : *params) {
    PlanParam param;
    Expected<StringRef> type = p.getString("type");
    if (!type)
      return type.takeError();
    param.type = type->str();
    Expected<std::vector<NodeReader>> shape = p.getArray("shape");
    if (!shape)
      return shape.takeError();
    for (const NodeReader &e : *shape) {
      Expected<int64_t> extent = e.asSigned();
      if (!extent)
        return extent.takeError();
      if (*extent < 0 && -1 - *extent >= int64_t(sizes->size()))
        return e.error("names runtime size " + Twine(-1 - *extent) + " of " +
                       Twine(sizes->size()));
      param.shape.push_back(*extent);
    }
    Expected<uint64_t> bits = getBounded(p, "element_bits", 65, "at most 64");
    if (!bits)
      return bits.takeError();
    param.elementBits = *bits;
    program.params.push_back(std::move(param));
  }
  for (const NodeReader &s : *sizes) {
    PlanSize size;
    Expected<StringRef> sizeName = s.getString("name");
    if (!sizeName)
      return sizeName.takeError();
    size.name = sizeName->str();
    Expected<uint64_t> param =
        getBounded(s, "param", program.params.size(), "no such parameter");
    if (!param)
      return param.takeError();
    size.param = *param;
    Expected<uint64_t> dim = getBounded(
        s, "dim", program.params[size.param].shape.size(), "beyond the rank");
    if (!dim)
      return dim.takeError();
    size.dim = *dim;
    program.sizes.push_back(std::move(size));
  }

  if (major == 1) {
    // Version 1: one list of launches, which always run.
    PlanVariant variant;
    if (Error e = readLaunches(node, program, variant.launches))
      return std::move(e);
    program.dispatches.push_back({"", {std::move(variant)}});
    return program;
  }
  Expected<std::vector<NodeReader>> dispatches = node.getArray("dispatches");
  if (!dispatches)
    return dispatches.takeError();
  for (const NodeReader &d : *dispatches) {
    PlanDispatch dispatch;
    Expected<StringRef> op = d.getString("op");
    if (!op)
      return op.takeError();
    dispatch.op = op->str();
    Expected<std::vector<NodeReader>> variants = d.getArray("variants");
    if (!variants)
      return variants.takeError();
    if (variants->empty())
      return d.error("a dispatch needs at least one variant");
    for (const NodeReader &v : *variants) {
      PlanVariant variant;
      Expected<std::vector<NodeReader>> when = v.getArray("when");
      if (!when)
        return when.takeError();
      for (const NodeReader &r : *when) {
        PlanRange range;
        Expected<uint64_t> size =
            getBounded(r, "size", program.sizes.size(), "no such size");
        if (!size)
          return size.takeError();
        range.size = *size;
        Expected<int64_t> min = r.getSigned("min");
        if (!min)
          return min.takeError();
        Expected<int64_t> max = r.getSigned("max");
        if (!max)
          return max.takeError();
        if (*min < 0 || *min > *max)
          return r.error("range [" + Twine(*min) + ", " + Twine(*max) +
                         "] is empty or negative");
        range.min = *min;
        range.max = *max;
        variant.when.push_back(range);
      }
      if (Error e = readLaunches(v, program, variant.launches))
        return std::move(e);
      dispatch.variants.push_back(std::move(variant));
    }
    program.dispatches.push_back(std::move(dispatch));
  }
  return program;
}

Expected<LaunchPlan> mxc::amdgpu::readLaunchPlan(StringRef blob) {
  if (Error e = mxc::amdgpu::detail::checkMsgPack(blob, "launch plan"))
    return std::move(e);
  msgpack::Document doc;
  if (!doc.readFromBlob(blob, /*Multi=*/false))
    return createStringError(inconvertibleErrorCode(),
                             "launch plan: not valid MessagePack (a map "
                             "repeats a key)");
  NodeReader root(doc.getRoot(), "launch plan");
  Expected<std::vector<NodeReader>> version = root.getArray("mxc.version");
  if (!version)
    return version.takeError();
  if (version->size() != 2)
    return root.error("mxc.version must be [major, minor]");
  Expected<uint64_t> major = (*version)[0].asUnsigned();
  if (!major)
    return major.takeError();
  if (*major != kLaunchPlanVersionMajor && *major != 1)
    return root.error("version " + Twine(*major) + " plans are not readable " +
                      "by this mxc (it reads versions 1 and " +
                      Twine(kLaunchPlanVersionMajor) + ")");
  Expected<std::vector<NodeReader>> programs = root.getArray("mxc.programs");
  if (!programs)
    return programs.takeError();
  LaunchPlan plan;
  for (const NodeReader &p : *programs) {
    Expected<PlanProgram> program = readProgram(p, *major);
    if (!program)
      return program.takeError();
    plan.programs.push_back(std::move(*program));
  }
  return plan;
}

Expected<unsigned> mxc::amdgpu::selectVariant(const PlanProgram &program,
                                              const PlanDispatch &dispatch,
                                              ArrayRef<int64_t> sizes) {
  if (sizes.size() != program.sizes.size())
    return createStringError(inconvertibleErrorCode(),
                             "program '" + program.name + "' takes " +
                                 Twine(program.sizes.size()) +
                                 " runtime sizes, got " + Twine(sizes.size()));
  for (auto [i, variant] : llvm::enumerate(dispatch.variants))
    if (variant.matches(sizes))
      return unsigned(i);
  std::string message;
  llvm::raw_string_ostream os(message);
  os << "no variant of " << (dispatch.op.empty() ? "the op" : dispatch.op)
     << " in program '" << program.name << "' runs";
  for (auto [i, size] : llvm::enumerate(program.sizes))
    os << (i ? ", " : " for ") << size.name << " = " << sizes[i];
  os << "; its variants take";
  for (auto [v, variant] : llvm::enumerate(dispatch.variants))
    os << (v ? "; " : " ") << describeWhen(program, variant);
  return createStringError(inconvertibleErrorCode(), message);
}

std::string mxc::amdgpu::describeWhen(const PlanProgram &program,
                                      const PlanVariant &variant) {
  if (variant.when.empty())
    return "any sizes";
  std::string text;
  for (auto [i, range] : llvm::enumerate(variant.when))
    text += (i ? ", " : "") + program.sizes[range.size].name + " in [" +
            std::to_string(range.min) + ", " + std::to_string(range.max) + "]";
  return text;
}

Expected<std::vector<const PlanLaunch *>>
mxc::amdgpu::selectLaunches(const PlanProgram &program,
                            ArrayRef<int64_t> sizes) {
  std::vector<const PlanLaunch *> launches;
  for (const PlanDispatch &dispatch : program.dispatches) {
    Expected<unsigned> variant = selectVariant(program, dispatch, sizes);
    if (!variant)
      return variant.takeError();
    for (const PlanLaunch &launch : dispatch.variants[*variant].launches)
      launches.push_back(&launch);
  }
  return launches;
}

Expected<ResolvedLaunch> mxc::amdgpu::resolveLaunch(const PlanLaunch &launch,
                                                    ArrayRef<int64_t> sizes) {
  ResolvedLaunch resolved;
  for (unsigned d = 0; d < 3; ++d) {
    int64_t extent = launch.grid[d].evaluate(sizes);
    if (extent < 0 || extent > int64_t(UINT32_MAX))
      return createStringError(inconvertibleErrorCode(),
                               "the launch of '" + launch.kernel +
                                   "' needs a grid of " + Twine(extent) +
                                   " workgroups in dimension " + Twine(d));
    resolved.empty |= extent == 0;
    resolved.grid[d] = uint32_t(extent);
  }
  for (const PlanArg &arg : launch.args) {
    ResolvedLaunch::Arg out;
    out.bytes = arg.bytes;
    switch (arg.kind) {
    case PlanArg::Kind::Param:
      out.isBuffer = true;
      out.param = arg.index;
      break;
    case PlanArg::Kind::Size:
      out.value = sizes[arg.index];
      // A 32-bit size argument must hold the size, never a truncation.
      if (arg.bytes == 4 && (out.value < 0 || out.value > INT32_MAX))
        return createStringError(inconvertibleErrorCode(),
                                 "kernel '" + launch.kernel +
                                     "' takes a size as a 32-bit argument; " +
                                     Twine(out.value) +
                                     " is over 2147483647");
      break;
    case PlanArg::Kind::Constant:
      out.value = arg.value;
      break;
    }
    resolved.args.push_back(out);
  }
  return resolved;
}
