// The init layer and the per-container /etc/hostname, /etc/hosts and /etc/resolv.conf.
#include "container/init_layer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include <fmt/format.h>

namespace layerlab {

namespace {

const char* const kInitDirs[] = {"dev", "proc", "sys", "etc"};
const char* const kInitFiles[] = {"etc/hostname", "etc/hosts", "etc/resolv.conf"};

Status Touch(const std::string& path, mode_t mode) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, mode);
  if (fd < 0) return Status::FromErrno(fmt::format("create `{}`", path), errno);
  struct timespec times[2] = {{0, 0}, {0, 0}};
  futimens(fd, times);
  close(fd);
  return Status::Ok();
}
}  // namespace

Status MakeInitDir(const std::string& init) {
  LL_RETURN_IF_ERROR(MakeDirs(init));
  for (const char* d : kInitDirs) {
    std::string p = init + "/" + d;
    if (mkdir(p.c_str(), 0755) != 0 && errno != EEXIST) {
      return Status::FromErrno(fmt::format("create `{}`", p), errno);
    }
  }
  for (const char* f : kInitFiles) LL_RETURN_IF_ERROR(Touch(init + "/" + f, 0644));
  return Status::Ok();
}

std::vector<std::pair<std::string, std::string>> EtcFiles(const ContainerInfo& c) {
  std::string resolv = "# --network none: this container has no network\n";
  if (c.network == "host") {
    std::ifstream host("/etc/resolv.conf");
    std::stringstream ss;
    ss << host.rdbuf();
    resolv = ss.str();
  }
  return {{"/etc/hostname", c.hostname + "\n"},
          {"/etc/hosts", fmt::format("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost "
                                     "ip6-loopback\n127.0.0.1\t{}\n",
                                     c.hostname)},
          {"/etc/resolv.conf", resolv}};
}

void MatchInitModes(const std::string& init,
                    const std::function<std::optional<mode_t>(const std::string&)>& mode_of) {
  for (const char* d : kInitDirs) {
    if (auto mode = mode_of(d)) chmod((init + "/" + d).c_str(), *mode & 07777);
  }
}

Status CopyInitFiles(const std::string& init, const std::string& rootfs) {
  for (const char* d : kInitDirs) {
    std::string p = rootfs + "/" + d;
    if (mkdir(p.c_str(), 0755) != 0 && errno != EEXIST) {
      return Status::FromErrno(fmt::format("create `{}`", p), errno);
    }
  }
  for (const char* f : kInitFiles) {
    std::string p = rootfs + "/" + f;
    if (access(p.c_str(), F_OK) == 0) continue;  // the image has its own; the bind covers it
    LL_RETURN_IF_ERROR(Touch(p, 0644));
  }
  (void)init;
  return Status::Ok();
}

}  // namespace layerlab
