// Resource limits (--memory, --pids-limit) through whichever cgroup version the host has: v2
// where /sys/fs/cgroup is the unified hierarchy, else the v1 memory and pids controllers (this
// machine is v1 "hybrid"). Refused with a reason where no writable hierarchy exists (rootless).
#include "layerlab/cgroup.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cctype>
#include <fstream>

#include <fmt/format.h>

namespace layerlab {

namespace {

constexpr const char* kRoot = "/sys/fs/cgroup";

Status WriteValue(const std::string& path, const std::string& value) {
  std::ofstream out(path);
  out << value;
  out.flush();
  if (!out) return Status::FromErrno(fmt::format("write {} to `{}`", value, path), errno);
  return Status::Ok();
}

bool Exists(const std::string& p) { return access(p.c_str(), F_OK) == 0; }

Status MakeDir(const std::string& p) {
  if (mkdir(p.c_str(), 0755) != 0 && errno != EEXIST) {
    return Status::FromErrno(fmt::format("create cgroup `{}`", p), errno);
  }
  return Status::Ok();
}

}  // namespace

Result<int64_t> ParseMemory(const std::string& text) {
  if (text.empty()) return Status::InvalidArgument("invalid size: ''");
  size_t i = 0;
  while (i < text.size() && (isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) ++i;
  double n = std::atof(text.substr(0, i).c_str());
  std::string unit = text.substr(i);
  for (auto& c : unit) c = static_cast<char>(tolower(static_cast<unsigned char>(c)));
  if (!unit.empty() && unit.back() == 'b' && unit.size() > 1) unit.pop_back();
  double mult = unit.empty() || unit == "b" ? 1
                : unit == "k"               ? 1024.0
                : unit == "m"               ? 1024.0 * 1024
                : unit == "g"               ? 1024.0 * 1024 * 1024
                                            : -1;
  if (i == 0 || mult < 0) return Status::InvalidArgument(fmt::format("invalid size: '{}'", text));
  return static_cast<int64_t>(n * mult);
}

Result<CgroupSet> CreateCgroups(const std::string& name, const ResourceLimits& limits) {
  CgroupSet set;
  if (limits.memory <= 0 && limits.pids <= 0) return set;
  std::string v2 = std::string(kRoot) + "/cgroup.controllers";
  if (Exists(v2)) {
    // cgroup v2: one directory; the parent must delegate memory and pids to it.
    std::string dir = fmt::format("{}/layerlab-{}", kRoot, name);
    (void)WriteValue(std::string(kRoot) + "/cgroup.subtree_control", "+memory +pids");
    LL_RETURN_IF_ERROR(MakeDir(dir).WithContext("cgroup v2 (is it delegated to this user?)"));
    if (limits.memory > 0) {
      LL_RETURN_IF_ERROR(WriteValue(dir + "/memory.max", std::to_string(limits.memory)));
    }
    if (limits.pids > 0) LL_RETURN_IF_ERROR(WriteValue(dir + "/pids.max", std::to_string(limits.pids)));
    set.dirs.push_back(dir);
    set.version = 2;
    return set;
  }
  // cgroup v1: a directory per controller.
  auto v1 = [&](const char* controller, const char* file, int64_t value) -> Status {
    std::string base = fmt::format("{}/{}", kRoot, controller);
    if (!Exists(base)) {
      return Status::Unsupported(fmt::format("this host has no {} cgroup controller", controller));
    }
    if (access(base.c_str(), W_OK) != 0) {
      return Status::Unsupported(fmt::format(
          "the {} cgroup is not delegated to this user (cgroup v1 cannot be, rootless): run as "
          "root to set limits",
          controller));
    }
    LL_RETURN_IF_ERROR(MakeDir(base + "/layerlab"));
    std::string dir = fmt::format("{}/layerlab/{}", base, name);
    LL_RETURN_IF_ERROR(MakeDir(dir));
    LL_RETURN_IF_ERROR(WriteValue(dir + "/" + file, std::to_string(value)));
    set.dirs.push_back(dir);
    return Status::Ok();
  };
  if (limits.memory > 0) LL_RETURN_IF_ERROR(v1("memory", "memory.limit_in_bytes", limits.memory));
  if (limits.pids > 0) LL_RETURN_IF_ERROR(v1("pids", "pids.max", limits.pids));
  set.version = 1;
  return set;
}

Status AddToCgroups(const CgroupSet& set, pid_t pid) {
  for (const auto& d : set.dirs) {
    LL_RETURN_IF_ERROR(WriteValue(d + "/cgroup.procs", std::to_string(pid)));
  }
  return Status::Ok();
}

void RemoveCgroups(const std::string& name) {
  rmdir(fmt::format("{}/layerlab-{}", kRoot, name).c_str());
  for (const char* c : {"memory", "pids"}) {
    rmdir(fmt::format("{}/{}/layerlab/{}", kRoot, c, name).c_str());
  }
}

}  // namespace layerlab
