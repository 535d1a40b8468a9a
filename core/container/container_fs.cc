// Files in a container: `cp` both ways (container paths resolved inside its root with
// openat2 RESOLVE_IN_ROOT, so a symlink in the container can never lead outside it), `export`
// and `commit`.
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <dirent.h>
#include <filesystem>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "layer/fs_util.h"
#include "layerlab/containers.h"

namespace layerlab {

using fsutil::Fd;

namespace {

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
                 const std::string& shown, bool break_links) {
  struct stat st;
  if (fstatat(src_dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    return Status::FromErrno(fmt::format("stat `{}`", shown), errno);
  }
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
      LL_RETURN_IF_ERROR(CopyEntry(in.get(), c, out.get(), c, shown + "/" + c, break_links));
    }
    fchmod(out.get(), st.st_mode & 07777);
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
  fchmod(out.get(), st.st_mode & 07777);
  futimens(out.get(), times);
  return Status::Ok();
}

}  // namespace

Status Containers::CopyIn(const ContainerInfo& c, const std::string& host_src,
                          const std::string& dst) {
  struct stat sst;
  if (lstat(host_src.c_str(), &sst) != 0) {
    return Status::NotFound(fmt::format("could not find the file {} on the host", host_src));
  }
  bool contents_only = host_src.size() >= 2 && host_src.substr(host_src.size() - 2) == "/.";
  // "DIR/." copies DIR's contents rather than DIR itself.
  std::string src_path = contents_only ? host_src.substr(0, host_src.size() - 2) : host_src;
  std::string src_parent = ParentOf(src_path);
  std::string src_name = BaseName(src_path);
  std::string shown = fmt::format("{}:{}", c.name, dst);
  bool break_links = c.driver == StorageDriver::kCopy;
  return Mutate(c, [&](const std::string& root) -> Status {
    Fd root_fd(open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!root_fd.ok()) return Status::FromErrno("open the container's root", errno);
    Fd src_dir(open(src_parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!src_dir.ok()) return Status::FromErrno(fmt::format("open `{}`", src_parent), errno);
    auto target = OpenInRoot(root_fd.get(), dst, O_PATH);
    struct stat dst_st;
    bool dst_is_dir = target && fstat(target->get(), &dst_st) == 0 && S_ISDIR(dst_st.st_mode);
    if (dst_is_dir) {
      auto dir = OpenInRoot(root_fd.get(), dst, O_RDONLY | O_DIRECTORY);
      if (!dir) return dir.error();
      return CopyEntry(src_dir.get(), src_name, dir->get(), contents_only ? "." : src_name, shown,
                       break_links);
    }
    if (target && S_ISDIR(sst.st_mode)) {
      return Status::InvalidArgument(fmt::format("cannot copy a directory to file {}", shown));
    }
    if (!target && dst.back() == '/' && !S_ISDIR(sst.st_mode)) {
      return Status::NotFound(fmt::format("Could not find the file {} in container {}", dst,
                                          c.name));
    }
    auto parent = OpenInRoot(root_fd.get(), ParentOf(dst), O_RDONLY | O_DIRECTORY);
    if (!parent) {
      return Status::NotFound(fmt::format("Could not find the file {} in container {}",
                                          ParentOf(dst), c.name));
    }
    return CopyEntry(src_dir.get(), src_name, parent->get(), BaseName(dst), shown, break_links);
  });
}

Status Containers::CopyOut(const ContainerInfo& c, const std::string& src,
                           const std::string& host_dst) {
  std::string shown = fmt::format("{}:{}", c.name, src);
  return WithRoot(c, [&](const std::string& root) -> Status {
    Fd root_fd(open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!root_fd.ok()) return Status::FromErrno("open the container's root", errno);
    // The parent resolves inside the container; the entry itself is copied as it is.
    auto parent = OpenInRoot(root_fd.get(), ParentOf(src), O_RDONLY | O_DIRECTORY);
    struct stat st;
    if (!parent || fstatat(parent->get(), BaseName(src).c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
      return Status::NotFound(
          fmt::format("Could not find the file {} in container {}", src, c.name));
    }
    struct stat hst;
    std::string out_dir = host_dst, out_name = BaseName(src);
    if (stat(host_dst.c_str(), &hst) != 0 || !S_ISDIR(hst.st_mode)) {
      out_dir = ParentOf(host_dst);
      out_name = BaseName(host_dst);
    }
    Fd out(open(out_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!out.ok()) return Status::FromErrno(fmt::format("open `{}`", out_dir), errno);
    return CopyEntry(parent->get(), BaseName(src), out.get(), out_name, shown, true);
  });
}

Status Containers::Export(const ContainerInfo& c, const std::string& out_path) {
  std::string abs = std::filesystem::absolute(out_path);
  return WithRoot(c, [&](const std::string& root) -> Status {
    auto tar = WriteTreeTar(root, abs);
    return tar ? Status::Ok() : tar.error();
  });
}

namespace {

// One `commit -c` instruction applied to the config (the Dockerfile subset Docker accepts).
Status ApplyChange(const std::string& line, ImageConfig* cfg) {
  size_t sp = line.find(' ');
  std::string kw = line.substr(0, sp), arg = sp == std::string::npos ? "" : line.substr(sp + 1);
  for (auto& ch : kw) ch = static_cast<char>(toupper(static_cast<unsigned char>(ch)));
  auto words = [&]() {
    std::vector<std::string> out;
    if (!arg.empty() && arg[0] == '[') {
      auto j = nlohmann::json::parse(arg, nullptr, false);
      if (j.is_array()) {
        for (const auto& s : j) {
          if (s.is_string()) out.push_back(s.get<std::string>());
        }
        return out;
      }
    }
    return std::vector<std::string>{"/bin/sh", "-c", arg};
  };
  if (kw == "CMD") {
    cfg->cmd = words();
  } else if (kw == "ENTRYPOINT") {
    cfg->entrypoint = words();
  } else if (kw == "ENV") {
    size_t eq = arg.find('=');
    if (eq == std::string::npos) eq = arg.find(' ');
    if (eq == std::string::npos) return Status::InvalidArgument("ENV needs KEY=VALUE");
    std::string key = arg.substr(0, eq);
    std::erase_if(cfg->env, [&](const std::string& e) { return e.rfind(key + "=", 0) == 0; });
    cfg->env.push_back(key + "=" + arg.substr(eq + 1));
  } else if (kw == "WORKDIR") {
    cfg->working_dir = arg;
  } else if (kw == "USER") {
    cfg->user = arg;
  } else if (kw == "LABEL") {
    size_t eq = arg.find('=');
    if (eq == std::string::npos) return Status::InvalidArgument("LABEL needs KEY=VALUE");
    cfg->labels[arg.substr(0, eq)] = arg.substr(eq + 1);
  } else if (kw == "EXPOSE") {
    cfg->exposed_ports.push_back(arg.find('/') == std::string::npos ? arg + "/tcp" : arg);
  } else if (kw == "VOLUME") {
    cfg->volumes.push_back(arg);
  } else if (kw == "STOPSIGNAL") {
    cfg->stop_signal = arg;
  } else {
    return Status::InvalidArgument(fmt::format("{} is not a valid change command", kw));
  }
  return Status::Ok();
}

}  // namespace

Result<std::string> Containers::Commit(const ContainerInfo& c, const CommitOptions& options) {
  std::vector<Reference> tags;
  if (!options.reference.empty()) {
    LL_ASSIGN_OR_RETURN(Reference ref, ParseTaggedName(options.reference));
    tags.push_back(ref);
  }
  LL_ASSIGN_OR_RETURN(ImageConfig cfg, images_->ConfigOf(c.image_id));
  for (const auto& line : options.changes) LL_RETURN_IF_ERROR(ApplyChange(line, &cfg));
  LL_ASSIGN_OR_RETURN(ImageRecord base, images_->Get(c.image_id));
  LL_ASSIGN_OR_RETURN(auto changes, Diff(c));
  LL_ASSIGN_OR_RETURN(WrittenLayer layer,
                      WriteChangesLayer(store_->blobs(), WritableDir(c), changes));
  cfg.created = NowRfc3339Nano();
  cfg.diff_ids.push_back(layer.diff_id);
  cfg.history.push_back({cfg.created, c.Command(), options.author, options.message, false});
  if (!options.author.empty()) cfg.author = options.author;
  std::vector<NewLayer> layers;
  for (const auto& l : base.layers) layers.push_back({l.diff_id, l.size, l.tar_size});
  layers.push_back({layer.diff_id, layer.size, layer.tar_size});
  LL_ASSIGN_OR_RETURN(ImageRecord img, images_->CommitConfig(cfg, layers, tags, c.image_id));
  return img.id;
}

}  // namespace layerlab
