// busybox:latest, made from the host's static busybox: /bin/busybox with every applet as a hard
// link (as the official image does), /etc/passwd and /etc/group, and the usual mount points.
// Deterministic: owners 0:0, every mtime = the binary's mtime, sorted entries.
#include <sys/stat.h>

#include <cstdio>
#include <set>

#include <fmt/format.h>

#include "layerlab/images.h"
#include "layerlab/layer_tar.h"

namespace layerlab {

namespace {

constexpr const char* kBaseSeededKey = "base_image_seeded";
constexpr const char* kDefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

// Runs `busybox ARG` and returns its stdout.
Result<std::string> RunBusybox(const std::string& path, const std::string& arg) {
  std::string cmd = fmt::format("'{}' {} 2>/dev/null", path, arg);
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return Status::FromErrno(fmt::format("run `{}`", cmd), errno);
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  pclose(p);
  return out;
}

}  // namespace

Result<ImageRecord> Images::CreateBaseImage(const BaseImageOptions& options,
                                            const std::vector<Reference>& tags,
                                            const std::string& meta_key) {
  const std::string& bb = options.busybox_path;
  struct stat st;
  if (stat(bb.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
    return Status::NotFound(fmt::format(
        "the base image needs a static busybox at `{}`: install Debian's busybox-static", bb));
  }
  LL_ASSIGN_OR_RETURN(std::string list, RunBusybox(bb, "--list"));
  std::set<std::string> applets;
  for (size_t pos = 0; pos < list.size();) {
    size_t nl = list.find('\n', pos);
    std::string name = list.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    pos = nl == std::string::npos ? list.size() : nl + 1;
    if (!name.empty() && name != "busybox" && name.find('/') == std::string::npos) {
      applets.insert(name);
    }
  }
  if (applets.empty()) {
    return Status::InvalidArgument(fmt::format("`{} --list` printed no applets", bb));
  }
  LL_ASSIGN_OR_RETURN(std::string banner, RunBusybox(bb, ""));
  std::string version = banner.substr(0, banner.find(' ', banner.find(' ') + 1));  // "BusyBox v1"

  const int64_t mtime = st.st_mtime;
  using T = TarEntry::Type;
  std::vector<TarEntry> entries;
  auto add = [&](T type, std::string path, uint32_t mode, std::string content = {},
                 std::string source = {}, std::string link = {}) {
    TarEntry e;
    e.type = type;
    e.path = std::move(path);
    e.mode = mode;
    e.mtime = mtime;
    e.content = std::move(content);
    e.source_path = std::move(source);
    e.link = std::move(link);
    entries.push_back(std::move(e));
  };
  auto dir = [&](const char* path, uint32_t mode) { add(T::kDir, path, mode); };
  dir("bin", 0755);
  dir("dev", 0755);
  dir("etc", 0755);
  dir("home", 0755);
  dir("proc", 0555);
  dir("root", 0700);
  dir("sys", 0555);
  dir("tmp", 01777);
  dir("usr", 0755);
  dir("var", 0755);
  add(T::kFile, "bin/busybox", 0755, {}, bb);
  for (const auto& a : applets) add(T::kHardlink, "bin/" + a, 0755, {}, {}, "bin/busybox");
  add(T::kFile, "etc/passwd", 0644,
      "root:x:0:0:root:/root:/bin/sh\n"
      "nobody:x:65534:65534:nobody:/home:/bin/false\n");
  add(T::kFile, "etc/group", 0644, "root:x:0:\nnobody:x:65534:\n");
  LL_ASSIGN_OR_RETURN(WrittenLayer layer, WriteLayerTar(store_->blobs(), std::move(entries)));

  ImageConfig cfg;
  cfg.created = FormatRfc3339(mtime);
  cfg.env = {std::string("PATH=") + kDefaultPath};
  cfg.cmd = std::vector<std::string>{"sh"};
  cfg.diff_ids = {layer.diff_id};
  cfg.history.push_back({cfg.created,
                         fmt::format("ADD {} (the host's busybox-static, {} applets) /bin/ # "
                                     "layerlab base image",
                                     version, applets.size()),
                         {}, {}, false});
  cfg.history.push_back({cfg.created, "CMD [\"sh\"]", {}, {}, true});
  return CommitConfig(cfg, {{layer.diff_id, layer.size, layer.tar_size}}, tags, "", meta_key);
}

Status Images::EnsureBaseImage(const BaseImageOptions& options) {
  LL_ASSIGN_OR_RETURN(auto seeded, store_->GetMeta(kBaseSeededKey));
  if (seeded) return Status::Ok();
  LL_ASSIGN_OR_RETURN(Reference ref, ParseTaggedName("busybox:latest"));
  auto r = CreateBaseImage(options, {ref}, kBaseSeededKey);
  if (!r) return r.error().WithContext("create the base image busybox:latest");
  return Status::Ok();
}

}  // namespace layerlab
