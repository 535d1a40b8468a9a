// Whole-buffer reads and writes on pipes and /proc files, for the namespace code on both sides
// of a fork.
#pragma once

#include <sys/types.h>

#include <string>

#include "layerlab/status.h"

namespace layerlab::fdio {

// Writes all of `s` (retrying on EINTR); false on error.
bool WriteAll(int fd, const std::string& s);
// Reads until EOF.
std::string ReadAll(int fd);
// Reads exactly n bytes (retrying on EINTR); false on error or an early EOF.
bool ReadExactly(int fd, void* buf, size_t n);
// Writes /proc/PID/NAME (uid_map, gid_map, setgroups).
Status WriteProcFile(pid_t pid, const char* name, const std::string& content);

}  // namespace layerlab::fdio
