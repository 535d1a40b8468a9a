// exec: a command started inside a running container, joining its namespaces with setns (the
// user namespace first, the mount namespace last), with -t a terminal of the container's devpts.
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>

#include <fmt/format.h>

#include "layerlab/launch.h"
#include "runtime/launch_util.h"
#include "union/fd_io.h"

namespace layerlab {

using namespace launch_util;

namespace {

// Joins the namespaces of `pid` in the order the kernel needs: the user namespace first (it
// grants the rights for the others), the mount namespace last.
Status JoinNamespaces(pid_t pid, int root_fd) {
  for (const char* ns : {"user", "ipc", "uts", "net", "cgroup", "pid", "mnt"}) {
    std::string path = fmt::format("/proc/{}/ns/{}", pid, ns);
    // A namespace the container shares with us (the host's network, or the cgroup namespace of
    // a container made before it had its own) is not joined: setns may refuse it.
    struct stat theirs, ours;
    if (stat(path.c_str(), &theirs) == 0 &&
        stat(fmt::format("/proc/self/ns/{}", ns).c_str(), &ours) == 0 &&
        theirs.st_ino == ours.st_ino && theirs.st_dev == ours.st_dev) {
      continue;
    }
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Status::FromErrno(fmt::format("open {}", path), errno);
    // Joining our own user namespace again is refused (EINVAL): skip it (host network mode).
    int rc = setns(fd, 0);
    int err = errno;
    close(fd);
    if (rc != 0 && !(err == EINVAL && std::string(ns) == "user")) {
      return Status::FromErrno(fmt::format("setns {}", ns), err);
    }
  }
  if (fchdir(root_fd) != 0 || chroot(".") != 0 || chdir("/") != 0) {
    return Status::FromErrno("enter the container's root", errno);
  }
  return Status::Ok();
}

}  // namespace

Result<int> ExecInContainer(pid_t pid, const ExecSpec& spec, const LaunchIo& io,
                            LaunchError* error) {
  int root_fd = open(fmt::format("/proc/{}/root", pid).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (root_fd < 0) {
    error->status = Status::FromErrno("open the container's root (is it running?)", errno);
    return error->status;
  }
  int err[2], tty_sock[2] = {-1, -1};
  if (pipe2(err, O_CLOEXEC) != 0) return Status::FromErrno("pipe", errno);
  if (spec.tty && socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, tty_sock) != 0) {
    return Status::FromErrno("socketpair", errno);
  }
  std::fflush(nullptr);
  pid_t child = fork();
  if (child < 0) return Status::FromErrno("fork", errno);
  if (child == 0) {
    close(err[0]);
    if (io.in != 0) dup2(io.in, 0);
    if (io.out != 1) dup2(io.out, 1);
    if (io.err != 2) dup2(io.err, 2);
    Status st = JoinNamespaces(pid, root_fd);
    if (!st.ok()) ChildFail(err[1], st, 126);
    // -t: a new terminal from the container's own devpts (as run -t makes); its master goes to
    // the caller, the command gets the slave as its controlling terminal.
    std::string slave;
    if (spec.tty) {
      close(tty_sock[0]);
      auto made = NewTerminal("/dev/pts/ptmx", tty_sock[1]);
      if (!made) ChildFail(err[1], made.error(), 126);
      close(tty_sock[1]);
      slave = *made;
    }
    // A new pid namespace applies to children: fork once more, and pass the exit code on.
    pid_t inner = fork();
    if (inner < 0) ChildFail(err[1], Errno("fork"), 126);
    if (inner == 0) {
      if (!slave.empty()) {
        Status taken = TakeTerminal(slave);
        if (!taken.ok()) ChildFail(err[1], taken, 126);
      }
      if (spec.set_groups && setgroups(spec.groups.size(), spec.groups.data()) != 0) {
        ChildFail(err[1], Errno("setgroups"), 126);
      }
      if (setresgid(spec.gid, spec.gid, spec.gid) != 0) ChildFail(err[1], Errno("setgid"), 126);
      if (setresuid(spec.uid, spec.uid, spec.uid) != 0) ChildFail(err[1], Errno("setuid"), 126);
      if (chdir(spec.cwd.c_str()) != 0) {
        ChildFail(err[1],
                  Status::FromErrno(fmt::format("chdir to cwd (\"{}\")", spec.cwd), errno), 126);
      }
      int code = 127;
      auto exe = FindExecutable(spec.argv[0], spec.env, &code);
      if (!exe) ChildFail(err[1], exe.error(), code);
      std::vector<char*> argv, envp;
      for (const auto& a : spec.argv) argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      for (const auto& e : spec.env) envp.push_back(const_cast<char*>(e.c_str()));
      envp.push_back(nullptr);
      execve(exe->c_str(), argv.data(), envp.data());
      ChildFail(err[1],
                Status::InvalidArgument(fmt::format("exec: \"{}\": permission denied",
                                                    spec.argv[0])),
                126);
    }
    close(err[1]);
    int status = 0;
    while (waitpid(inner, &status, 0) < 0 && errno == EINTR) {
    }
    _exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
  }
  close(err[1]);
  close(root_fd);
  int master = spec.tty ? ReceiveTerminal(tty_sock) : -1;
  std::string msg = fdio::ReadAll(err[0]);  // empty: the command was exec'd
  close(err[0]);
  if (master >= 0) {
    if (msg.empty()) RelayTty(master);
    close(master);
  }
  int code = WaitContainer(child, /*forward_signals=*/true);
  if (!msg.empty()) {
    size_t nl = msg.find('\n');
    error->exit_code = std::atoi(msg.substr(0, nl).c_str());
    error->status = Status::InvalidArgument(msg.substr(nl + 1));
    return error->status;
  }
  return code;
}

}  // namespace layerlab
