// Describing a LaunchPlan: clone flags by name and one line per step, for --explain and tests.
#include <sched.h>

#include <tuple>

#include <fmt/format.h>

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
    static const char* kTypes[] = {"overlay", "proc",  "tmpfs",  "",          "devpts",
                                   "sysfs",   "",      "mqueue", "tmpfs file"};
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
