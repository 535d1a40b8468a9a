// Running a container: its launch plan (namespaces, id maps, mounts, user, env) and an attached
// run that records the state in the store and reports the copy-ups afterwards.
#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <ctime>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "layerlab/containers.h"

namespace layerlab {

namespace {

constexpr const char* kDefaultPath =
    "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool HasKey(const std::vector<std::string>& env, const std::string& key) {
  for (const auto& e : env) {
    if (e.rfind(key + "=", 0) == 0) return true;
  }
  return false;
}

}  // namespace

Result<LaunchPlan> Containers::PlanLaunch(const ContainerInfo& c) {
  LaunchPlan p;
  p.clone_flags = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC;
  if (c.network != "host") p.clone_flags |= CLONE_NEWNET;
  // As root the whole id range maps to itself; rootless, 0 inside is the caller outside.
  if (geteuid() == 0) {
    p.uid_map = {{0, 0, 4294967295u}};
    p.gid_map = {{0, 0, 4294967295u}};
  } else {
    p.uid_map = {{0, static_cast<uint32_t>(geteuid()), 1}};
    p.gid_map = {{0, static_cast<uint32_t>(getegid()), 1}};
    p.deny_setgroups = true;
  }
  std::string dir = store_->ContainerDir(c.id);
  LL_ASSIGN_OR_RETURN(p.lowers, ContainerLowers(c));
  if (c.driver == StorageDriver::kOverlay) {
    p.upper = dir + "/upper";
    p.work = dir + "/work";
    p.rootfs = dir + "/merged";
  } else {
    p.rootfs = dir + "/rootfs";
    p.mount_overlay = false;
  }
  using K = MountStep::Kind;
  p.mounts = {
      {K::kProc, "", "/proc", "", false, "a proc of the new pid namespace: ps sees only the container"},
      {K::kTmpfs, "", "/dev", "mode=755,size=65536k", false, "a fresh /dev"},
      {K::kBindDevice, "/dev/null", "/dev/null", "", false, ""},
      {K::kBindDevice, "/dev/zero", "/dev/zero", "", false, ""},
      {K::kBindDevice, "/dev/full", "/dev/full", "", false, ""},
      {K::kBindDevice, "/dev/random", "/dev/random", "", false, ""},
      {K::kBindDevice, "/dev/urandom", "/dev/urandom", "", false, ""},
      {K::kBindDevice, "/dev/tty", "/dev/tty", "", false, ""},
      {K::kDevpts, "", "/dev/pts", "newinstance", false, "its own pseudo-terminals"},
      {K::kTmpfs, "", "/dev/shm", "mode=1777,size=65536k", false, "shared memory"},
      {K::kMqueue, "", "/dev/mqueue", "", false, ""},
      {K::kSysfs, "", "/sys", "", true, ""},
      {K::kBindFile, dir + "/hostname", "/etc/hostname", "", false,
       "bound in like Docker does, so it never lands in the writable layer"},
      {K::kBindFile, dir + "/hosts", "/etc/hosts", "", false, ""},
      {K::kBindFile, dir + "/resolv.conf", "/etc/resolv.conf", "", false, ""},
  };
  p.hostname = c.hostname;
  // USER through the image's own /etc/passwd and /etc/group (the writable layer's if changed).
  std::string passwd, group;
  std::string writable = WritableDir(c);
  for (const auto* name : {"etc/passwd", "etc/group"}) {
    std::string text;
    std::string mine = writable + "/" + name;
    if (access(mine.c_str(), F_OK) == 0) {
      text = ReadFile(mine);
    } else if (auto hit = FindInLowers(p.lowers, name)) {
      text = ReadFile(p.lowers[hit->layer] + "/" + name);
    }
    (std::string(name) == "etc/passwd" ? passwd : group) = text;
  }
  LL_ASSIGN_OR_RETURN(ResolvedUser user, ResolveUser(c.user, passwd, group));
  p.uid = user.uid;
  p.gid = user.gid;
  p.groups = user.groups;
  if (geteuid() != 0 && (user.uid != 0 || user.gid != 0)) {
    return Status::Unsupported(fmt::format(
        "user {} needs more than one id inside the container; rootless, only root (0) exists "
        "there (a range from newuidmap would lift this)",
        c.user));
  }
  p.env = c.env;
  if (!HasKey(p.env, "PATH")) p.env.insert(p.env.begin(), std::string("PATH=") + kDefaultPath);
  p.env.insert(p.env.begin() + 1, "HOSTNAME=" + c.hostname);
  if (!HasKey(p.env, "HOME")) p.env.push_back("HOME=" + user.home);
  p.cwd = c.workdir.empty() ? "/" : c.workdir;
  p.argv = c.entrypoint;
  p.argv.insert(p.argv.end(), c.cmd.begin(), c.cmd.end());
  if (p.argv.empty()) return Status::InvalidArgument("no command specified");
  p.network_host = c.network == "host";
  return p;
}

Result<int> Containers::RunAttached(const ContainerInfo& given, const LaunchIo& io,
                                    LaunchError* error) {
  ContainerInfo c = given;
  LL_ASSIGN_OR_RETURN(LaunchPlan plan, PlanLaunch(c));
  LL_ASSIGN_OR_RETURN(auto before, Diff(c));
  const Tracer& t = store_->tracer();
  auto started = StartPlan(plan, io, error, t);
  if (!started) {
    c.state = "exited";
    c.exit_code = error->exit_code;
    c.finished = static_cast<int64_t>(std::time(nullptr));
    (void)store_->UpdateContainer(c.id, c.state, ConfigJson(c));
    return started.error();
  }
  c.state = "running";
  c.pid = started->pid;
  c.started = static_cast<int64_t>(std::time(nullptr));
  LL_RETURN_IF_ERROR(store_->UpdateContainer(c.id, c.state, ConfigJson(c)));
  int code = WaitContainer(started->pid, /*forward_signals=*/true);
  c.state = "exited";
  c.exit_code = code;
  c.pid = 0;
  c.finished = static_cast<int64_t>(std::time(nullptr));
  LL_RETURN_IF_ERROR(store_->UpdateContainer(c.id, c.state, ConfigJson(c)));
  t.Emit(TraceKind::kContainerExited, c.id,
         code >= 128 ? fmt::format("killed by signal {}", code - 128) : "the command returned",
         -1, {}, std::to_string(code));
  LL_RETURN_IF_ERROR(ReportChanges(c, before));
  return code;
}

}  // namespace layerlab
