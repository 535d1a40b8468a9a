// A child in new user + mount namespaces: the parent writes its uid/gid maps (full identity as
// root, "0 <uid> 1" rootless), then the child makes every mount private and runs the work.
#include "layerlab/namespaces.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <exception>

#include <fmt/format.h>

#include "union/fd_io.h"

namespace layerlab {

using fdio::ReadAll;
using fdio::WriteAll;
using fdio::WriteProcFile;

namespace {

// The id maps for the child: as root the whole range maps to itself (files keep their owners);
// as an ordinary user only 0 exists inside, and it is the caller outside.
Status WriteIdMaps(pid_t pid) {
  uid_t uid = geteuid();
  gid_t gid = getegid();
  if (uid == 0) {
    LL_RETURN_IF_ERROR(WriteProcFile(pid, "uid_map", "0 0 4294967295\n"));
    return WriteProcFile(pid, "gid_map", "0 0 4294967295\n");
  }
  LL_RETURN_IF_ERROR(WriteProcFile(pid, "uid_map", fmt::format("0 {} 1\n", uid)));
  LL_RETURN_IF_ERROR(WriteProcFile(pid, "setgroups", "deny\n"));
  return WriteProcFile(pid, "gid_map", fmt::format("0 {} 1\n", gid));
}

[[noreturn]] void ChildExit(int result_fd, const Status& st) {
  std::string msg = st.ok() ? "" : fmt::format("{}\n{}\n{}", static_cast<int>(st.code()),
                                               st.os_errno(), st.message());
  WriteAll(result_fd, msg);
  _exit(st.ok() ? 0 : 1);
}

}  // namespace

Status RunInUserMountNamespace(const std::function<Status()>& fn) {
  int ready[2], go[2], result[2];
  if (pipe2(ready, O_CLOEXEC) || pipe2(go, O_CLOEXEC) || pipe2(result, O_CLOEXEC)) {
    return Status::FromErrno("pipe", errno);
  }
  std::fflush(nullptr);
  pid_t pid = fork();
  if (pid < 0) return Status::FromErrno("fork", errno);
  if (pid == 0) {
    close(ready[0]);
    close(go[1]);
    close(result[0]);
    if (unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0) {
      int err = errno;
      WriteAll(ready[1], "x");
      ChildExit(result[1],
                Status::FromErrno("create a user and mount namespace (CLONE_NEWUSER|CLONE_NEWNS)"
                                  "; the kernel refused, so try --storage-driver copy",
                                  err));
    }
    WriteAll(ready[1], "u");
    close(ready[1]);
    char c = 0;
    if (read(go[0], &c, 1) != 1 || c != 'g') _exit(2);
    // Our mounts must not propagate back to the host's namespace.
    if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
      ChildExit(result[1], Status::FromErrno("make mounts private", errno));
    }
    // An exception must not unwind into the caller's code in this forked copy of the process.
    Status st;
    try {
      st = fn();
    } catch (const std::exception& e) {
      st = Status::Internal(fmt::format("exception in the namespace child: {}", e.what()));
    } catch (...) {
      st = Status::Internal("unknown exception in the namespace child");
    }
    ChildExit(result[1], st);
  }
  close(ready[1]);
  close(go[0]);
  close(result[1]);
  char c = 0;
  Status maps;
  if (read(ready[0], &c, 1) == 1 && c == 'u') {
    maps = WriteIdMaps(pid);
    WriteAll(go[1], maps.ok() ? "g" : "n");
  }
  close(ready[0]);
  close(go[1]);
  std::string msg = ReadAll(result[0]);
  close(result[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!maps.ok()) return maps.WithContext("set up the user namespace's id maps");
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return Status::Ok();
  if (!msg.empty()) {
    size_t a = msg.find('\n'), b = msg.find('\n', a + 1);
    int code = std::atoi(msg.substr(0, a).c_str());
    std::string text = msg.substr(b + 1);
    if (!text.empty() && text.back() == '\n') text.pop_back();
    switch (static_cast<Code>(code)) {
      case Code::kInvalidArgument: return Status::InvalidArgument(text);
      case Code::kNotFound: return Status::NotFound(text);
      case Code::kConflict: return Status::Conflict(text);
      case Code::kUnsupported: return Status::Unsupported(text);
      case Code::kCorrupt: return Status::Corrupt(text);
      default: return Status::Internal(text);
    }
  }
  if (WIFSIGNALED(status)) {
    return Status::Internal(fmt::format("namespace child killed by signal {}", WTERMSIG(status)));
  }
  return Status::Internal(fmt::format("namespace child exited with {}", WEXITSTATUS(status)));
}

}  // namespace layerlab
