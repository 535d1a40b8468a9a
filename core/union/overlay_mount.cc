// Mounting overlayfs. The new mount API takes each lower layer in its own fsconfig("lowerdir+")
// call, so the 4095-byte limit of legacy mount options does not apply; older kernels get
// mount(2) with paths relative to a common parent (about 50 layers fit).
#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <string>

#include <fmt/format.h>

#include "layerlab/namespaces.h"
#include "layerlab/whiteout.h"

namespace layerlab {

namespace {

// The kernel explains a refused fsconfig in the context's message log.
std::string KernelLog(int fsfd) {
  std::string out;
  char buf[512];
  for (;;) {
    ssize_t n = read(fsfd, buf, sizeof buf - 1);
    if (n <= 0) break;
    buf[n] = 0;
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out;
}

Status FsError(int fsfd, const std::string& what, int err) {
  std::string log = KernelLog(fsfd);
  Status st = Status::FromErrno(what, err);
  return log.empty() ? st : Status::InvalidArgument(fmt::format("{} [{}]", st.message(), log));
}

Status MountNewApi(const std::vector<std::string>& lowers, const std::string& upper,
                   const std::string& work, const std::string& target, bool volatile_upper,
                   bool* unsupported) {
  int fsfd = fsopen("overlay", FSOPEN_CLOEXEC);
  if (fsfd < 0) {
    *unsupported = errno == ENOSYS;
    if (errno == ENODEV) {
      return Status::Unsupported(
          "this kernel has no overlayfs; use --storage-driver copy");
    }
    return Status::FromErrno("fsopen overlay", errno);
  }
  auto fail = [&](const std::string& what) {
    int err = errno;
    Status st = FsError(fsfd, what, err);
    close(fsfd);
    return st;
  };
  for (const auto& l : lowers) {
    if (fsconfig(fsfd, FSCONFIG_SET_STRING, "lowerdir+", l.c_str(), 0) != 0) {
      if (errno == EINVAL && &l == &lowers.front()) {
        *unsupported = true;  // kernels before 6.8 do not know "lowerdir+"
        close(fsfd);
        return Status::Unsupported("lowerdir+");
      }
      return fail(fmt::format("overlay lower layer `{}`", l));
    }
  }
  if (!upper.empty()) {
    if (fsconfig(fsfd, FSCONFIG_SET_STRING, "upperdir", upper.c_str(), 0) != 0) {
      return fail("overlay upperdir");
    }
    if (fsconfig(fsfd, FSCONFIG_SET_STRING, "workdir", work.c_str(), 0) != 0) {
      return fail("overlay workdir");
    }
  }
  // Inside a user namespace overlay keeps its markers in user.overlay.* (userxattr).
  if (fsconfig(fsfd, FSCONFIG_SET_FLAG, "userxattr", nullptr, 0) != 0) {
    return fail("overlay userxattr");
  }
  if (volatile_upper && fsconfig(fsfd, FSCONFIG_SET_FLAG, "volatile", nullptr, 0) != 0) {
    return fail("overlay volatile");
  }
  if (fsconfig(fsfd, FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) != 0) {
    return fail("create the overlay");
  }
  int mfd = fsmount(fsfd, FSMOUNT_CLOEXEC, 0);
  if (mfd < 0) return fail("fsmount overlay");
  close(fsfd);
  int rc = move_mount(mfd, "", AT_FDCWD, target.c_str(), MOVE_MOUNT_F_EMPTY_PATH);
  int err = errno;
  close(mfd);
  if (rc != 0) return Status::FromErrno(fmt::format("attach the overlay at `{}`", target), err);
  return Status::Ok();
}

std::string CommonParent(const std::vector<std::string>& paths) {
  std::string p = paths.front();
  for (const auto& q : paths) {
    while (!p.empty() && q.compare(0, p.size(), p) != 0) p.pop_back();
  }
  size_t slash = p.rfind('/');
  return slash == std::string::npos ? "" : p.substr(0, slash);
}

Status MountLegacy(const std::vector<std::string>& lowers, const std::string& upper,
                   const std::string& work, const std::string& target, bool volatile_upper) {
  std::string parent = CommonParent(lowers);
  std::string data = "lowerdir=";
  for (size_t i = 0; i < lowers.size(); ++i) {
    if (i) data += ":";
    data += parent.empty() ? lowers[i] : lowers[i].substr(parent.size() + 1);
  }
  if (!upper.empty()) data += ",upperdir=" + upper + ",workdir=" + work;
  data += ",userxattr";
  if (volatile_upper) data += ",volatile";
  if (data.size() > 4095) {
    return Status::Unsupported(fmt::format(
        "{} layers do not fit in mount options (4095 bytes) on this kernel; use "
        "--storage-driver copy, or a kernel with fsconfig lowerdir+ (6.8+)",
        lowers.size()));
  }
  // Relative lowerdirs resolve against the cwd at mount time; put the caller's cwd back after.
  int cwd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (!parent.empty() && chdir(parent.c_str()) != 0) {
    int err = errno;
    if (cwd >= 0) close(cwd);
    return Status::FromErrno(fmt::format("chdir `{}`", parent), err);
  }
  int rc = mount("overlay", target.c_str(), "overlay", 0, data.c_str());
  int err = errno;
  if (cwd >= 0) {
    if (fchdir(cwd) != 0) err = errno;
    close(cwd);
  }
  if (rc != 0) return Status::FromErrno(fmt::format("mount overlay at `{}`", target), err);
  return Status::Ok();
}

// A volatile overlay leaves WORK/work/incompat/volatile/dirty behind, and the kernel refuses to
// mount that work dir again ("the upper layer may be incomplete after a crash"). Only a
// disposable (--rm) container is mounted volatile, and its upper layer is thrown away when it
// exits: a second mount of it (`cp` while it runs, `start` after its layerlab was killed) clears
// the mark.
void ClearVolatileMark(const std::string& work) {
  (void)unlink((work + "/work/incompat/volatile/dirty").c_str());
  (void)rmdir((work + "/work/incompat/volatile").c_str());
  (void)rmdir((work + "/work/incompat").c_str());
}

}  // namespace

Status MountOverlay(const std::vector<std::string>& lowers, const std::string& upper,
                    const std::string& work, const std::string& target, bool volatile_upper) {
  if (lowers.empty()) return Status::InvalidArgument("an overlay needs at least one lower layer");
  if (static_cast<int>(lowers.size()) > kOverlayMaxLowerLayers) {
    return Status::Unsupported(fmt::format(
        "this union needs {} lower layers (the image's and the container's init layer) but "
        "overlayfs stacks at most {}: squash the image (commit a container of it) or use "
        "--storage-driver copy",
        lowers.size(), kOverlayMaxLowerLayers));
  }
  bool unsupported = false;
  // LAYERLAB_OVERLAY_LEGACY=1 takes the pre-6.8 path (tests use it on newer kernels).
  const char* legacy = std::getenv("LAYERLAB_OVERLAY_LEGACY");
  if (legacy != nullptr && std::string(legacy) == "1") {
    if (volatile_upper) ClearVolatileMark(work);
    return MountLegacy(lowers, upper, work, target, volatile_upper);
  }
  if (volatile_upper) ClearVolatileMark(work);
  Status st = MountNewApi(lowers, upper, work, target, volatile_upper, &unsupported);
  if (st.ok() || !unsupported) return st;
  return MountLegacy(lowers, upper, work, target, volatile_upper);
}

}  // namespace layerlab
