// Tree copies and in-root opens (see tree_copy.h).
#include "layer/tree_copy.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include <fmt/format.h>

namespace layerlab::fsutil {

// Opens `path` inside the tree at root_fd: "..", absolute paths and symlinks all resolve as if
// root_fd were "/".
Result<Fd> OpenInRoot(int root_fd, const std::string& path, uint64_t flags) {
  struct open_how how = {};
  how.flags = flags | O_CLOEXEC;
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  std::string rel = path.empty() ? "." : path;
  long fd = syscall(SYS_openat2, root_fd, rel.c_str(), &how, sizeof how);
  if (fd < 0) return Status::FromErrno(fmt::format("open `{}`", path), errno);
  return Fd(static_cast<int>(fd));
}

std::string BaseName(std::string p) {
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  size_t slash = p.rfind('/');
  return slash == std::string::npos ? p : p.substr(slash + 1);
}

std::string ParentOf(std::string p) {
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  size_t slash = p.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : p.substr(0, slash);
}

Status CopyData(int in, int out, const std::string& what) {
  char buf[1 << 16];
  for (;;) {
    ssize_t n = read(in, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::FromErrno(fmt::format("read `{}`", what), errno);
    if (n == 0) return Status::Ok();
    for (ssize_t off = 0; off < n;) {
      ssize_t w = write(out, buf + off, static_cast<size_t>(n - off));
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) return Status::FromErrno(fmt::format("write `{}`", what), errno);
      off += w;
    }
  }
}

// Copies the entry `name` in src_dir (an fd) to `name2` in dst_dir, recursively, never following
// symlinks on either side. An existing regular file is overwritten in place (in a union that is
// where copy-up happens); an existing directory is merged into.
Status CopyEntry(int src_dir, const std::string& name, int dst_dir, const std::string& name2,
                 const std::string& shown, const CopyOptions& opts) {
  const bool break_links = opts.break_links;
  struct stat st;
  if (fstatat(src_dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    return Status::FromErrno(fmt::format("stat `{}`", shown), errno);
  }
  if (opts.skip && opts.skip(shown, S_ISDIR(st.st_mode))) return Status::Ok();
  struct stat existing;
  bool exists = fstatat(dst_dir, name2.c_str(), &existing, AT_SYMLINK_NOFOLLOW) == 0;
  if (exists && (S_ISDIR(st.st_mode) != S_ISDIR(existing.st_mode) ||
                 (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)))) {
    if (S_ISDIR(existing.st_mode) && !S_ISDIR(st.st_mode)) {
      return Status::InvalidArgument(
          fmt::format("cannot overwrite directory `{}` with non-directory", shown));
    }
    LL_RETURN_IF_ERROR(fsutil::RemoveAt(dst_dir, name2));
    exists = false;
  }
  struct timespec times[2] = {st.st_atim, st.st_mtim};
  if (S_ISDIR(st.st_mode)) {
    if (!exists && mkdirat(dst_dir, name2.c_str(), st.st_mode & 07777) != 0) {
      return Status::FromErrno(fmt::format("mkdir `{}`", shown), errno);
    }
    Fd in(openat(src_dir, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    Fd out(openat(dst_dir, name2.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!in.ok() || !out.ok()) return Status::FromErrno(fmt::format("open `{}`", shown), errno);
    DIR* d = fdopendir(dup(in.get()));
    if (d == nullptr) return Status::FromErrno(fmt::format("read `{}`", shown), errno);
    std::vector<std::string> children;
    while (struct dirent* e = readdir(d)) {
      std::string n = e->d_name;
      if (n != "." && n != "..") children.push_back(n);
    }
    closedir(d);
    for (const auto& c : children) {
      LL_RETURN_IF_ERROR(CopyEntry(in.get(), c, out.get(), c, shown + "/" + c, opts));
    }
    if (opts.uid >= 0 && fchown(out.get(), static_cast<uid_t>(opts.uid), static_cast<gid_t>(opts.gid)) != 0) {
      return Status::FromErrno(fmt::format("chown `{}`", shown), errno);
    }
    fchmod(out.get(), opts.mode >= 0 ? static_cast<mode_t>(opts.mode) : st.st_mode & 07777);
    futimens(out.get(), times);
    return Status::Ok();
  }
  if (S_ISLNK(st.st_mode)) {
    std::string target(static_cast<size_t>(st.st_size) + 1, '\0');
    ssize_t n = readlinkat(src_dir, name.c_str(), target.data(), target.size());
    if (n < 0) return Status::FromErrno(fmt::format("readlink `{}`", shown), errno);
    target.resize(static_cast<size_t>(n));
    if (symlinkat(target.c_str(), dst_dir, name2.c_str()) != 0) {
      return Status::FromErrno(fmt::format("symlink `{}`", shown), errno);
    }
    if (opts.uid >= 0 && fchownat(dst_dir, name2.c_str(), static_cast<uid_t>(opts.uid),
                                  static_cast<gid_t>(opts.gid), AT_SYMLINK_NOFOLLOW) != 0) {
      return Status::FromErrno(fmt::format("chown `{}`", shown), errno);
    }
    utimensat(dst_dir, name2.c_str(), times, AT_SYMLINK_NOFOLLOW);
    return Status::Ok();
  }
  if (!S_ISREG(st.st_mode)) return Status::Ok();  // devices, fifos and sockets are not copied
  if (exists && break_links && existing.st_nlink > 1) {
    // A plain directory tree (the copy driver) shares hard-linked inodes: replace the file, as
    // Docker does, instead of writing through every link. (A union breaks the link on copy-up.)
    if (unlinkat(dst_dir, name2.c_str(), 0) != 0) {
      return Status::FromErrno(fmt::format("replace `{}`", shown), errno);
    }
    exists = false;
  }
  Fd in(openat(src_dir, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!in.ok()) return Status::FromErrno(fmt::format("open `{}`", shown), errno);
  int flags = O_WRONLY | O_NOFOLLOW | O_CLOEXEC | (exists ? O_TRUNC : O_CREAT | O_EXCL);
  Fd out(openat(dst_dir, name2.c_str(), flags, st.st_mode & 07777));
  if (!out.ok()) return Status::FromErrno(fmt::format("write `{}`", shown), errno);
  LL_RETURN_IF_ERROR(CopyData(in.get(), out.get(), shown));
  if (opts.uid >= 0 && fchown(out.get(), static_cast<uid_t>(opts.uid), static_cast<gid_t>(opts.gid)) != 0) {
    return Status::FromErrno(fmt::format("chown `{}`", shown), errno);
  }
  fchmod(out.get(), opts.mode >= 0 ? static_cast<mode_t>(opts.mode) : st.st_mode & 07777);
  futimens(out.get(), times);
  return Status::Ok();
}

}  // namespace layerlab::fsutil
