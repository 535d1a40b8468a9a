// Containers: records, their writable layers under each storage driver, diff and copy-up reports.
#include "layerlab/containers.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <cerrno>
#include <ctime>
#include <random>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "container/init_layer.h"
#include "layerlab/namespaces.h"

namespace layerlab {

const char* StorageDriverName(StorageDriver d) {
  return d == StorageDriver::kOverlay ? "overlay" : "copy";
}

Result<StorageDriver> ParseStorageDriver(const std::string& name) {
  if (name.empty() || name == "overlay") return StorageDriver::kOverlay;
  if (name == "copy" || name == "vfs") return StorageDriver::kCopy;
  if (name == "fuse") {
    return Status::Unsupported("the fuse storage driver is not built yet; use overlay or copy");
  }
  return Status::InvalidArgument(
      fmt::format("unknown storage driver `{}`: expected overlay or copy", name));
}

std::string ContainerInfo::Command() const {
  std::string out;
  for (const auto* v : {&entrypoint, &cmd}) {
    for (const auto& a : *v) out += (out.empty() ? "" : " ") + a;
  }
  return out;
}

namespace {

std::string RandomHex(size_t bytes) {
  std::string raw(bytes, '\0');
  int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    ssize_t n = read(fd, raw.data(), raw.size());
    (void)n;
    close(fd);
  }
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (unsigned char c : raw) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

// Docker's rule: ^[a-zA-Z0-9][a-zA-Z0-9_.-]+$ (so at least two characters).
// Alive and not a zombie (a killed process nobody has reaped yet still answers kill(pid, 0)).
bool ProcessAlive(pid_t pid) {
  if (pid <= 0) return false;
  std::ifstream stat(fmt::format("/proc/{}/stat", pid));
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  size_t paren = text.rfind(')');
  if (paren == std::string::npos || paren + 2 >= text.size()) return false;
  char state = text[paren + 2];
  return state != 'Z' && state != 'X';
}

bool ValidName(const std::string& n) {
  if (n.size() < 2 || !isalnum(static_cast<unsigned char>(n[0]))) return false;
  return std::all_of(n.begin(), n.end(), [](char c) {
    return isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
  });
}

std::vector<std::string> JsonStrings(const nlohmann::json& j, const char* key) {
  std::vector<std::string> out;
  if (j.contains(key) && j[key].is_array()) {
    for (const auto& s : j[key]) out.push_back(s.get<std::string>());
  }
  return out;
}

}  // namespace

std::string Containers::ConfigJson(const ContainerInfo& c) const {
  nlohmann::json j;
  j["Image"] = c.image_name;
  j["Entrypoint"] = c.entrypoint;
  j["Cmd"] = c.cmd;
  j["Driver"] = StorageDriverName(c.driver);
  j["ExitCode"] = c.exit_code;
  j["StartedAt"] = c.started;
  j["FinishedAt"] = c.finished;
  j["Pid"] = c.pid;
  j["Supervisor"] = c.supervisor;
  j["Env"] = c.env;
  j["WorkingDir"] = c.workdir;
  j["User"] = c.user;
  j["Hostname"] = c.hostname;
  j["Network"] = c.network;
  j["Memory"] = c.limits.memory;
  j["PidsLimit"] = c.limits.pids;
  j["Tty"] = c.tty;
  j["AutoRemove"] = c.auto_remove;
  return j.dump();
}

Result<ContainerInfo> Containers::FromRow(const ContainerRow& row) {
  ContainerInfo c;
  c.id = row.id;
  c.name = row.name;
  c.image_id = row.image_id;
  c.state = row.state;
  c.created = row.created;
  auto j = nlohmann::json::parse(row.config, nullptr, false);
  if (j.is_discarded()) return Status::Corrupt(fmt::format("container {}: bad config", row.id));
  c.image_name = j.value("Image", "");
  c.entrypoint = JsonStrings(j, "Entrypoint");
  c.cmd = JsonStrings(j, "Cmd");
  LL_ASSIGN_OR_RETURN(c.driver, ParseStorageDriver(j.value("Driver", "overlay")));
  c.exit_code = j.value("ExitCode", 0);
  c.started = j.value("StartedAt", int64_t{0});
  c.finished = j.value("FinishedAt", int64_t{0});
  c.pid = j.value("Pid", 0);
  c.supervisor = j.value("Supervisor", 0);
  c.env = JsonStrings(j, "Env");
  c.workdir = j.value("WorkingDir", "");
  c.user = j.value("User", "");
  c.hostname = j.value("Hostname", c.id.substr(0, 12));
  c.network = j.value("Network", "none");
  c.limits.memory = j.value("Memory", int64_t{0});
  c.limits.pids = j.value("PidsLimit", int64_t{0});
  c.tty = j.value("Tty", false);
  c.auto_remove = j.value("AutoRemove", false);
  return c;
}

Result<std::string> Containers::UniqueName() {
  std::random_device rd;
  for (int i = 0; i < 100; ++i) {
    std::string n = RandomContainerName(rd());
    if (i >= 10) n += std::to_string(i);  // Docker appends a digit after clashes too
    LL_ASSIGN_OR_RETURN(bool taken, store_->ContainerNameTaken(n));
    if (!taken) return n;
  }
  return Status::Internal("could not find a free container name");
}

Result<std::vector<std::string>> Containers::LowerDirs(const std::string& image_id) {
  LL_ASSIGN_OR_RETURN(auto img, store_->GetImage(image_id));
  if (!img) return Status::NotFound("No such image: " + image_id);
  std::vector<std::string> out;
  for (auto it = img->layers.rbegin(); it != img->layers.rend(); ++it) {
    LL_ASSIGN_OR_RETURN(std::string dir, store_->EnsureUnpacked(*it));
    out.push_back(dir);
  }
  if (out.empty()) {
    // An image with no layer (FROM scratch): overlay still needs one lower, an empty one.
    std::string empty = store_->root() + "/empty";
    LL_RETURN_IF_ERROR(MakeDirs(empty));
    out.push_back(empty);
  }
  return out;
}

std::string Containers::WritableDir(const ContainerInfo& c) const {
  return store_->ContainerDir(c.id) + (c.driver == StorageDriver::kOverlay ? "/upper" : "/rootfs");
}

Result<ContainerInfo> Containers::Create(const std::string& image, const std::string& given_name,
                                         const std::vector<std::string>& cmd,
                                         const RunOptions& options) {
  // Docker stores names without the leading "/" it shows in messages.
  std::string name = !given_name.empty() && given_name[0] == '/' ? given_name.substr(1) : given_name;
  if (!name.empty() && !ValidName(name)) {
    return Status::InvalidArgument(fmt::format(
        "Invalid container name ({}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed", name));
  }
  LL_ASSIGN_OR_RETURN(ImageRecord img, images_->Get(image));
  LL_ASSIGN_OR_RETURN(ImageConfig cfg, images_->ConfigOf(img.id));
  ContainerInfo c;
  c.id = RandomHex(32);
  if (name.empty()) {
    LL_ASSIGN_OR_RETURN(c.name, UniqueName());
  } else {
    c.name = name;
  }
  c.image_id = img.id;
  c.image_name = image;
  c.entrypoint = options.entrypoint ? *options.entrypoint
                                    : cfg.entrypoint.value_or(std::vector<std::string>{});
  // Docker: --entrypoint resets the image's CMD too.
  c.cmd = !cmd.empty() ? cmd
          : options.entrypoint ? std::vector<std::string>{}
                               : cfg.cmd.value_or(std::vector<std::string>{});
  c.env = cfg.env;
  for (const auto& e : options.env) {
    std::string kv = e;
    if (kv.find('=') == std::string::npos) {
      const char* v = std::getenv(kv.c_str());
      if (v == nullptr) continue;  // Docker drops -e KEY when KEY is unset
      kv += std::string("=") + v;
    }
    std::string key = kv.substr(0, kv.find('='));
    std::erase_if(c.env, [&](const std::string& x) { return x.rfind(key + "=", 0) == 0; });
    c.env.push_back(kv);
  }
  c.workdir = !options.workdir.empty() ? options.workdir : cfg.working_dir;
  c.user = !options.user.empty() ? options.user : cfg.user;
  c.network = options.network.empty() ? "none" : options.network;
  c.hostname = !options.hostname.empty() ? options.hostname : c.id.substr(0, 12);
  if (options.hostname.empty() && c.network == "host") {
    // Docker: with the host's network, the host's name too.
    char host[256] = {};
    if (gethostname(host, sizeof host - 1) == 0 && host[0] != '\0') c.hostname = host;
  }
  c.limits = options.limits;
  c.tty = options.tty;
  c.auto_remove = options.auto_remove;
  if (c.network != "none" && c.network != "host") {
    return Status::InvalidArgument(fmt::format(
        "network {} not found: layerlab has only `none` (the default) and `host`", c.network));
  }
  c.driver = driver_;
  c.state = "created";
  c.created = static_cast<int64_t>(std::time(nullptr));
  if (c.entrypoint.empty() && c.cmd.empty()) {
    return Status::InvalidArgument("no command specified");
  }
  const Tracer& t = store_->tracer();
  // The files first, staged and renamed into place; then the row.
  std::string stage = store_->blobs().NewTmpPath("ctr");
  auto cleanup = [&](Status st) {
    (void)RemoveTree(stage);
    return st;
  };
  int64_t copied = 0;
  {
    // overlay: the init layer is the image's, shared (see EnsureSharedInit); copy: its own.
    Status st = c.driver == StorageDriver::kOverlay ? MakeDirs(stage)
                                                    : MakeInitDir(stage + "/init");
    if (!st.ok()) return cleanup(st);
  }
  if (c.driver == StorageDriver::kOverlay) {
    auto lowers = LowerDirs(img.id);
    if (!lowers) return cleanup(lowers.error());
    for (const char* d : {"/upper", "/work"}) {
      if (mkdir((stage + d).c_str(), 0755) != 0) {
        return cleanup(Status::FromErrno(fmt::format("create `{}{}`", stage, d), errno));
      }
    }
    auto init = EnsureSharedInit(*lowers);
    if (!init) return cleanup(init.error());
  } else {
    Status st = MakeDirs(stage + "/rootfs");
    if (!st.ok()) return cleanup(st);
    UnpackOptions opts;
    opts.mode = WhiteoutMode::kApply;
    for (const auto& l : img.layers) {
      auto u = UnpackLayer(store_->blobs().PathOf(l.diff_id), stage + "/rootfs", opts);
      if (!u) return cleanup(u.error());
    }
    auto size = TreeSize(stage + "/rootfs");
    copied = size ? *size : 0;
    st = CopyInitFiles(stage + "/init", stage + "/rootfs");
    if (!st.ok()) return cleanup(st);
    MatchInitModes(stage + "/init", [&](const std::string& d) -> std::optional<mode_t> {
      struct stat s;
      if (lstat((stage + "/rootfs/" + d).c_str(), &s) != 0) return std::nullopt;
      return s.st_mode;
    });
  }
  Status st = MakeDirs(store_->root() + "/containers");
  if (st.ok() && rename(stage.c_str(), store_->ContainerDir(c.id).c_str()) != 0) {
    st = Status::FromErrno("move the container's folder into place", errno);
  }
  if (!st.ok()) return cleanup(st);
  st = store_->InsertContainer({c.id, c.name, c.image_id, c.created, c.state, ConfigJson(c)});
  if (!st.ok()) {
    (void)RemoveTree(store_->ContainerDir(c.id));
    return st;
  }
  t.Emit(TraceKind::kContainerCreated, c.id,
         "a container is the image's read-only layers plus one writable layer", -1, img.id,
         c.name);
  if (c.driver == StorageDriver::kOverlay) {
    t.Emit(TraceKind::kWritableLayerCreated, WritableDir(c),
           fmt::format("an empty overlay upper dir over {} shared read-only layer(s): nothing is "
                       "copied until a file is written",
                       img.layers.size()),
           0);
  } else {
    t.Emit(TraceKind::kWritableLayerCreated, WritableDir(c),
           fmt::format("the copy driver shares nothing: all {} of the image's files were copied",
                       copied),
           copied);
  }
  return c;
}

Result<std::vector<std::string>> Containers::ContainerLowers(const ContainerInfo& c) {
  LL_ASSIGN_OR_RETURN(auto lowers, LowerDirs(c.image_id));
  // Its own init layer (the copy driver's, and those of containers made before init layers
  // were shared), else the image's shared one.
  std::string init = store_->ContainerDir(c.id) + "/init";
  if (access(init.c_str(), F_OK) != 0) {
    if (c.driver != StorageDriver::kOverlay) return lowers;
    LL_ASSIGN_OR_RETURN(init, EnsureSharedInit(lowers));
  }
  lowers.insert(lowers.begin(), init);
  return lowers;
}

Result<std::vector<ContainerInfo>> Containers::List() {
  LL_ASSIGN_OR_RETURN(auto rows, store_->ListContainers());
  std::vector<ContainerInfo> out;
  for (const auto& r : rows) {
    LL_ASSIGN_OR_RETURN(ContainerInfo c, FromRow(r));
    LL_RETURN_IF_ERROR(Refresh(&c));
    out.push_back(std::move(c));
  }
  return out;
}

Status Containers::Refresh(ContainerInfo* c) {
  // A "running" container whose processes are gone (its supervisor was killed, the machine
  // restarted) is marked exited, never shown as running.
  if (c->state != "running") return Status::Ok();
  if (ProcessAlive(c->pid) || ProcessAlive(c->supervisor)) return Status::Ok();
  c->state = "exited";
  c->exit_code = 255;
  c->pid = 0;
  c->finished = static_cast<int64_t>(std::time(nullptr));
  return store_->UpdateContainer(c->id, c->state, ConfigJson(*c));
}

Result<ContainerInfo> Containers::Get(const std::string& name_or_id) {
  std::string key = name_or_id;
  if (!key.empty() && key[0] == '/') key = key.substr(1);
  LL_ASSIGN_OR_RETURN(auto exact, store_->FindContainer(key));
  if (exact) {
    LL_ASSIGN_OR_RETURN(ContainerInfo c, FromRow(*exact));
    LL_RETURN_IF_ERROR(Refresh(&c));
    return c;
  }
  LL_ASSIGN_OR_RETURN(auto all, List());
  for (const auto& c : all) {
    if (c.name == key || c.id == key) return c;
  }
  std::vector<const ContainerInfo*> matches;
  for (const auto& c : all) {
    if (!key.empty() && c.id.rfind(key, 0) == 0) matches.push_back(&c);
  }
  if (matches.size() == 1) return *matches[0];
  if (matches.size() > 1) {
    return Status::InvalidArgument(
        fmt::format("multiple containers found with provided prefix: {}", key));
  }
  return Status::NotFound(fmt::format("No such container: {}", name_or_id));
}

Result<std::vector<Change>> Containers::Diff(const ContainerInfo& c) {
  LL_ASSIGN_OR_RETURN(auto lowers, ContainerLowers(c));
  if (c.driver == StorageDriver::kOverlay) return DetectOverlayChanges(WritableDir(c), lowers);
  return DetectCopyChanges(WritableDir(c), lowers);
}

Result<int64_t> Containers::WritableSize(const ContainerInfo& c) {
  if (c.driver == StorageDriver::kOverlay) return TreeSize(WritableDir(c));
  // A full copy holds the image too; what the container wrote is its changes.
  LL_ASSIGN_OR_RETURN(auto changes, Diff(c));
  int64_t total = 0;
  std::set<std::pair<dev_t, ino_t>> seen;
  for (const auto& ch : changes) {
    if (ch.kind == ChangeKind::kDeleted) continue;
    struct stat st;
    std::string p = WritableDir(c) + "/" + ch.path;
    if (lstat(p.c_str(), &st) != 0) continue;
    if (S_ISREG(st.st_mode) && seen.insert({st.st_dev, st.st_ino}).second) total += st.st_size;
    if (S_ISLNK(st.st_mode)) total += st.st_size;
  }
  return total;
}

Status Containers::WithRoot(const ContainerInfo& c,
                            const std::function<Status(const std::string&)>& fn) {
  if (c.driver == StorageDriver::kCopy) return fn(WritableDir(c));
  LL_ASSIGN_OR_RETURN(auto lowers, ContainerLowers(c));
  std::string dir = store_->ContainerDir(c.id);
  std::string target = MountPoint();
  store_->tracer().Emit(TraceKind::kUnionMounted, target,
                        "overlayfs, mounted in a new user + mount namespace so it needs no root",
                        -1, {},
                        fmt::format("overlay: {} read-only lower layer(s) + 1 writable upper",
                                    lowers.size()));
  return RunInUserMountNamespace([&]() -> Status {
    LL_RETURN_IF_ERROR(MountOverlay(lowers, dir + "/upper", dir + "/work", target,
                                    c.auto_remove));
    return fn(target);
  });
}

Status Containers::Mutate(const ContainerInfo& c,
                          const std::function<Status(const std::string&)>& fn) {
  if (c.driver == StorageDriver::kCopy) return fn(WritableDir(c));
  LL_ASSIGN_OR_RETURN(auto before, Diff(c));
  LL_RETURN_IF_ERROR(WithRoot(c, fn));
  return ReportChanges(c, before);
}

Result<std::function<Containers::LowerName(size_t)>> Containers::LowerNamer(const ContainerInfo& c,
                                                               size_t lower_count) {
  LL_ASSIGN_OR_RETURN(auto img, images_->Get(c.image_id));
  auto cfg = images_->ConfigOf(c.image_id);
  // Which history entry made each layer: the n-th non-empty entry made layer n.
  std::vector<std::string> made_by;
  if (cfg) {
    for (const auto& h : cfg->history) {
      if (!h.empty_layer) made_by.push_back(h.created_by);
    }
  }
  return std::function<LowerName(size_t)>([img, made_by, lower_count](size_t index) {
    size_t number = lower_count - index;  // 1 = the bottom layer
    const LayerRecord* l =
        number >= 1 && number <= img.layers.size() ? &img.layers[number - 1] : nullptr;
    std::string by = number >= 1 && number <= made_by.size() ? made_by[number - 1] : "";
    return LowerName{l ? l->diff_id : "",
                     fmt::format("from layer {}{}{}", number,
                                 l ? " (" + ShortId(l->diff_id) + ")" : "",
                                 by.empty() ? "" : ", made by: " + by)};
  });
}

Status Containers::ReportChanges(const ContainerInfo& c, const std::vector<Change>& before) {
  const Tracer& t = store_->tracer();
  // Finding copy-ups means walking the writable layer: only when someone listens.
  if (c.driver == StorageDriver::kCopy || !t.enabled()) return Status::Ok();
  LL_ASSIGN_OR_RETURN(auto lowers, ContainerLowers(c));
  LL_ASSIGN_OR_RETURN(auto after, Diff(c));
  std::set<std::string> seen;
  for (const auto& ch : before) seen.insert(fmt::format("{}{}", ChangeLetter(ch.kind), ch.path));
  LL_ASSIGN_OR_RETURN(auto img, images_->Get(c.image_id));
  LL_ASSIGN_OR_RETURN(auto name, LowerNamer(c, lowers.size()));
  std::vector<Change> fresh;
  for (const auto& ch : after) {
    if (!seen.count(fmt::format("{}{}", ChangeLetter(ch.kind), ch.path))) fresh.push_back(ch);
  }
  bool has_init = lowers.size() > img.layers.size();
  for (const auto& cu : FindCopyUps(fresh, lowers)) {
    if (has_init && cu.layer == 0) continue;  // the init layer's bind-mount targets
    LowerName n = name(cu.layer);
    t.Emit(TraceKind::kCopyUp, cu.path,
           "observed after the fact: the file is now in the writable layer and also in a "
           "read-only one, so overlayfs copied it up whole on its first change",
           cu.bytes, n.diff_id, n.label);
  }
  for (const auto& ch : fresh) {
    if (ch.kind == ChangeKind::kDeleted && !ch.under_opaque) {
      t.Emit(TraceKind::kWhiteout, ch.path,
             "the file lives in a read-only layer, so deleting it writes a whiteout that hides it");
    }
    if (ch.opaque) {
      t.Emit(TraceKind::kOpaqueDir, ch.path,
             "the directory was removed and made again: it now hides all lower contents");
    }
  }
  return Status::Ok();
}

Status Containers::ExplainDiff(const ContainerInfo& c, const std::vector<Change>& changes) {
  const Tracer& t = store_->tracer();
  if (!t.enabled()) return Status::Ok();
  LL_ASSIGN_OR_RETURN(auto lowers, LowerDirs(c.image_id));  // the image's layers, top first
  LL_ASSIGN_OR_RETURN(auto name, LowerNamer(c, lowers.size()));
  for (const auto& ch : changes) {
    size_t below = lowers.size();  // the highest image layer that has the path
    struct stat st;
    for (size_t i = 0; i < lowers.size() && below == lowers.size(); ++i) {
      if (::lstat((lowers[i] + "/" + ch.path).c_str(), &st) == 0) below = i;
    }
    LowerName n = below < lowers.size() ? name(below) : LowerName{};
    bool dir = ::lstat((WritableDir(c) + "/" + ch.path).c_str(), &st) == 0 && S_ISDIR(st.st_mode);
    std::string why;
    if (ch.kind == ChangeKind::kAdded) {
      why = "only the writable layer has it; no image layer does";
    } else if (ch.kind == ChangeKind::kDeleted) {
      why = ch.under_opaque ? "its directory was made opaque, which hides everything below it"
                            : "a whiteout in the writable layer hides it; the image layer is not "
                              "changed";
    } else if (dir) {
      why = "a directory whose entries changed: the writable layer has its own copy of it";
    } else {
      why = "the writable layer holds a whole copy, made on the first write (copy-up), that "
            "hides the image's version";
    }
    t.Emit(TraceKind::kChangeListed, ch.path, why, -1, n.diff_id,
           std::string(1, ChangeLetter(ch.kind)) + (n.label.empty() ? "" : " " + n.label));
  }
  return Status::Ok();
}

Status Containers::Remove(const ContainerInfo& c, bool force) {
  if (c.state == "running" && !force) {
    return Status::Conflict(fmt::format(
        "cannot remove container \"/{}\": container is running: stop the container before "
        "removing or force remove",
        c.name));
  }
  if (c.state == "running" && c.pid > 0) {
    // Docker's rm -f: SIGKILL first. PID 1 dying takes the whole pid namespace with it; its
    // parent (the supervisor or a foreground run) reaps it and finds the record gone.
    if (::kill(c.pid, SIGKILL) == 0) {
      store_->tracer().Emit(TraceKind::kLaunchStep, fmt::format("kill -KILL {}", c.pid),
                            "rm -f: the container is running, so it is killed first");
      std::string stat_path = fmt::format("/proc/{}/stat", c.pid);
      for (int i = 0; i < 300; ++i) {  // until it is gone or a zombie (at most 3 s)
        std::ifstream st(stat_path);
        std::string line;
        if (!std::getline(st, line)) break;
        size_t paren = line.rfind(')');
        if (paren != std::string::npos && paren + 2 < line.size() && line[paren + 2] == 'Z') {
          break;
        }
        ::usleep(10000);
      }
    }
  }
  Result<int64_t> size = int64_t{0};
  if (store_->tracer().enabled()) size = WritableSize(c);
  LL_RETURN_IF_ERROR(store_->DeleteContainer(c.id));
  // The row is gone; a crash now leaves a folder `system check` reports as an orphan.
  LL_RETURN_IF_ERROR(store_->RemoveInBackground(store_->ContainerDir(c.id)));
  RemoveCgroups(c.id);
  store_->tracer().Emit(TraceKind::kContainerRemoved, c.id,
                        "its writable layer goes with it; the image's layers are untouched",
                        size ? *size : 0);
  return Status::Ok();
}

Result<ContainerPruneReport> Containers::Prune() {
  ContainerPruneReport report;
  LL_ASSIGN_OR_RETURN(auto all, List());
  for (const auto& c : all) {
    if (c.state == "running") continue;
    auto size = WritableSize(c);
    LL_RETURN_IF_ERROR(Remove(c, false));
    report.deleted.push_back(c.id);
    report.reclaimed += size ? *size : 0;
  }
  return report;
}

}  // namespace layerlab
