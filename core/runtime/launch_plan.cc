// Describing a LaunchPlan: clone flags by name and one line per step, for --explain and tests.
#include <sched.h>

#include <tuple>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "layerlab/launch.h"

namespace layerlab {

std::string CloneFlagNames(int flags) {
  static const std::pair<int, const char*> kNames[] = {
      {CLONE_NEWUSER, "CLONE_NEWUSER"}, {CLONE_NEWNS, "CLONE_NEWNS"},
      {CLONE_NEWPID, "CLONE_NEWPID"},   {CLONE_NEWUTS, "CLONE_NEWUTS"},
      {CLONE_NEWIPC, "CLONE_NEWIPC"},   {CLONE_NEWNET, "CLONE_NEWNET"},
      {CLONE_NEWCGROUP, "CLONE_NEWCGROUP"}};
  std::string out;
  for (const auto& [bit, name] : kNames) {
    if (flags & bit) out += (out.empty() ? "" : "|") + std::string(name);
  }
  return out;
}

static std::string Maps(const std::vector<IdMap>& maps) {
  std::string out;
  for (const auto& m : maps) {
    out += fmt::format("{}{} -> {} (x{})", out.empty() ? "" : ", ", m.inside, m.outside, m.count);
  }
  return out;
}

std::vector<std::string> DescribePlan(const LaunchPlan& p) {
  std::vector<std::string> out;
  out.push_back(fmt::format("clone({}): new namespaces; the command will be PID 1",
                            CloneFlagNames(p.clone_flags)));
  // What each namespace isolates, one line each (in clone's order).
  static const std::tuple<int, const char*, const char*> kIsolates[] = {
      {CLONE_NEWUSER, "user", "its own user and group ids: 0 inside maps to the ids below"},
      {CLONE_NEWNS, "mount", "its own mount table: the mounts below are invisible to the host"},
      {CLONE_NEWPID, "pid", "its own process ids: the command is PID 1 and sees no host process"},
      {CLONE_NEWUTS, "uts", "its own hostname"},
      {CLONE_NEWIPC, "ipc", "its own System V IPC and POSIX message queues"},
      {CLONE_NEWNET, "net", "its own network stack: only a loopback interface, lo"},
      {CLONE_NEWCGROUP, "cgroup", "its own view of the cgroup tree"}};
  for (const auto& [bit, name, what] : kIsolates) {
    if (p.clone_flags & bit) {
      out.push_back(fmt::format("namespace {} ({}): {}", name, CloneFlagNames(bit), what));
    }
  }
  out.push_back(fmt::format("uid map {}; gid map {}{}", Maps(p.uid_map), Maps(p.gid_map),
                            p.deny_setgroups ? " (setgroups denied: rootless)" : ""));
  out.push_back("mount --make-rprivate /: nothing we mount is seen by the host");
  if (p.mount_overlay) {
    out.push_back(fmt::format("mount overlay on {}: {} read-only layer(s) + writable upper {}{}",
                              p.rootfs, p.lowers.size(), p.upper,
                              p.volatile_upper ? ", volatile: --rm throws the writable layer "
                                                 "away at exit, so it is never synced to disk"
                                               : ""));
  } else {
    out.push_back(fmt::format("bind {} as the root (copy driver: a private full copy)", p.rootfs));
  }
  for (const auto& m : p.mounts) {
    // The source, or for a virtual filesystem its type ("mount proc on /proc").
    static const char* kTypes[] = {"overlay", "proc",   "tmpfs",     "", "devpts",
                                   "sysfs",   "mqueue", "tmpfs file"};
    std::string what = m.source.empty() ? kTypes[static_cast<int>(m.kind)] : m.source;
    if (!m.options.empty()) what += (what.empty() ? "" : " ") + ("(" + m.options + ")");
    out.push_back(fmt::format("mount {}{}on {}{}{}", what, what.empty() ? "" : " ", m.target,
                              m.read_only ? " read-only" : "", m.why.empty() ? "" : ": " + m.why));
  }
  out.push_back(fmt::format("pivot_root into {}, then detach the old root: the host's files are "
                            "out of reach",
                            p.rootfs));
  if (p.limits.memory > 0 || p.limits.pids > 0) {
    out.push_back(fmt::format("cgroup layerlab/{}: memory {} bytes, pids {} (0 = no limit)",
                              p.cgroup_name, p.limits.memory, p.limits.pids));
  }
  out.push_back(fmt::format("sethostname {}", p.hostname));
  out.push_back(fmt::format("setgroups/setgid {}/setuid {}", p.gid, p.uid));
  out.push_back(fmt::format("chdir {}", p.cwd));
  std::string argv;
  for (const auto& a : p.argv) argv += (argv.empty() ? "" : " ") + a;
  out.push_back(fmt::format("exec {}", argv));
  return out;
}

}  // namespace layerlab

namespace layerlab {

// The plan crosses a pipe to a child forked before it was complete (ForkEarly).
std::string PlanToJson(const LaunchPlan& p) {
  nlohmann::json j;
  j["clone_flags"] = p.clone_flags;
  j["deny_setgroups"] = p.deny_setgroups;
  j["lowers"] = p.lowers;
  j["upper"] = p.upper;
  j["work"] = p.work;
  j["rootfs"] = p.rootfs;
  j["mount_overlay"] = p.mount_overlay;
  j["volatile_upper"] = p.volatile_upper;
  j["mounts"] = nlohmann::json::array();
  for (const auto& m : p.mounts) {
    j["mounts"].push_back({{"kind", static_cast<int>(m.kind)}, {"source", m.source},
                           {"target", m.target}, {"options", m.options},
                           {"read_only", m.read_only}, {"content", m.content}});
  }
  j["etc_dir"] = p.etc_dir;
  j["hostname"] = p.hostname;
  j["uid"] = p.uid;
  j["gid"] = p.gid;
  j["groups"] = p.groups;
  j["env"] = p.env;
  j["cwd"] = p.cwd;
  j["argv"] = p.argv;
  j["tty"] = p.tty;
  j["network_host"] = p.network_host;
  return j.dump();
}

Result<LaunchPlan> PlanFromJson(const std::string& text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded()) return Status::Internal("launch plan: not JSON");
  LaunchPlan p;
  try {
    p.clone_flags = j.at("clone_flags").get<int>();
    p.deny_setgroups = j.at("deny_setgroups").get<bool>();
    p.lowers = j.at("lowers").get<std::vector<std::string>>();
    p.upper = j.at("upper").get<std::string>();
    p.work = j.at("work").get<std::string>();
    p.rootfs = j.at("rootfs").get<std::string>();
    p.mount_overlay = j.at("mount_overlay").get<bool>();
    p.volatile_upper = j.at("volatile_upper").get<bool>();
    for (const auto& m : j.at("mounts")) {
      MountStep s{static_cast<MountStep::Kind>(m.at("kind").get<int>()),
                  m.at("source").get<std::string>(), m.at("target").get<std::string>(),
                  m.at("options").get<std::string>(), m.at("read_only").get<bool>(), ""};
      s.content = m.at("content").get<std::string>();
      p.mounts.push_back(std::move(s));
    }
    p.etc_dir = j.at("etc_dir").get<std::string>();
    p.hostname = j.at("hostname").get<std::string>();
    p.uid = j.at("uid").get<uid_t>();
    p.gid = j.at("gid").get<gid_t>();
    p.groups = j.at("groups").get<std::vector<gid_t>>();
    p.env = j.at("env").get<std::vector<std::string>>();
    p.cwd = j.at("cwd").get<std::string>();
    p.argv = j.at("argv").get<std::vector<std::string>>();
    p.tty = j.at("tty").get<bool>();
    p.network_host = j.at("network_host").get<bool>();
  } catch (const nlohmann::json::exception& e) {
    return Status::Internal(fmt::format("launch plan: {}", e.what()));
  }
  return p;
}

}  // namespace layerlab
