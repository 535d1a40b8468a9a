// The init layer (one per image's top layer), the container's own /etc/hostname, /etc/hosts
// and /etc/resolv.conf, and the shared folders a container's union and tmpfs are mounted on.
#include "container/init_layer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "layerlab/blob_store.h"
#include "layerlab/layer_fs.h"
#include "layerlab/store.h"

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

// Where a container's union is mounted: the same empty directory for all, since each mounts it
// in a mount namespace of its own (one folder fewer per container to create and remove).
std::string Containers::MountPoint() const {
  std::string dir = store_->root() + "/mnt/root";
  (void)MakeDirs(dir);
  return dir;
}

std::string Containers::EtcDir() const {
  std::string dir = store_->root() + "/mnt/etc";
  (void)MakeDirs(dir);
  return dir;
}

// Docker gives each container an init layer of its own ("<id>-init"), but all of an image's are
// the same: empty mount points with the image's modes, and empty /etc files that the launcher
// binds over. So one per image's top layer, LAYER/init beside LAYER/diff, made by the first
// container and removed with the layer. Each container is then 8 files and folders lighter to
// create and to remove: about 1 ms of `run --rm` on ext4.
Result<std::string> Containers::EnsureSharedInit(const std::vector<std::string>& lowers) {
  const std::string& top = lowers.front();  // ROOT/layers/<chain>/diff, or ROOT/empty
  std::string init = top.size() > 5 && top.compare(top.size() - 5, 5, "/diff") == 0
                         ? top.substr(0, top.size() - 5) + "/init"
                         : top + ".init";
  if (access(init.c_str(), F_OK) == 0) return init;
  std::string stage = store_->blobs().NewTmpPath("init");
  Status st = MakeInitDir(stage);
  if (st.ok()) {
    // The mount points keep the image's modes, so they hide nothing.
    MatchInitModes(stage, [&](const std::string& d) -> std::optional<mode_t> {
      auto hit = FindInLowers(lowers, d);
      if (!hit) return std::nullopt;
      return static_cast<mode_t>(hit->mode);
    });
    // Another process may have made it meanwhile: then keep theirs.
    if (rename(stage.c_str(), init.c_str()) != 0 && errno != EEXIST && errno != ENOTEMPTY) {
      st = Status::FromErrno(fmt::format("rename `{}` to `{}`", stage, init), errno);
    }
  }
  (void)RemoveTree(stage);
  if (!st.ok()) return st;
  return init;
}

}  // namespace layerlab
