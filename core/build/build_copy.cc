// COPY and ADD (through a container's union, so writes copy up like any other), the sources'
// manifest that keys the cache, COPY --from, and RUN's container.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "build/build_run.h"
#include "build/dockerfile_words.h"
#include "layer/tree_copy.h"
#include "layerlab/digest.h"
#include "layerlab/layer_fs.h"

namespace layerlab::build {

using fsutil::CopyEntry;
using fsutil::CopyOptions;
using fsutil::Fd;
using fsutil::OpenInRoot;

namespace {

bool IsUrl(const std::string& s) {
  return s.rfind("http://", 0) == 0 || s.rfind("https://", 0) == 0 || s.rfind("git@", 0) == 0;
}

const Heredoc* HeredocFor(const CopyRequest& req, const std::string& source) {
  if (source.rfind("<<", 0) != 0) return nullptr;
  std::string name = source.substr(2);
  if (!name.empty() && name[0] == '-') name = name.substr(1);
  for (const auto& h : req.heredocs) {
    if (h.name == name || source.find(h.name) != std::string::npos) return &h;
  }
  return nullptr;
}

bool Ignored(const CopySource& src, const std::string& rel) {
  if (src.ignore == nullptr || src.ignore->Empty()) return false;
  std::string r = rel.rfind("./", 0) == 0 ? rel.substr(2) : rel;
  if (r.empty() || r == ".") return false;
  return src.ignore->MatchesOrParentMatches(r);
}

// One file or directory a source stands for: its path as written (what .dockerignore and the
// destination name see) and the host path it resolves to, symlinks followed inside the root.
struct Match {
  std::string rel;
  std::string host;
};

// The files a source stands for (wildcards expanded, .dockerignore applied).
Result<std::vector<Match>> Expand(const CopySource& src, const std::string& source) {
  auto matches = GlobContext(src.root, source);
  std::vector<Match> out;
  if (matches) {
    for (const auto& m : *matches) {
      if (Ignored(src, m)) continue;
      LL_ASSIGN_OR_RETURN(std::string resolved, ResolveInContext(src.root, m));
      out.push_back({m, resolved == "." ? src.root : src.root + "/" + resolved});
    }
  }
  if (out.empty()) {
    if (!matches && matches.error().code() != Code::kNotFound) return matches.error();
    return Status::NotFound(fmt::format(
        "failed to compute cache key: \"{}\": not found (not in the build context, or excluded "
        "by .dockerignore)",
        source));
  }
  return out;
}

// Adds `rel` (and what is below it) to the manifest: type, mode and content, not times or owners.
Status AddToManifest(const CopySource& src, const std::string& rel, const std::string& path,
                     nlohmann::json* out) {
  struct stat st;
  if (lstat(path.c_str(), &st) != 0) return Status::FromErrno(fmt::format("stat `{}`", rel), errno);
  std::string key = rel == "." ? "." : rel.rfind("./", 0) == 0 ? rel.substr(2) : rel;
  if (S_ISDIR(st.st_mode)) {
    (*out)[key + "/"] = fmt::format("dir {:o}", st.st_mode & 07777);
    std::vector<std::string> names;
    if (DIR* d = opendir(path.c_str())) {
      while (struct dirent* e = readdir(d)) {
        std::string n = e->d_name;
        if (n != "." && n != "..") names.push_back(n);
      }
      closedir(d);
    }
    std::sort(names.begin(), names.end());
    for (const auto& n : names) {
      std::string child = rel == "." ? n : rel + "/" + n;
      if (Ignored(src, child)) {
        struct stat cst;
        bool dir = lstat((path + "/" + n).c_str(), &cst) == 0 && S_ISDIR(cst.st_mode);
        if (!dir || !src.ignore->MustWalkExcludedDir(child)) continue;
      }
      LL_RETURN_IF_ERROR(AddToManifest(src, child, path + "/" + n, out));
    }
  } else if (S_ISLNK(st.st_mode)) {
    char buf[4096];
    ssize_t n = readlink(path.c_str(), buf, sizeof buf);
    (*out)[key] = fmt::format("link {}", std::string(buf, n > 0 ? static_cast<size_t>(n) : 0));
  } else if (S_ISREG(st.st_mode)) {
    LL_ASSIGN_OR_RETURN(std::string digest, Sha256File(path));
    (*out)[key] = fmt::format("{:o} {}", st.st_mode & 07777, digest);
  }
  return Status::Ok();
}

// Opens (creating what is missing, 0755) directory `path` inside the root.
Result<Fd> MakeDirInRoot(int root_fd, const std::string& path, long uid, long gid) {
  std::string cur;
  size_t i = 0;
  while (i < path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string::npos) j = path.size();
    std::string comp = path.substr(i, j - i);
    i = j + 1;
    if (comp.empty() || comp == ".") continue;
    std::string next = cur + "/" + comp;
    auto fd = OpenInRoot(root_fd, next, O_RDONLY | O_DIRECTORY);
    if (!fd) {
      LL_ASSIGN_OR_RETURN(Fd parent, OpenInRoot(root_fd, cur.empty() ? "/" : cur,
                                                O_RDONLY | O_DIRECTORY));
      if (mkdirat(parent.get(), comp.c_str(), 0755) != 0 && errno != EEXIST) {
        return Status::FromErrno(fmt::format("mkdir `{}`", next), errno);
      }
      if (uid >= 0) (void)fchownat(parent.get(), comp.c_str(), static_cast<uid_t>(uid),
                                   static_cast<gid_t>(gid), AT_SYMLINK_NOFOLLOW);
    }
    cur = next;
  }
  return OpenInRoot(root_fd, cur.empty() ? "/" : cur, O_RDONLY | O_DIRECTORY);
}

std::string ReadRootFile(const std::string& root, const char* rel) {
  std::string out;
  int root_fd = open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (root_fd < 0) return out;
  Fd rfd(root_fd);
  auto fd = OpenInRoot(rfd.get(), rel, O_RDONLY);
  if (!fd) return out;
  char buf[8192];
  ssize_t n;
  while ((n = read(fd->get(), buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  return out;
}

bool LooksLikeArchive(const std::string& path) {
  // tar (ustar magic at 257) or a compressed stream ADD would unpack.
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  unsigned char b[512] = {};
  ssize_t n = pread(fd, b, sizeof b, 0);
  close(fd);
  if (n >= 262 && std::memcmp(b + 257, "ustar", 5) == 0) return true;
  if (n >= 2 && b[0] == 0x1f && b[1] == 0x8b) return true;                      // gzip
  if (n >= 3 && b[0] == 'B' && b[1] == 'Z' && b[2] == 'h') return true;         // bzip2
  if (n >= 6 && std::memcmp(b, "\xfd" "7zXZ", 5) == 0) return true;             // xz
  if (n >= 4 && b[0] == 0x28 && b[1] == 0xb5 && b[2] == 0x2f && b[3] == 0xfd) return true;
  return false;
}

}  // namespace

Result<std::string> SourcesManifest(const CopySource& src, const CopyRequest& req,
                                    const ShellEnv& env) {
  (void)env;
  nlohmann::json m = nlohmann::json::object();
  for (const auto& source : req.sources) {
    if (const Heredoc* h = HeredocFor(req, source)) {
      m["<<" + h->name] = Sha256Digest(h->content);
      continue;
    }
    LL_ASSIGN_OR_RETURN(auto matches, Expand(src, source));
    for (const auto& match : matches) {
      LL_RETURN_IF_ERROR(AddToManifest(src, match.rel, match.host, &m));
    }
  }
  return m.dump();
}

Status BuildRun::Copy(const DockerfileNode& n, StageState* s, const ShellEnv& env) {
  const ShellLex lex(df_->escape);
  const bool add = n.keyword == "add";
  const std::string KW = add ? "ADD" : "COPY";
  CopyRequest req;
  req.add = add;
  req.heredocs = n.heredocs;
  for (auto& h : req.heredocs) {
    if (h.chomp) h.content = ChompHeredoc(h.content);
    if (h.expand) {
      // ExpandRaw: variables expanded, quotes and escapes kept as written.
      ShellLexOptions raw;
      raw.raw_quotes = true;
      raw.raw_escapes = true;
      LL_ASSIGN_OR_RETURN(h.content, ShellLex(df_->escape, raw).ProcessWord(h.content, env));
    }
  }
  std::string from;
  std::vector<std::string> shown_flags;
  for (const auto& f : n.flags) {
    size_t eq = f.find('=');
    std::string name = f.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
    std::string raw = eq == std::string::npos ? "" : f.substr(eq + 1);
    LL_ASSIGN_OR_RETURN(std::string value, lex.ProcessWord(raw, env));
    if (name == "from") {
      from = value;
    } else if (name == "chown") {
      req.chown = value;
    } else if (name == "chmod") {
      char* end = nullptr;
      long mode = std::strtol(value.c_str(), &end, 8);
      if (value.empty() || *end != '\0' || mode < 0 || mode > 07777) {
        return Status::InvalidArgument(fmt::format("invalid chmod parameter: {}", value));
      }
      req.chmod = static_cast<int>(mode);
    } else if (name == "link") {
      // --link only changes how BuildKit stores the layer; the files are the same.
    } else {
      return Status::Unsupported(fmt::format("{} --{} is not supported by layerlab", KW, name));
    }
    // BuildKit's history keeps --chown and --chmod only.
    if (name == "chown" || name == "chmod") {
      shown_flags.push_back(fmt::format("--{}={}", name, value));
    }
  }
  std::vector<std::string> args;
  for (const auto& a : n.args) {
    if (a.rfind("<<", 0) == 0 && !req.heredocs.empty()) {
      args.push_back(a);
      continue;
    }
    LL_ASSIGN_OR_RETURN(std::string v, lex.ProcessWord(a, env));
    args.push_back(v);
  }
  if (args.size() < 2) {
    return Status::InvalidArgument(fmt::format("{} requires at least two arguments", KW));
  }
  req.sources.assign(args.begin(), args.end() - 1);
  std::string dest = args.back();
  for (const auto& src : req.sources) {
    if (IsUrl(src)) {
      if (!add) return Status::InvalidArgument("source can't be a URL for COPY");
      return Status::Unsupported(fmt::format(
          "ADD {}: downloading needs the network, and layerlab has none; download it into the "
          "build context and ADD the file",
          src));
    }
  }
  req.dest_dir = dest.ends_with("/") || dest == "." || dest.ends_with("/.");
  if (dest.empty() || dest[0] != '/') {
    std::string wd = s->config.working_dir.empty() ? "/" : s->config.working_dir;
    dest = wd + (wd.ends_with("/") ? "" : "/") + dest;
  }
  req.dest = dest;
  std::string text = fmt::format("{} ", KW);
  for (const auto& f : shown_flags) text += f + " ";
  for (size_t i = 0; i < args.size(); ++i) text += (i ? " " : "") + args[i];
  req.instruction = text;
  CopySource src{options_.context_dir, ignore_};
  if (!from.empty()) {
    LL_ASSIGN_OR_RETURN(src.root, ExportFrom(from, req.sources));
    src.ignore = nullptr;
  }
  LL_ASSIGN_OR_RETURN(std::string manifest, SourcesManifest(src, req, env));
  // Several files from one wildcard also need a directory destination.
  if (!req.dest_dir) {
    size_t count = 0;
    for (const auto& source : req.sources) {
      if (HeredocFor(req, source)) {
        ++count;
        continue;
      }
      LL_ASSIGN_OR_RETURN(auto m, Expand(src, source));
      count += m.size();
    }
    if (count > 1) {
      return Status::InvalidArgument(fmt::format(
          "When using {} with more than one source file, the destination must be a directory and "
          "end with a /",
          KW));
    }
  }
  return Step(n, s, CacheKey{text + " # buildkit", manifest, "{}"}, true, nullptr,
              [this, src, req](StageState& st) { return CopyInto(st, src, req); });
}

Result<std::optional<WrittenLayer>> BuildRun::CopyInto(StageState& s, const CopySource& src,
                                                       const CopyRequest& req) {
  LL_ASSIGN_OR_RETURN(std::string image, EnsureImage(&s));
  RunOptions ro;
  ro.entrypoint = std::vector<std::string>{"/bin/true"};
  LL_ASSIGN_OR_RETURN(ContainerInfo c, containers_->Create(image, TempName(), {}, ro));
  std::string staging = store_->blobs().NewTmpPath("add");
  Status st = containers_->Mutate(c, [&](const std::string& root) -> Status {
    Fd root_fd(open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!root_fd.ok()) return Status::FromErrno("open the build container's root", errno);
    CopyOptions opts;
    opts.uid = 0;
    opts.gid = 0;
    opts.mode = req.chmod;
    if (!req.chown.empty()) {
      LL_ASSIGN_OR_RETURN(ResolvedUser u, ResolveUser(req.chown, ReadRootFile(root, "etc/passwd"),
                                                      ReadRootFile(root, "etc/group")));
      opts.uid = u.uid;
      opts.gid = u.gid;
    }
    // An excluded directory is still walked when an exception (`!pattern`) may match below it.
    opts.skip = [&](const std::string& shown, bool is_dir) {
      if (!Ignored(src, shown)) return false;
      return !(is_dir && src.ignore && src.ignore->MustWalkExcludedDir(shown));
    };
    // Where a source lands: into dest (a directory) or as dest.
    auto existing = OpenInRoot(root_fd.get(), req.dest, O_PATH);
    struct stat dst_st;
    bool dest_is_dir = req.dest_dir || (existing && fstat(existing->get(), &dst_st) == 0 &&
                                        S_ISDIR(dst_st.st_mode));
    if (req.sources.empty()) {  // WORKDIR: only the directory
      return MakeDirInRoot(root_fd.get(), req.dest, opts.uid, opts.gid).has_value()
                 ? Status::Ok()
                 : Status::Internal(fmt::format("mkdir `{}`", req.dest));
    }
    std::string dir_path = dest_is_dir ? req.dest : fsutil::ParentOf(req.dest);
    LL_ASSIGN_OR_RETURN(Fd dest_dir, MakeDirInRoot(root_fd.get(), dir_path, opts.uid, opts.gid));
    for (const auto& source : req.sources) {
      if (const Heredoc* h = HeredocFor(req, source)) {
        std::string name = dest_is_dir ? h->name : fsutil::BaseName(req.dest);
        int fd = openat(dest_dir.get(), name.c_str(),
                        O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd < 0) return Status::FromErrno(fmt::format("write `{}`", name), errno);
        Fd out(fd);
        if (write(fd, h->content.data(), h->content.size()) !=
            static_cast<ssize_t>(h->content.size())) {
          return Status::FromErrno(fmt::format("write `{}`", name), errno);
        }
        (void)fchown(fd, static_cast<uid_t>(opts.uid), static_cast<gid_t>(opts.gid));
        if (opts.mode >= 0) (void)fchmod(fd, static_cast<mode_t>(opts.mode));
        continue;
      }
      LL_ASSIGN_OR_RETURN(auto matches, Expand(src, source));
      for (const auto& match : matches) {
        const std::string& rel = match.rel;
        const std::string& host = match.host;
        struct stat sst;
        if (lstat(host.c_str(), &sst) != 0) return Status::FromErrno(fmt::format("stat `{}`", rel), errno);
        std::string parent = fsutil::ParentOf(host), base = fsutil::BaseName(host);
        Fd src_dir(open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        if (!src_dir.ok()) return Status::FromErrno(fmt::format("open `{}`", parent), errno);
        if (S_ISDIR(sst.st_mode)) {
          // A directory's contents are copied, not the directory itself.
          Fd in(openat(src_dir.get(), base.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
          Fd target(-1);
          if (dest_is_dir) {
            target = Fd(dup(dest_dir.get()));
          } else {
            LL_ASSIGN_OR_RETURN(target, MakeDirInRoot(root_fd.get(), req.dest, opts.uid, opts.gid));
          }
          DIR* d = fdopendir(dup(in.get()));
          if (d == nullptr) return Status::FromErrno(fmt::format("read `{}`", rel), errno);
          std::vector<std::string> names;
          while (struct dirent* e = readdir(d)) {
            std::string nm = e->d_name;
            if (nm != "." && nm != "..") names.push_back(nm);
          }
          closedir(d);
          for (const auto& nm : names) {
            std::string shown = rel == "." ? nm : rel + "/" + nm;
            LL_RETURN_IF_ERROR(CopyEntry(in.get(), nm, target.get(), nm, shown, opts));
          }
          continue;
        }
        if (req.add && S_ISREG(sst.st_mode) && LooksLikeArchive(host)) {
          // ADD unpacks a local archive into the destination directory: staged first (where the
          // unpacker refuses any entry escaping it), then merged in.
          LL_RETURN_IF_ERROR(MakeDirs(staging));
          UnpackOptions uo;
          uo.mode = WhiteoutMode::kApply;
          auto unpacked = UnpackLayer(host, staging, uo);
          if (!unpacked) return Status(unpacked.error()).WithContext(fmt::format("ADD {}", rel));
          Fd in(open(staging.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
          Fd target(-1);
          if (dest_is_dir) {
            target = Fd(dup(dest_dir.get()));
          } else {
            LL_ASSIGN_OR_RETURN(target, MakeDirInRoot(root_fd.get(), req.dest, -1, -1));
          }
          CopyOptions keep;  // archive entries keep their owners and modes
          LL_RETURN_IF_ERROR(CopyEntry(in.get(), ".", target.get(), ".", rel, keep));
          continue;
        }
        std::string name = dest_is_dir ? fsutil::BaseName(rel) : fsutil::BaseName(req.dest);
        LL_RETURN_IF_ERROR(CopyEntry(src_dir.get(), base, dest_dir.get(), name, rel, opts));
      }
    }
    return Status::Ok();
  });
  (void)RemoveTree(staging);
  if (!st.ok()) {
    (void)containers_->Remove(c, true);
    return st;
  }
  return LayerOf(c);
}

Result<std::optional<WrittenLayer>> BuildRun::LayerOf(const ContainerInfo& c) {
  auto changes = containers_->Diff(c);
  Result<std::optional<WrittenLayer>> out = std::optional<WrittenLayer>();
  if (!changes) {
    out = changes.error();
  } else if (!changes->empty()) {
    auto layer = WriteChangesLayer(store_->blobs(), containers_->WritableDir(c), *changes);
    if (layer) {
      out = std::optional<WrittenLayer>(*layer);
    } else {
      out = layer.error();
    }
  }
  Status rm = containers_->Remove(c, true);
  if (out.has_value() && !rm.ok()) return rm;
  return out;
}

Result<std::string> BuildRun::ExportFrom(const std::string& from,
                                         const std::vector<std::string>& sources) {
  std::string image;
  std::optional<int> stage;
  std::string l = from;
  for (char& ch : l) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  for (const auto& st : plan_.stages) {
    if (st.index >= stage_->index) break;
    if ((!st.name.empty() && st.name == l) || std::to_string(st.index) == from) stage = st.index;
  }
  if (stage) {
    LL_ASSIGN_OR_RETURN(image, EnsureImage(&done_[*stage]));
  } else {
    auto id = images_->Resolve(from);
    if (!id) {
      return Status::NotFound(fmt::format(
          "COPY --from={}: no stage of that name before this one, and no such image in the store",
          from));
    }
    image = *id;
  }
  // One export per image and sources, however many COPY --from read them.
  std::string memo = image;
  for (const auto& src : sources) memo += "\n" + src;
  if (auto it = exported_.find(memo); it != exported_.end()) return it->second;
  RunOptions ro;
  ro.entrypoint = std::vector<std::string>{"/bin/true"};
  LL_ASSIGN_OR_RETURN(ContainerInfo c, containers_->Create(image, TempName(), {}, ro));
  std::string dir = store_->blobs().NewTmpPath("from");
  Status st = MakeDirs(dir);
  if (st.ok()) {
    st = containers_->WithRoot(c, [&](const std::string& root) -> Status {
      // Only what the sources name, at the same paths (symlinks resolved inside the stage's
      // root, so none leads out of it); a source that matches nothing is reported later.
      for (const auto& source : sources) {
        auto matches = GlobContext(root, source);
        if (!matches) continue;
        for (const auto& m : *matches) {
          auto resolved = ResolveInContext(root, m);
          if (!resolved) continue;
          std::string from_path = *resolved == "." ? root : root + "/" + *resolved;
          std::string to_parent = m == "." ? dir : fsutil::ParentOf(dir + "/" + m);
          LL_RETURN_IF_ERROR(MakeDirs(to_parent));
          std::string in_dir = *resolved == "." ? root : fsutil::ParentOf(from_path);
          Fd in(open(in_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
          Fd out(open(to_parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
          if (!in.ok() || !out.ok()) return Status::FromErrno("open a stage's files", errno);
          std::string name = *resolved == "." ? "." : fsutil::BaseName(from_path);
          LL_RETURN_IF_ERROR(CopyEntry(in.get(), name, out.get(),
                                       m == "." ? "." : fsutil::BaseName(m), m, CopyOptions{}));
        }
      }
      return Status::Ok();
    });
  }
  (void)containers_->Remove(c, true);
  if (!st.ok()) {
    (void)RemoveTree(dir);
    return st.WithContext(fmt::format("COPY --from={}", from));
  }
  temp_dirs_.push_back(dir);
  exported_[memo] = dir;
  return dir;
}

Result<std::optional<WrittenLayer>> BuildRun::RunInContainer(StageState& s,
                                                             const std::vector<std::string>& argv,
                                                             const std::vector<std::string>& env,
                                                             const std::string& shown) {
  LL_ASSIGN_OR_RETURN(std::string image, EnsureImage(&s));
  RunOptions ro;
  ro.entrypoint = argv;
  ro.env = env;
  ro.network = "none";
  LL_ASSIGN_OR_RETURN(ContainerInfo c, containers_->Create(image, TempName(), {}, ro));
  // The command's output goes through a small relay process that prefixes each line like
  // BuildKit's plain progress ("#5 0.123 text"). A process, not a thread: the launcher forks.
  int p[2];
  if (pipe2(p, O_CLOEXEC) != 0) return Status::FromErrno("pipe", errno);
  int vertex = vertex_;
  int out_fd = options_.output_fd;
  std::fflush(nullptr);
  pid_t relay = fork();
  if (relay < 0) return Status::FromErrno("fork", errno);
  if (relay == 0) {
    close(p[1]);
    auto t0 = std::chrono::steady_clock::now();
    std::string pending;
    char buf[4096];
    auto flush_line = [&](const std::string& line) {
      if (out_fd < 0) return;
      double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      std::string text = fmt::format("#{} {:.3f} {}\n", vertex, t, line);
      (void)!write(out_fd, text.data(), text.size());
    };
    for (;;) {
      ssize_t n = read(p[0], buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      pending.append(buf, static_cast<size_t>(n));
      size_t nl;
      while ((nl = pending.find('\n')) != std::string::npos) {
        flush_line(pending.substr(0, nl));
        pending.erase(0, nl + 1);
      }
    }
    if (!pending.empty()) flush_line(pending);
    _exit(0);
  }
  close(p[0]);
  int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
  LaunchIo io{devnull, p[1], p[1]};
  LaunchError lerr;
  auto code = containers_->RunAttached(c, io, &lerr);
  close(p[1]);
  if (devnull >= 0) close(devnull);
  int wst = 0;
  while (waitpid(relay, &wst, 0) < 0 && errno == EINTR) {
  }
  if (!code || *code != 0) {
    (void)containers_->Remove(c, true);
    if (!code) {
      return Status::Internal(fmt::format("process {} did not complete successfully: {}",
                                          GoQuote(shown), code.error().message()));
    }
    return Status::Internal(fmt::format("process {} did not complete successfully: exit code: {}",
                                        GoQuote(shown), *code));
  }
  return LayerOf(c);
}

}  // namespace layerlab::build
