// Running a container: its launch plan (namespaces, id maps, mounts, user, env) and an attached
// run that records the state in the store and reports the copy-ups afterwards.
#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <ctime>
#include <fstream>
#include <sstream>

#include <signal.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "container/init_layer.h"
#include "layerlab/containers.h"
#include "layerlab/image_config.h"

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

namespace {

// The container's own /etc/passwd or /etc/group: its writable layer's copy, else the lowers'.
std::string ContainerFile(const std::string& writable, const std::vector<std::string>& lowers,
                          const std::string& name) {
  std::string mine = writable + "/" + name;
  if (access(mine.c_str(), F_OK) == 0) return ReadFile(mine);
  if (auto hit = FindInLowers(lowers, name)) return ReadFile(lowers[hit->layer] + "/" + name);
  return {};
}

}  // namespace

Result<int> Containers::Exec(const ContainerInfo& c, const std::vector<std::string>& argv,
                             const RunOptions& options, const LaunchIo& io, LaunchError* error) {
  if (c.state != "running" || c.pid <= 0) {
    return Status::Conflict(fmt::format("container {} is not running", c.id));
  }
  if (argv.empty()) return Status::InvalidArgument("no command specified");
  LL_ASSIGN_OR_RETURN(auto lowers, ContainerLowers(c));
  std::string user = options.user.empty() ? c.user : options.user;
  LL_ASSIGN_OR_RETURN(ResolvedUser u,
                      ResolveUser(user, ContainerFile(WritableDir(c), lowers, "etc/passwd"),
                                  ContainerFile(WritableDir(c), lowers, "etc/group")));
  ExecSpec spec;
  spec.argv = argv;
  spec.env = c.env;
  if (!HasKey(spec.env, "PATH")) spec.env.insert(spec.env.begin(), std::string("PATH=") + kDefaultPath);
  spec.env.push_back("HOSTNAME=" + c.hostname);
  if (!HasKey(spec.env, "HOME")) spec.env.push_back("HOME=" + u.home);
  for (const auto& e : options.env) spec.env.push_back(e);
  spec.cwd = !options.workdir.empty() ? options.workdir : c.workdir.empty() ? "/" : c.workdir;
  spec.uid = u.uid;
  spec.gid = u.gid;
  spec.groups = u.groups;
  spec.set_groups = geteuid() == 0;
  spec.tty = options.tty;
  if (spec.tty && !HasKey(spec.env, "TERM")) spec.env.push_back("TERM=xterm");  // as Docker
  return ExecInContainer(c.pid, spec, io, error);
}

LaunchPlan Containers::LaunchShape(const std::string& network) {
  LaunchPlan p;
  p.clone_flags = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC;
  if (network != "host") p.clone_flags |= CLONE_NEWNET;
  // Its own view of the cgroup tree, as Docker gives on cgroup v2 (kernels since 4.6 have it).
  if (access("/proc/self/ns/cgroup", F_OK) == 0) p.clone_flags |= CLONE_NEWCGROUP;
  // As root the whole id range maps to itself; rootless, 0 inside is the caller outside.
  if (geteuid() == 0) {
    p.uid_map = {{0, 0, 4294967295u}};
    p.gid_map = {{0, 0, 4294967295u}};
  } else {
    p.uid_map = {{0, static_cast<uint32_t>(geteuid()), 1}};
    p.gid_map = {{0, static_cast<uint32_t>(getegid()), 1}};
    p.deny_setgroups = true;
  }
  return p;
}

Result<LaunchPlan> Containers::PlanLaunch(const ContainerInfo& c) {
  LaunchPlan p = LaunchShape(c.network);
  std::string dir = store_->ContainerDir(c.id);
  LL_ASSIGN_OR_RETURN(p.lowers, ContainerLowers(c));
  if (c.driver == StorageDriver::kOverlay) {
    p.upper = dir + "/upper";
    p.work = dir + "/work";
    p.rootfs = MountPoint();
    p.volatile_upper = c.auto_remove;
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
  };
  // Written anew at each start (as Docker rewrites its hosts file), in a tmpfs of the container's.
  p.etc_dir = EtcDir();
  for (const auto& [path, content] : EtcFiles(c)) {
    p.mounts.push_back({K::kEtcFile, "", path, "", false,
                        path == "/etc/hostname"
                            ? "bound in like Docker does, so it never lands in the writable layer"
                            : "",
                        content});
  }
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
  p.tty = c.tty;
  if (p.tty && !HasKey(p.env, "TERM")) p.env.push_back("TERM=xterm");
  p.limits = c.limits;
  p.cgroup_name = c.id;
  return p;
}

Result<int> Containers::RunAttached(const ContainerInfo& given, const LaunchIo& io,
                                    LaunchError* error, EarlyChild* early) {
  ContainerInfo c = given;
  LL_ASSIGN_OR_RETURN(LaunchPlan plan, PlanLaunch(c));
  const Tracer& t = store_->tracer();
  std::vector<Change> before;
  if (t.enabled()) {
    LL_ASSIGN_OR_RETURN(before, Diff(c));
  }
  auto started = StartPlan(plan, io, error, t, early);
  if (!started) {
    c.state = "exited";
    c.exit_code = error->exit_code;
    c.finished = static_cast<int64_t>(std::time(nullptr));
    (void)store_->UpdateContainer(c.id, c.state, ConfigJson(c));
    return started.error();
  }
  LL_RETURN_IF_ERROR(MarkRunning(&c, started->pid, 0));
  if (started->tty_master >= 0) {
    RelayTty(started->tty_master);
    close(started->tty_master);
  }
  int code = WaitContainer(started->pid, /*forward_signals=*/true);
  LL_RETURN_IF_ERROR(MarkExited(&c, code, before));
  return code;
}

Status Containers::MarkRunning(ContainerInfo* c, pid_t pid, pid_t supervisor) {
  c->state = "running";
  c->pid = pid;
  c->supervisor = supervisor;
  c->started = static_cast<int64_t>(std::time(nullptr));
  c->finished = 0;
  return store_->UpdateContainer(c->id, c->state, ConfigJson(*c));
}

Status Containers::MarkExited(ContainerInfo* c, int code, const std::vector<Change>& before) {
  c->state = "exited";
  c->exit_code = code;
  c->pid = 0;
  c->supervisor = 0;
  c->finished = static_cast<int64_t>(std::time(nullptr));
  LL_RETURN_IF_ERROR(store_->UpdateContainer(c->id, c->state, ConfigJson(*c)));
  store_->tracer().Emit(TraceKind::kContainerExited, c->id,
                        code >= 128 ? fmt::format("killed by signal {}", code - 128)
                                    : "the command returned",
                        -1, {}, std::to_string(code));
  return ReportChanges(*c, before);
}

std::string Containers::LogPath(const ContainerInfo& c) const {
  return store_->ContainerDir(c.id) + "/log";
}

Status Containers::Signal(const ContainerInfo& c, int sig) {
  if (c.state != "running" || c.pid <= 0) {
    return Status::Conflict(fmt::format("container {} is not running", c.name));
  }
  if (kill(c.pid, sig) != 0) return Status::FromErrno(fmt::format("kill {}", c.name), errno);
  const char* name = sigabbrev_np(sig);
  store_->tracer().Emit(
      TraceKind::kLaunchStep,
      fmt::format("kill -{} {}: SIG{} to the container's PID 1", name ? name : "?", c.pid,
                  name ? name : std::to_string(sig)),
      sig == SIGKILL ? "SIGKILL cannot be caught: the kernel ends PID 1, and with it every "
                       "process of its pid namespace"
                     : "PID 1 of a pid namespace gets only the signals it has a handler for "
                       "(SIGKILL aside): a shell without a trap ignores it");
  return Status::Ok();
}

Result<std::string> Containers::InspectJson(const ContainerInfo& c) {
  nlohmann::ordered_json j;
  j["Id"] = c.id;
  j["Created"] = FormatRfc3339(c.created);
  std::vector<std::string> args(c.cmd.begin(), c.cmd.end());
  std::string path;
  if (!c.entrypoint.empty()) {
    path = c.entrypoint[0];
    args.insert(args.begin(), c.entrypoint.begin() + 1, c.entrypoint.end());
  } else if (!args.empty()) {
    path = args[0];
    args.erase(args.begin());
  }
  j["Path"] = path;
  j["Args"] = args;
  j["State"] = {{"Status", c.state},
                {"Running", c.state == "running"},
                {"Paused", false},
                {"Restarting", false},
                {"OOMKilled", false},
                {"Dead", false},
                {"Pid", c.pid},
                {"SupervisorPid", c.supervisor},  // layerlab's own: the `run -d` keeper
                {"ExitCode", c.exit_code},
                {"Error", ""},
                {"StartedAt", c.started ? FormatRfc3339(c.started) : "0001-01-01T00:00:00Z"},
                {"FinishedAt", c.finished ? FormatRfc3339(c.finished) : "0001-01-01T00:00:00Z"}};
  j["Image"] = c.image_id;
  j["Name"] = "/" + c.name;
  j["Driver"] = StorageDriverName(c.driver);
  j["LogPath"] = LogPath(c);
  j["GraphDriver"] = {{"Name", StorageDriverName(c.driver)},
                      {"Data", {{"UpperDir", WritableDir(c)}}}};
  j["Config"] = {{"Hostname", c.hostname}, {"User", c.user},   {"Env", c.env},
                 {"Cmd", c.cmd},           {"Image", c.image_name},
                 {"WorkingDir", c.workdir}, {"Entrypoint", c.entrypoint}};
  j["HostConfig"] = {{"NetworkMode", c.network}, {"AutoRemove", c.auto_remove}};
  return nlohmann::ordered_json::array({j}).dump(4);
}

}  // namespace layerlab
