// What the launcher (launcher.cc) and `exec` (exec_in.cc) share: Errno, finding the command in
// PATH, a child's error back through a pipe, passing a descriptor over a socket, the terminal.
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "runtime/launch_util.h"
#include "union/fd_io.h"

namespace layerlab {

using fdio::WriteAll;

namespace launch_util {

Status Errno(const std::string& what) { return Status::FromErrno(what, errno); }

std::string EnvValue(const std::vector<std::string>& env, const std::string& key) {
  for (const auto& e : env) {
    if (e.rfind(key + "=", 0) == 0) return e.substr(key.size() + 1);
  }
  return {};
}

// Finds argv[0] on the container's PATH, as Docker reports it: exec: "x": executable file not
// found in $PATH (127), or permission denied (126).
Result<std::string> FindExecutable(const std::string& name, const std::vector<std::string>& env,
                                   int* exit_code) {
  *exit_code = 127;
  if (name.find('/') != std::string::npos) {
    if (access(name.c_str(), F_OK) != 0) {
      return Status::NotFound(fmt::format("exec: \"{}\": stat {}: no such file or directory",
                                          name, name));
    }
    return name;
  }
  std::string path = EnvValue(env, "PATH");
  size_t pos = 0;
  while (pos <= path.size()) {
    size_t colon = path.find(':', pos);
    std::string dir = path.substr(pos, colon == std::string::npos ? std::string::npos : colon - pos);
    pos = colon == std::string::npos ? path.size() + 1 : colon + 1;
    std::string cand = (dir.empty() ? "." : dir) + "/" + name;
    struct stat st;
    if (stat(cand.c_str(), &st) == 0 && S_ISREG(st.st_mode)) return cand;
  }
  return Status::NotFound(
      fmt::format("exec: \"{}\": executable file not found in $PATH", name));
}

[[noreturn]] void ChildFail(int fd, const Status& st, int exit_code) {
  WriteAll(fd, fmt::format("{}\n{}", exit_code, st.message()));
  _exit(exit_code);
}

namespace {

// One byte of data and room for one descriptor: the message an SCM_RIGHTS fd travels in.
struct FdMessage {
  FdMessage() {
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
  }
  FdMessage(const FdMessage&) = delete;
  char byte = 't';
  struct iovec iov = {&byte, 1};
  char control[CMSG_SPACE(sizeof(int))] = {};
  struct msghdr msg = {};
};

}  // namespace

// Sends an fd over a unix socket (SCM_RIGHTS).
bool SendFd(int sock, int fd) {
  FdMessage m;
  struct cmsghdr* cm = CMSG_FIRSTHDR(&m.msg);
  cm->cmsg_level = SOL_SOCKET;
  cm->cmsg_type = SCM_RIGHTS;
  cm->cmsg_len = CMSG_LEN(sizeof(int));
  std::memcpy(CMSG_DATA(cm), &fd, sizeof fd);
  return sendmsg(sock, &m.msg, 0) == 1;
}

int ReceiveFd(int sock) {
  FdMessage m;
  if (recvmsg(sock, &m.msg, MSG_CMSG_CLOEXEC) != 1) return -1;
  struct cmsghdr* cm = CMSG_FIRSTHDR(&m.msg);
  if (cm == nullptr || cm->cmsg_type != SCM_RIGHTS) return -1;
  int fd;
  std::memcpy(&fd, CMSG_DATA(cm), sizeof fd);
  return fd;
}

Result<std::string> NewTerminal(const std::string& ptmx, int sock) {
  int master = open(ptmx.c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC);
  unsigned int n = 0;
  int unlock = 0;
  if (master < 0 || ioctl(master, TIOCSPTLCK, &unlock) != 0 || ioctl(master, TIOCGPTN, &n) != 0) {
    Status st = Errno("allocate a pseudo-terminal");
    if (master >= 0) close(master);
    return st;
  }
  bool sent = SendFd(sock, master);
  int err = errno;
  close(master);
  if (!sent) return Status::FromErrno("pass the terminal to the caller", err);
  return fmt::format("/dev/pts/{}", n);
}

int ReceiveTerminal(int sock[2]) {
  close(sock[1]);
  int master = ReceiveFd(sock[0]);
  close(sock[0]);
  return master;
}

Status TakeTerminal(const std::string& slave) {
  int fd = open(slave.c_str(), O_RDWR);
  if (fd < 0 || setsid() < 0 || ioctl(fd, TIOCSCTTY, 0) != 0) return Errno("open " + slave);
  dup2(fd, 0);
  dup2(fd, 1);
  dup2(fd, 2);
  if (fd > 2) close(fd);
  return Status::Ok();
}

}  // namespace launch_util

}  // namespace layerlab
