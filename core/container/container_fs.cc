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
#include "layer/tree_copy.h"
#include "layerlab/builder.h"
#include "layerlab/containers.h"

namespace layerlab {

using fsutil::BaseName;
using fsutil::CopyEntry;
using fsutil::CopyOptions;
using fsutil::Fd;
using fsutil::OpenInRoot;
using fsutil::ParentOf;

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
                       CopyOptions::Links(break_links));
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
    return CopyEntry(src_dir.get(), src_name, parent->get(), BaseName(dst), shown,
                     CopyOptions::Links(break_links));
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
    return CopyEntry(parent->get(), BaseName(src), out.get(), out_name, shown,
                     CopyOptions::Links(true));
  });
}

Status Containers::Export(const ContainerInfo& c, const std::string& out_path) {
  std::string abs = std::filesystem::absolute(out_path);
  return WithRoot(c, [&](const std::string& root) -> Status {
    auto tar = WriteTreeTar(root, abs);
    return tar ? Status::Ok() : tar.error();
  });
}


Result<std::string> Containers::Commit(const ContainerInfo& c, const CommitOptions& options) {
  std::vector<Reference> tags;
  if (!options.reference.empty()) {
    LL_ASSIGN_OR_RETURN(Reference ref, ParseTaggedName(options.reference));
    tags.push_back(ref);
  }
  LL_ASSIGN_OR_RETURN(ImageConfig cfg, images_->ConfigOf(c.image_id));
  for (const auto& line : options.changes) LL_RETURN_IF_ERROR(ApplyChangeLine(line, &cfg));
  LL_ASSIGN_OR_RETURN(ImageRecord base, images_->Get(c.image_id));
  LL_ASSIGN_OR_RETURN(auto changes, Diff(c));
  LL_ASSIGN_OR_RETURN(WrittenLayer layer,
                      WriteChangesLayer(store_->blobs(), WritableDir(c), changes));
  int counts[3] = {0, 0, 0};  // A, C, D
  for (const auto& ch : changes) ++counts[static_cast<int>(ch.kind)];
  store_->tracer().Emit(
      TraceKind::kLayerCommitted, c.id,
      fmt::format("the writable layer's changes become one new layer on top of the image's {} "
                  "layer(s), which are shared, not copied",
                  base.layers.size()),
      layer.size, layer.diff_id,
      fmt::format("{} added, {} changed, {} deleted", counts[0], counts[1], counts[2]));
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
