// Executing a LaunchPlan. The parent clones the child into new namespaces, writes its id maps,
// then lets it go; the child mounts its root, pivots into it and execs. A failure in the child
// comes back through a close-on-exec pipe (no message = the exec happened).
#include <arpa/inet.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <grp.h>
#include <poll.h>
#include <sys/uio.h>
#include <termios.h>

#include <cerrno>
#include <cstring>
#include <exception>

#include <fmt/format.h>

#include "layerlab/launch.h"
#include "layerlab/namespaces.h"
#include "runtime/launch_util.h"
#include "union/fd_io.h"

namespace layerlab {

using fdio::WriteAll;
using namespace launch_util;

namespace {

std::string MapText(const std::vector<IdMap>& maps) {
  std::string out;
  for (const auto& m : maps) out += fmt::format("{} {} {}\n", m.inside, m.outside, m.count);
  return out;
}

// ---- In the child ---------------------------------------------------------------------------


Status DoMount(const MountStep& m, const std::string& root, const std::string& etc_dir) {
  std::string target = root + m.target;
  switch (m.kind) {
    case MountStep::Kind::kEtcFile: {
      std::string file = etc_dir + m.target.substr(m.target.rfind('/'));
      int fd = open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
      if (fd < 0 || !WriteAll(fd, m.content)) {
        if (fd >= 0) close(fd);
        return Errno(fmt::format("write {}", file));
      }
      close(fd);
      // The target exists: the init layer has it (CopyInitFiles puts it in a copy driver's root).
      if (mount(file.c_str(), target.c_str(), nullptr, MS_BIND, nullptr) != 0) {
        return Errno(fmt::format("bind {} on {}", file, m.target));
      }
      return Status::Ok();
    }
    case MountStep::Kind::kProc:
      if (mount("proc", target.c_str(), "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) != 0) {
        return Errno("mount /proc for the new pid namespace");
      }
      return Status::Ok();
    case MountStep::Kind::kTmpfs:
      mkdir(target.c_str(), 0755);
      if (mount("tmpfs", target.c_str(), "tmpfs", MS_NOSUID, m.options.c_str()) != 0) {
        return Errno(fmt::format("mount tmpfs on {}", m.target));
      }
      return Status::Ok();
    case MountStep::Kind::kBindDevice: {
      int fd = open(target.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0666);
      if (fd >= 0) close(fd);
      if (mount(m.source.c_str(), target.c_str(), nullptr, MS_BIND, nullptr) != 0) {
        return Errno(fmt::format("bind {} on {}", m.source, m.target));
      }
      return Status::Ok();
    }
    case MountStep::Kind::kDevpts:
      mkdir(target.c_str(), 0755);
      if (mount("devpts", target.c_str(), "devpts", MS_NOSUID | MS_NOEXEC,
                "newinstance,ptmxmode=0666,mode=0620") != 0) {
        return Errno("mount devpts");
      }
      if (symlink("pts/ptmx", (root + "/dev/ptmx").c_str()) != 0 && errno != EEXIST) {
        return Errno("link /dev/ptmx");
      }
      return Status::Ok();
    case MountStep::Kind::kSysfs:
      // A fresh sysfs needs a network namespace of our own; else bind the host's, read-only.
      if (mount("sysfs", target.c_str(), "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
                nullptr) == 0) {
        return Status::Ok();
      }
      if (mount("/sys", target.c_str(), nullptr, MS_BIND | MS_REC, nullptr) != 0 ||
          mount(nullptr, target.c_str(), nullptr,
                MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) != 0) {
        return Errno("mount /sys read-only");
      }
      return Status::Ok();
    case MountStep::Kind::kMqueue:
      mkdir(target.c_str(), 0755);
      mount("mqueue", target.c_str(), "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr);
      return Status::Ok();  // optional: not every kernel lets a user namespace mount it
    case MountStep::Kind::kOverlay:
      return Status::Ok();
  }
  return Status::Ok();
}

void LoopbackUp() {
  int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0) return;
  struct ifreq ifr = {};
  std::strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
  if (ioctl(s, SIOCGIFFLAGS, &ifr) == 0) {
    ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
    ioctl(s, SIOCSIFFLAGS, &ifr);
  }
  close(s);
}

}  // namespace

namespace {

int g_tty_sock = -1;  // the child's end of the socket the terminal's master travels on

// stdio first, so anything the command prints goes to the caller's chosen files; then the
// parent's go-ahead once it has written our id maps.
void ChildPrologue(const LaunchIo& io, int sync_fd) {
  if (io.in != 0) dup2(io.in, 0);
  if (io.out != 1) dup2(io.out, 1);
  if (io.err != 2) dup2(io.err, 2);
  char c = 0;
  if (read(sync_fd, &c, 1) != 1 || c != 'g') _exit(125);
  close(sync_fd);
}

[[noreturn]] void RunChild(const LaunchPlan& p, int err_fd) {
  auto fail = [&](const Status& st) { ChildFail(err_fd, st, 125); };
  if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
    fail(Errno("make mounts private"));
  }
  if (p.mount_overlay) {
    Status st = MountOverlay(p.lowers, p.upper, p.work, p.rootfs, p.volatile_upper);
    if (!st.ok()) fail(st);
  } else if (mount(p.rootfs.c_str(), p.rootfs.c_str(), nullptr, MS_BIND | MS_REC, nullptr) != 0) {
    fail(Errno("bind the container's root"));
  }
  // The files of kEtcFile steps live in a tmpfs of the container's own: nothing on disk to
  // create or remove (as Podman keeps them in its tmpfs run directory). After pivot_root this
  // mount goes with the old root; the binds of its files keep it alive.
  if (!p.etc_dir.empty() &&
      mount("tmpfs", p.etc_dir.c_str(), "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
            "mode=755,size=64k") != 0) {
    fail(Errno(fmt::format("mount a tmpfs on {}", p.etc_dir)));
  }
  for (const auto& m : p.mounts) {
    Status st = DoMount(m, p.rootfs, p.etc_dir);
    if (!st.ok()) fail(st);
  }
  for (const auto& [link, target] :
       std::vector<std::pair<std::string, std::string>>{{"/dev/fd", "/proc/self/fd"},
                                                        {"/dev/stdin", "/proc/self/fd/0"},
                                                        {"/dev/stdout", "/proc/self/fd/1"},
                                                        {"/dev/stderr", "/proc/self/fd/2"}}) {
    symlink(target.c_str(), (p.rootfs + link).c_str());
  }
  // -t: a terminal from the container's own devpts; its master goes to the caller.
  std::string slave;
  if (p.tty) {
    auto made = NewTerminal(p.rootfs + "/dev/pts/ptmx", g_tty_sock);
    if (!made) fail(made.error());
    slave = *made;
  }
  // pivot_root(".", "."): the old root ends up stacked under the new one; detach it.
  if (chdir(p.rootfs.c_str()) != 0) fail(Errno("chdir into the new root"));
  if (syscall(SYS_pivot_root, ".", ".") != 0) fail(Errno("pivot_root"));
  if (umount2(".", MNT_DETACH) != 0) fail(Errno("detach the old root"));
  if (chdir("/") != 0) fail(Errno("chdir /"));
  if (p.clone_flags & CLONE_NEWUTS) {
    if (sethostname(p.hostname.data(), p.hostname.size()) != 0) fail(Errno("sethostname"));
  }
  if (!slave.empty()) {
    Status taken = TakeTerminal(slave);
    if (!taken.ok()) fail(taken);
  }
  if (p.clone_flags & CLONE_NEWNET) LoopbackUp();
  if (!p.deny_setgroups && setgroups(p.groups.size(), p.groups.data()) != 0) {
    fail(Errno("setgroups"));
  }
  if (setresgid(p.gid, p.gid, p.gid) != 0) fail(Errno(fmt::format("setgid {}", p.gid)));
  if (setresuid(p.uid, p.uid, p.uid) != 0) fail(Errno(fmt::format("setuid {}", p.uid)));
  if (chdir(p.cwd.c_str()) != 0) {
    fail(Status::FromErrno(fmt::format("chdir to cwd (\"{}\") set in config.json", p.cwd), errno));
  }
  int code = 127;
  auto exe = FindExecutable(p.argv[0], p.env, &code);
  if (!exe) ChildFail(err_fd, exe.error(), code);
  std::vector<char*> argv, envp;
  for (const auto& a : p.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  for (const auto& e : p.env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  signal(SIGPIPE, SIG_DFL);
  execve(exe->c_str(), argv.data(), envp.data());
  int err = errno;
  if (err == EACCES || err == EPERM) {
    ChildFail(err_fd,
              Status::InvalidArgument(fmt::format("exec: \"{}\": permission denied", p.argv[0])),
              126);
  }
  ChildFail(err_fd, Status::FromErrno(fmt::format("exec: \"{}\"", p.argv[0]), err), 126);
}

// Which namespace the kernel refuses, found by creating them one by one in a throwaway child
// (user first, since the others need it when we are not root), and why when the cause is known.
std::string RefusedNamespace(int flags) {
  static const std::pair<int, const char*> kOrder[] = {
      {CLONE_NEWUSER, "user"}, {CLONE_NEWNS, "mount"}, {CLONE_NEWPID, "pid"},
      {CLONE_NEWUTS, "uts"},   {CLONE_NEWIPC, "ipc"},  {CLONE_NEWNET, "net"},
      {CLONE_NEWCGROUP, "cgroup"}};
  int p[2];
  if (pipe2(p, O_CLOEXEC) != 0) return "the kernel refused to create the namespaces";
  pid_t child = fork();
  if (child == 0) {
    close(p[0]);
    int result[2] = {-1, 0};
    for (size_t i = 0; i < sizeof kOrder / sizeof kOrder[0]; ++i) {
      if (!(flags & kOrder[i].first)) continue;
      if (unshare(kOrder[i].first) != 0) {
        result[0] = static_cast<int>(i);
        result[1] = errno;
        break;
      }
    }
    (void)!write(p[1], result, sizeof result);
    _exit(0);
  }
  close(p[1]);
  int result[2] = {-1, 0};
  bool got = child > 0 && read(p[0], result, sizeof result) == sizeof result;
  close(p[0]);
  if (child > 0) waitpid(child, nullptr, 0);
  if (!got || result[0] < 0) return "the kernel refused to create the namespaces";
  const auto& [flag, name] = kOrder[result[0]];
  std::string why = fmt::format("the kernel refused the {} namespace ({}: {})", name,
                                CloneFlagNames(flag), std::strerror(result[1]));
  if (flag == CLONE_NEWUSER) {
    why += "; unprivileged user namespaces are off here (sysctl "
           "kernel.unprivileged_userns_clone or user.max_user_namespaces), or this is a chroot: "
           "run as root, or ask the administrator to enable them";
  }
  return why;
}

}  // namespace

namespace {

std::string WriteMaps(pid_t child, const LaunchPlan& plan, int sync_fd) {
  Status maps = fdio::WriteProcFile(child, "uid_map", MapText(plan.uid_map));
  if (maps.ok() && plan.deny_setgroups) maps = fdio::WriteProcFile(child, "setgroups", "deny\n");
  if (maps.ok()) maps = fdio::WriteProcFile(child, "gid_map", MapText(plan.gid_map));
  WriteAll(sync_fd, maps.ok() ? "g" : "n");
  close(sync_fd);
  return maps.ok() ? "" : maps.WithContext("write the user namespace's id maps").message();
}

// --memory, --pids-limit: the child is still waiting, so it never runs outside its cgroups.
Status JoinCgroups(const LaunchPlan& plan, pid_t child) {
  if (plan.limits.memory <= 0 && plan.limits.pids <= 0) return Status::Ok();
  auto cg = CreateCgroups(plan.cgroup_name, plan.limits);
  Status st = cg ? AddToCgroups(*cg, child) : cg.error();
  return st.ok() ? st : st.WithContext("apply --memory/--pids-limit");
}

Result<Launched> Fail(pid_t child, const Status& st, LaunchError* error) {
  kill(child, SIGKILL);
  int status = 0;
  waitpid(child, &status, 0);
  error->exit_code = 125;
  error->status = st;
  return st;
}

// Waits for the child's exec: its error pipe closes then (empty), or carries "CODE\nmessage".
Result<Launched> AwaitExec(pid_t child, int err_fd, int master, LaunchError* error) {
  std::string msg = fdio::ReadAll(err_fd);
  close(err_fd);
  if (msg.empty()) return Launched{child, master};
  if (master >= 0) close(master);
  int status = 0;
  waitpid(child, &status, 0);
  size_t nl = msg.find('\n');
  error->exit_code = std::atoi(msg.substr(0, nl).c_str());
  error->status = Status::InvalidArgument(msg.substr(nl + 1));
  return error->status;
}

}  // namespace

Result<EarlyChild> ForkEarly(const LaunchPlan& shape, const LaunchIo& io) {
  if (shape.tty) return Status::Unsupported("a terminal is made with the whole plan");
  int sync[2], err[2], plan[2];
  if (pipe2(sync, O_CLOEXEC) != 0) return Status::FromErrno("pipe", errno);
  if (pipe2(err, O_CLOEXEC) != 0 || pipe2(plan, O_CLOEXEC) != 0) {
    int e = errno;
    for (int fd : {sync[0], sync[1]}) close(fd);
    return Status::FromErrno("pipe", e);
  }
  // The scheduler would wake the child on our CPU, where it waits while we work: it is sent to
  // the others until it has its plan, then given back all of ours.
  cpu_set_t all;
  bool have_all = sched_getaffinity(0, sizeof all, &all) == 0;
  std::fflush(nullptr);
  long pid = syscall(SYS_clone,
                     static_cast<unsigned long>(shape.clone_flags & ~CLONE_NEWNET) | SIGCHLD,
                     nullptr, nullptr, nullptr, nullptr);
  if (pid < 0) {
    int e = errno;
    for (int fd : {sync[0], sync[1], err[0], err[1], plan[0], plan[1]}) close(fd);
    return Status::FromErrno(fmt::format("clone({})", CloneFlagNames(shape.clone_flags)), e);
  }
  if (pid == 0) {
    close(sync[1]);
    close(err[0]);
    close(plan[1]);
    try {
      ChildPrologue(io, sync[0]);
      if ((shape.clone_flags & CLONE_NEWNET) && unshare(CLONE_NEWNET) != 0) {
        ChildFail(err[1], Errno("unshare the network namespace (CLONE_NEWNET)"), 125);
      }
      // The plan: its length (8 bytes), then its JSON. Not read to EOF: a process the parent
      // forks meanwhile may hold the pipe's write end.
      uint64_t size = 0;
      std::string text;
      if (fdio::ReadExactly(plan[0], &size, sizeof size)) {
        text.resize(size);
        if (!fdio::ReadExactly(plan[0], text.data(), size)) text.clear();
      }
      close(plan[0]);
      if (have_all) sched_setaffinity(0, sizeof all, &all);
      if (text.empty()) _exit(125);  // abandoned
      auto p = PlanFromJson(text);
      if (!p) ChildFail(err[1], p.error(), 125);
      RunChild(*p, err[1]);
    } catch (const std::exception& e) {
      ChildFail(err[1], Status::Internal(e.what()), 125);
    }
  }
  close(sync[0]);
  close(err[1]);
  close(plan[0]);
  pid_t child = static_cast<pid_t>(pid);
  int cpu = sched_getcpu();
  if (have_all && cpu >= 0 && CPU_ISSET(cpu, &all) && CPU_COUNT(&all) > 1) {
    cpu_set_t others = all;
    CPU_CLR(cpu, &others);
    sched_setaffinity(child, sizeof others, &others);
  }
  std::string maps = WriteMaps(child, shape, sync[1]);
  EarlyChild early{child, shape.clone_flags, plan[1], err[0]};
  if (!maps.empty()) {
    AbandonEarly(&early);
    return Status::Internal(maps);
  }
  return early;
}

void AbandonEarly(EarlyChild* early) {
  if (early->pid <= 0) return;
  kill(early->pid, SIGKILL);
  int status = 0;
  waitpid(early->pid, &status, 0);
  close(early->plan_fd);
  close(early->err_fd);
  early->pid = -1;
}

Result<Launched> StartPlan(const LaunchPlan& plan, const LaunchIo& io, LaunchError* error,
                           const Tracer& tracer, EarlyChild* early) {
  for (const auto& line : DescribePlan(plan)) {
    tracer.Emit(TraceKind::kLaunchStep, line, "", -1, {}, {});
  }
  if (early != nullptr) {
    if (plan.clone_flags != early->clone_flags || plan.tty) {
      AbandonEarly(early);
      return Status::Internal("the early child was forked for another plan");
    }
    pid_t child = early->pid;
    early->pid = -1;  // ours now
    Status joined = JoinCgroups(plan, child);
    std::string text = PlanToJson(plan);
    uint64_t size = text.size();
    bool sent = joined.ok() && WriteAll(early->plan_fd, std::string(reinterpret_cast<char*>(&size),
                                                                    sizeof size) + text);
    close(early->plan_fd);
    if (!sent) {
      close(early->err_fd);
      return Fail(child, joined.ok() ? Status::Internal("send the launch plan") : joined, error);
    }
    return AwaitExec(child, early->err_fd, -1, error);
  }
  int sync[2], err[2], tty_sock[2] = {-1, -1};
  if (pipe2(sync, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) {
    return Status::FromErrno("pipe", errno);
  }
  if (plan.tty && socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, tty_sock) != 0) {
    return Status::FromErrno("socketpair", errno);
  }
  std::fflush(nullptr);
  // A raw clone with no stack behaves like fork, with the new namespaces applied to the child.
  long pid = syscall(SYS_clone, static_cast<unsigned long>(plan.clone_flags) | SIGCHLD, nullptr,
                     nullptr, nullptr, nullptr);
  if (pid < 0) {
    int e = errno;
    for (int fd : {sync[0], sync[1], err[0], err[1]}) close(fd);
    return Status::FromErrno(
        fmt::format("clone({}): {}", CloneFlagNames(plan.clone_flags),
                    RefusedNamespace(plan.clone_flags)),
        e);
  }
  if (pid == 0) {
    close(sync[1]);
    close(err[0]);
    if (plan.tty) {
      close(tty_sock[0]);
      g_tty_sock = tty_sock[1];
    }
    try {
      ChildPrologue(io, sync[0]);
      RunChild(plan, err[1]);
    } catch (const std::exception& e) {
      ChildFail(err[1], Status::Internal(e.what()), 125);  // never unwind into the caller
    }
  }
  close(sync[0]);
  close(err[1]);
  pid_t child = static_cast<pid_t>(pid);
  Status joined = JoinCgroups(plan, child);
  if (!joined.ok()) {
    close(sync[1]);
    close(err[0]);
    return Fail(child, joined, error);
  }
  std::string maps = WriteMaps(child, plan, sync[1]);
  if (!maps.empty()) {
    close(err[0]);
    return Fail(child, Status::Internal(maps), error);
  }
  int master = plan.tty ? ReceiveTerminal(tty_sock) : -1;
  return AwaitExec(child, err[0], master, error);
}

void RelayTty(int master) {
  struct termios saved;
  bool raw = isatty(0) && tcgetattr(0, &saved) == 0;
  if (raw) {
    struct termios t = saved;
    cfmakeraw(&t);
    tcsetattr(0, TCSANOW, &t);
    struct winsize ws;
    if (ioctl(0, TIOCGWINSZ, &ws) == 0) ioctl(master, TIOCSWINSZ, &ws);
  }
  struct pollfd fds[2] = {{0, POLLIN, 0}, {master, POLLIN, 0}};
  char buf[4096];
  for (;;) {
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) {
      ssize_t n = read(master, buf, sizeof buf);
      if (n <= 0) break;  // EIO: the container closed its terminal
      WriteAll(1, std::string(buf, static_cast<size_t>(n)));
    }
    if (fds[0].revents & (POLLIN | POLLHUP)) {
      ssize_t n = read(0, buf, sizeof buf);
      if (n <= 0) {
        fds[0].fd = -1;  // stdin closed: keep showing the output
      } else {
        WriteAll(master, std::string(buf, static_cast<size_t>(n)));
      }
    }
  }
  if (raw) tcsetattr(0, TCSANOW, &saved);
}

namespace {
pid_t g_forward_to = -1;
void Forward(int sig) {
  if (g_forward_to > 0) kill(g_forward_to, sig);
}
}  // namespace

int WaitContainer(pid_t pid, bool forward_signals) {
  struct sigaction old[6];
  const int kSignals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};
  if (forward_signals) {
    g_forward_to = pid;
    struct sigaction sa = {};
    sa.sa_handler = Forward;
    sigemptyset(&sa.sa_mask);
    for (int i = 0; i < 6; ++i) sigaction(kSignals[i], &sa, &old[i]);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (forward_signals) {
    for (int i = 0; i < 6; ++i) sigaction(kSignals[i], &old[i], nullptr);
    g_forward_to = -1;
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 255;
}

}  // namespace layerlab
