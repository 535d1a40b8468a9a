// What the launcher (launcher.cc) and exec (exec_in.cc) share: finding the command, reporting a
// child's failure through its error pipe, and passing a terminal's fd over a unix socket.
// Private to core/runtime.
#pragma once

#include <string>
#include <vector>

#include "layerlab/status.h"

namespace layerlab::launch_util {

// Status::FromErrno(what, errno).
Status Errno(const std::string& what);
// Finds argv[0] on the container's PATH, as Docker reports it: exec: "x": executable file not
// found in $PATH (*exit_code 127), or permission denied (126).
Result<std::string> FindExecutable(const std::string& name, const std::vector<std::string>& env,
                                   int* exit_code);
// In a child: writes "CODE\nmessage" to the error pipe and exits with CODE.
[[noreturn]] void ChildFail(int fd, const Status& st, int exit_code);
// Sends / receives an fd over a unix socket (SCM_RIGHTS); ReceiveFd returns -1 on failure.
bool SendFd(int sock, int fd);
int ReceiveFd(int sock);

// -t, in the child: a new pseudo-terminal from the devpts whose ptmx is `ptmx`; its master is sent
// over `sock` to the caller, and the slave's path ("/dev/pts/N", as the container sees it) returned.
Result<std::string> NewTerminal(const std::string& ptmx, int sock);
// -t, in the caller: closes the child's end of `sock` and receives the master (-1 if the child
// failed before making it).
int ReceiveTerminal(int sock[2]);
// Makes `slave` the process's controlling terminal (a new session) and its stdin/out/err.
Status TakeTerminal(const std::string& slave);

}  // namespace layerlab::launch_util
