//===- LaunchPlanInfo.cpp - Launch plans, without LLVM --------------------===//
//
// Part of mxc.
//
//===----------------------------------------------------------------------===//

#include "mxc/Target/AMDGPU/LaunchPlanInfo.h"
#include "MsgPack.h"

#include <algorithm>
#include <limits>

using namespace mxc::amdgpu;
using namespace mxc::amdgpu::core;

using std::to_string;

/// a * b, or UINT64_MAX where that overflows.
static uint64_t saturatingMultiply(uint64_t a, uint64_t b) {
  uint64_t product;
  if (__builtin_mul_overflow(a, b, &product))
    return std::numeric_limits<uint64_t>::max();
  return product;
}

uint64_t PlanParam::getBytes(SizeView sizes) const {
  uint64_t elements = 1;
  for (int64_t extent : shape) {
    int64_t value = extent >= 0 ? extent : sizes[-1 - extent];
    elements =
        saturatingMultiply(elements, uint64_t(std::max<int64_t>(value, 0)));
  }
  uint64_t bits = saturatingMultiply(elements, elementBits);
  return bits / 8 + (bits % 8 != 0);
}

int64_t PlanDim::evaluate(SizeView sizes) const {
  if (!divisor)
    return constant;
  // ceil(n / d) for d > 0 without forming n + d - 1, which would overflow
  // near INT64_MAX; division truncates toward zero, which is the ceiling
  // for n <= 0.
  int64_t n = sizes[size];
  return n <= 0 ? n / divisor : 1 + (n - 1) / divisor;
}

int PlanProgram::lookupSize(std::string_view name) const {
  for (size_t i = 0; i < sizes.size(); ++i)
    if (sizes[i].name == name)
      return int(i);
  return -1;
}

bool PlanVariant::matches(SizeView sizes) const {
  return std::all_of(when.begin(), when.end(), [&](const PlanRange &range) {
    return sizes[range.size] >= range.min && sizes[range.size] <= range.max;
  });
}

const PlanProgram *LaunchPlan::lookupProgram(std::string_view name) const {
  for (const PlanProgram &program : programs)
    if (program.name == name)
      return &program;
  return nullptr;
}

std::string mxc::amdgpu::describeWhen(const PlanProgram &program,
                                      const PlanVariant &variant) {
  if (variant.when.empty())
    return "any sizes";
  std::string text;
  for (size_t i = 0; i < variant.when.size(); ++i) {
    const PlanRange &range = variant.when[i];
    text += (i ? ", " : "") + program.sizes[range.size].name + " in [" +
            to_string(range.min) + ", " + to_string(range.max) + "]";
  }
  return text;
}

//===----------------------------------------------------------------------===//
// Reading
//===----------------------------------------------------------------------===//

/// Reads `key` as an unsigned below `limit`.
static Result<uint64_t> getBounded(const NodeReader &map, std::string_view key,
                                   uint64_t limit, const char *what) {
  Result<uint64_t> value = map.getUnsigned(key);
  if (!value)
    return value;
  if (*value >= limit)
    return map.error(std::string(key) + " " + to_string(*value) +
                     " is out of range: " + what);
  return value;
}

/// One launch of `program` (whose params and sizes are read).
static Result<PlanLaunch> readLaunch(const NodeReader &l,
                                     const PlanProgram &program) {
  PlanLaunch launch;
  Result<std::string_view> kernel = l.getString("kernel");
  if (!kernel)
    return kernel.takeFailure();
  launch.kernel = std::string(*kernel);
  Result<std::vector<NodeReader>> grid = l.getArray("grid");
  if (!grid)
    return grid.takeFailure();
  Result<std::vector<NodeReader>> block = l.getArray("block");
  if (!block)
    return block.takeFailure();
  if (grid->size() != 3 || block->size() != 3)
    return l.error("grid and block need 3 dimensions each");
  for (unsigned d = 0; d < 3; ++d) {
    const NodeReader &g = (*grid)[d];
    Result<NodeReader> divisor = g.get("divisor");
    if (!divisor)
      return divisor.takeFailure();
    PlanDim &dim = launch.grid[d];
    if (divisor->isEmpty()) {
      Result<int64_t> constant = g.getSigned("constant");
      if (!constant)
        return constant.takeFailure();
      if (*constant < 1 || *constant > int64_t(UINT32_MAX))
        return g.error("grid dimension " + to_string(*constant) +
                       " is not in [1, 2^32)");
      dim.constant = *constant;
    } else {
      Result<int64_t> value = divisor->asSigned();
      if (!value)
        return value.takeFailure();
      if (*value < 1)
        return divisor->error("must be positive");
      dim.divisor = *value;
      Result<uint64_t> size =
          getBounded(g, "size", program.sizes.size(), "no such size");
      if (!size)
        return size.takeFailure();
      dim.size = unsigned(*size);
    }
    Result<uint64_t> extent = (*block)[d].asUnsigned();
    if (!extent)
      return extent.takeFailure();
    if (*extent < 1 || *extent > 1024)
      return (*block)[d].error("block dimension " + to_string(*extent) +
                               " is not in [1, 1024]");
    launch.block[d] = uint32_t(*extent);
  }
  Result<uint64_t> lds =
      getBounded(l, "dynamic_lds_bytes", uint64_t(1) << 32, "too large");
  if (!lds)
    return lds.takeFailure();
  launch.dynamicLdsBytes = uint32_t(*lds);
  Result<std::string_view> config = l.getString("config", "");
  if (!config)
    return config.takeFailure();
  launch.config = std::string(*config);
  Result<std::vector<NodeReader>> args = l.getArray("args");
  if (!args)
    return args.takeFailure();
  for (const NodeReader &a : *args) {
    PlanArg arg;
    Result<std::string_view> kind = a.getString("kind");
    if (!kind)
      return kind.takeFailure();
    Result<uint64_t> bytes = a.getUnsigned("bytes");
    if (!bytes)
      return bytes.takeFailure();
    if (*bytes != 4 && *bytes != 8)
      return a.error("argument of " + to_string(*bytes) +
                     " bytes; plans pass 4- or 8-byte values");
    arg.bytes = unsigned(*bytes);
    if (*kind == "constant") {
      arg.kind = PlanArg::Kind::Constant;
      Result<int64_t> value = a.getSigned("value");
      if (!value)
        return value.takeFailure();
      arg.value = *value;
    } else if (*kind == "param" || *kind == "size") {
      bool isParam = *kind == "param";
      arg.kind = isParam ? PlanArg::Kind::Param : PlanArg::Kind::Size;
      Result<uint64_t> index = getBounded(
          a, "index", isParam ? program.params.size() : program.sizes.size(),
          isParam ? "no such parameter" : "no such size");
      if (!index)
        return index.takeFailure();
      arg.index = unsigned(*index);
    } else {
      return a.error("unknown argument kind '" + std::string(*kind) + "'");
    }
    launch.args.push_back(arg);
  }
  return launch;
}

/// The launches of `node`'s "launches" array, appended to `out`.
static Status readLaunches(const NodeReader &node, const PlanProgram &program,
                           std::vector<PlanLaunch> &out) {
  Result<std::vector<NodeReader>> launches = node.getArray("launches");
  if (!launches)
    return launches.takeFailure();
  for (const NodeReader &l : *launches) {
    Result<PlanLaunch> launch = readLaunch(l, program);
    if (!launch)
      return launch.takeFailure();
    out.push_back(std::move(*launch));
  }
  return Status::success();
}

static Status readParamsAndSizes(const NodeReader &node, PlanProgram &program) {
  Result<std::vector<NodeReader>> params = node.getArray("params");
  if (!params)
    return params.takeFailure();
  Result<std::vector<NodeReader>> sizes = node.getArray("sizes");
  if (!sizes)
    return sizes.takeFailure();
  for (const NodeReader &p : *params) {
    PlanParam param;
    Result<std::string_view> type = p.getString("type");
    if (!type)
      return type.takeFailure();
    param.type = std::string(*type);
    Result<std::vector<NodeReader>> shape = p.getArray("shape");
    if (!shape)
      return shape.takeFailure();
    for (const NodeReader &e : *shape) {
      Result<int64_t> extent = e.asSigned();
      if (!extent)
        return extent.takeFailure();
      if (*extent < 0 && -1 - *extent >= int64_t(sizes->size()))
        return e.error("names runtime size " + to_string(-1 - *extent) +
                       " of " + to_string(sizes->size()));
      param.shape.push_back(*extent);
    }
    Result<uint64_t> bits = getBounded(p, "element_bits", 65, "at most 64");
    if (!bits)
      return bits.takeFailure();
    param.elementBits = unsigned(*bits);
    program.params.push_back(std::move(param));
  }
  for (const NodeReader &s : *sizes) {
    PlanSize size;
    Result<std::string_view> sizeName = s.getString("name");
    if (!sizeName)
      return sizeName.takeFailure();
    size.name = std::string(*sizeName);
    Result<uint64_t> param =
        getBounded(s, "param", program.params.size(), "no such parameter");
    if (!param)
      return param.takeFailure();
    size.param = unsigned(*param);
    Result<uint64_t> dim = getBounded(
        s, "dim", program.params[size.param].shape.size(), "beyond the rank");
    if (!dim)
      return dim.takeFailure();
    size.dim = unsigned(*dim);
    program.sizes.push_back(std::move(size));
  }
  return Status::success();
}

static Result<PlanVariant> readVariant(const NodeReader &v,
                                       const PlanProgram &program) {
  PlanVariant variant;
  Result<std::vector<NodeReader>> when = v.getArray("when");
  if (!when)
    return when.takeFailure();
  for (const NodeReader &r : *when) {
    PlanRange range;
    Result<uint64_t> size =
        getBounded(r, "size", program.sizes.size(), "no such size");
    if (!size)
      return size.takeFailure();
    range.size = unsigned(*size);
    Result<int64_t> min = r.getSigned("min");
    if (!min)
      return min.takeFailure();
    Result<int64_t> max = r.getSigned("max");
    if (!max)
      return max.takeFailure();
    if (*min < 0 || *min > *max)
      return r.error("range [" + to_string(*min) + ", " + to_string(*max) +
                     "] is empty or negative");
    range.min = *min;
    range.max = *max;
    variant.when.push_back(range);
  }
  if (Status s = readLaunches(v, program, variant.launches))
    return s.takeFailure();
  return variant;
}

static Result<PlanProgram> readProgram(const NodeReader &node, uint64_t major) {
  PlanProgram program;
  Result<std::string_view> name = node.getString("name");
  if (!name)
    return name.takeFailure();
  program.name = std::string(*name);
  if (Status s = readParamsAndSizes(node, program))
    return s.takeFailure();

  if (major == 1) {
    // Version 1: one list of launches, which always run.
    PlanVariant variant;
    if (Status s = readLaunches(node, program, variant.launches))
      return s.takeFailure();
    program.dispatches.push_back({"", {std::move(variant)}});
    return program;
  }
  Result<std::vector<NodeReader>> dispatches = node.getArray("dispatches");
  if (!dispatches)
    return dispatches.takeFailure();
  for (const NodeReader &d : *dispatches) {
    PlanDispatch dispatch;
    Result<std::string_view> op = d.getString("op");
    if (!op)
      return op.takeFailure();
    dispatch.op = std::string(*op);
    Result<std::vector<NodeReader>> variants = d.getArray("variants");
    if (!variants)
      return variants.takeFailure();
    if (variants->empty())
      return d.error("a dispatch needs at least one variant");
    for (const NodeReader &v : *variants) {
      Result<PlanVariant> variant = readVariant(v, program);
      if (!variant)
        return variant.takeFailure();
      dispatch.variants.push_back(std::move(*variant));
    }
    program.dispatches.push_back(std::move(dispatch));
  }
  return program;
}

Result<LaunchPlan> mxc::amdgpu::core::readLaunchPlan(std::string_view blob) {
  Result<MsgPackNode> doc = parseMsgPack(blob, "launch plan");
  if (!doc)
    return doc.takeFailure();
  NodeReader root(&*doc, "launch plan");
  Result<std::vector<NodeReader>> version = root.getArray("mxc.version");
  if (!version)
    return version.takeFailure();
  if (version->size() != 2)
    return root.error("mxc.version must be [major, minor]");
  Result<uint64_t> major = (*version)[0].asUnsigned();
  if (!major)
    return major.takeFailure();
  if (*major != kLaunchPlanVersionMajor && *major != 1)
    return root.error("version " + to_string(*major) +
                      " plans are not readable by this mxc (it reads "
                      "versions 1 and " +
                      to_string(kLaunchPlanVersionMajor) + ")");
  Result<std::vector<NodeReader>> programs = root.getArray("mxc.programs");
  if (!programs)
    return programs.takeFailure();
  LaunchPlan plan;
  for (const NodeReader &p : *programs) {
    Result<PlanProgram> program = readProgram(p, *major);
    if (!program)
      return program.takeFailure();
    plan.programs.push_back(std::move(*program));
  }
  return plan;
}

//===----------------------------------------------------------------------===//
// Running
//===----------------------------------------------------------------------===//

Result<unsigned> mxc::amdgpu::core::selectVariant(const PlanProgram &program,
                                                  const PlanDispatch &dispatch,
                                                  SizeView sizes) {
  if (sizes.size() != program.sizes.size())
    return fail("program '" + program.name + "' takes " +
                to_string(program.sizes.size()) + " runtime sizes, got " +
                to_string(sizes.size()));
  for (size_t i = 0; i < dispatch.variants.size(); ++i)
    if (dispatch.variants[i].matches(sizes))
      return unsigned(i);
  std::string message = "no variant of " +
                        (dispatch.op.empty() ? "the op" : dispatch.op) +
                        " in program '" + program.name + "' runs";
  for (size_t i = 0; i < program.sizes.size(); ++i)
    message += (i ? ", " : " for ") + program.sizes[i].name + " = " +
               to_string(sizes[i]);
  message += "; its variants take";
  for (size_t v = 0; v < dispatch.variants.size(); ++v)
    message += (v ? "; " : " ") + describeWhen(program, dispatch.variants[v]);
  return fail(std::move(message));
}

Result<std::vector<const PlanLaunch *>>
mxc::amdgpu::core::selectLaunches(const PlanProgram &program, SizeView sizes) {
  std::vector<const PlanLaunch *> launches;
  for (const PlanDispatch &dispatch : program.dispatches) {
    Result<unsigned> variant = selectVariant(program, dispatch, sizes);
    if (!variant)
      return variant.takeFailure();
    for (const PlanLaunch &launch : dispatch.variants[*variant].launches)
      launches.push_back(&launch);
  }
  return launches;
}

Result<ResolvedLaunch>
mxc::amdgpu::core::resolveLaunch(const PlanLaunch &launch, SizeView sizes) {
  ResolvedLaunch resolved;
  for (unsigned d = 0; d < 3; ++d) {
    int64_t extent = launch.grid[d].evaluate(sizes);
    if (extent < 0 || extent > int64_t(UINT32_MAX))
      return fail("the launch of '" + launch.kernel + "' needs a grid of " +
                  to_string(extent) + " workgroups in dimension " +
                  to_string(d));
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
        return fail("kernel '" + launch.kernel +
                    "' takes a size as a 32-bit argument; " +
                    to_string(out.value) + " is over 2147483647");
      break;
    case PlanArg::Kind::Constant:
      out.value = arg.value;
      break;
    }
    resolved.args.push_back(out);
  }
  return resolved;
}
