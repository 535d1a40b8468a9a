// The benchmarks' scratch store and helpers (see bench_fixture.h).
#include "bench_fixture.h"

#include <cstdio>

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>

namespace layerlab::bench {

Mode ParseMode(int* argc, char** argv) {
  Mode mode = Mode::kQuick;
  if (const char* env = std::getenv("LAYERLAB_BENCH_MODE"); env && std::string(env) == "full") {
    mode = Mode::kFull;
  }
  int out = 1;
  for (int i = 1; i < *argc; ++i) {
    std::string a = argv[i];
    if (a == "--quick") {
      mode = Mode::kQuick;
    } else if (a == "--full") {
      mode = Mode::kFull;
    } else {
      argv[out++] = argv[i];
    }
  }
  *argc = out;
  return mode;
}

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

SharedSlots::SharedSlots() {
  void* p = mmap(nullptr, sizeof(int64_t) * kCount, PROT_READ | PROT_WRITE,
                 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) std::abort();  // no memory for 64 bytes: nothing to measure with
  slots_ = static_cast<int64_t*>(p);
  std::memset(slots_, 0, sizeof(int64_t) * kCount);
}

SharedSlots::~SharedSlots() { munmap(slots_, sizeof(int64_t) * kCount); }

Status WriteRandomFile(const std::string& path, int64_t bytes, uint64_t seed) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Status::FromErrno(fmt::format("create `{}`", path), errno);
  // xorshift64*: fast enough to stay far below the disk's bandwidth.
  std::vector<uint64_t> buf((1 << 20) / sizeof(uint64_t));
  uint64_t x = seed * 0x9E3779B97F4A7C15ull + 1;
  int64_t left = bytes;
  while (left > 0) {
    for (auto& w : buf) {
      x ^= x >> 12;
      x ^= x << 25;
      x ^= x >> 27;
      w = x * 0x2545F4914F6CDD1Dull;
    }
    size_t n = static_cast<size_t>(std::min<int64_t>(left, 1 << 20));
    const char* p = reinterpret_cast<const char*>(buf.data());
    size_t done = 0;
    while (done < n) {
      ssize_t w = write(fd, p + done, n - done);
      if (w < 0) {
        int err = errno;
        close(fd);
        return Status::FromErrno(fmt::format("write `{}`", path), err);
      }
      done += static_cast<size_t>(w);
    }
    left -= static_cast<int64_t>(n);
  }
  if (close(fd) != 0) return Status::FromErrno(fmt::format("close `{}`", path), errno);
  return Status::Ok();
}

std::unique_ptr<ScratchStore> ScratchStore::Open(std::string* error) {
  const char* base = std::getenv("LAYERLAB_BENCH_TMP");
  std::string tmpl = std::string(base && *base ? base : "/var/tmp") + "/layerlab-bench-XXXXXX";
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  if (mkdtemp(buf.data()) == nullptr) {
    *error = fmt::format("mkdtemp `{}`: {}", tmpl, std::strerror(errno));
    return nullptr;
  }
  std::unique_ptr<ScratchStore> s(new ScratchStore());
  s->dir_ = buf.data();
  auto store = Store::Open(s->dir_ + "/root", Tracer());
  if (!store) {
    *error = store.error().message();
    return nullptr;
  }
  s->store_ = std::move(*store);
  s->images_ = std::make_unique<Images>(s->store_.get());
  BaseImageOptions base_options;
  if (const char* bb = std::getenv("LAYERLAB_BUSYBOX"); bb && *bb) base_options.busybox_path = bb;
  if (Status st = s->images_->EnsureBaseImage(base_options); !st.ok()) {
    *error = "busybox:latest: " + st.message();
    return nullptr;
  }
  return s;
}

ScratchStore::~ScratchStore() {
  images_.reset();
  store_.reset();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

Result<std::string> ScratchStore::CommitLayers(const std::string& tag,
                                               std::vector<std::vector<TarEntry>> layers,
                                               bool on_busybox) {
  ImageConfig cfg;
  std::vector<NewLayer> new_layers;
  std::string parent;
  if (on_busybox) {
    LL_ASSIGN_OR_RETURN(auto bb, images_->Get("busybox"));
    LL_ASSIGN_OR_RETURN(cfg, images_->ConfigOf(bb.id));
    for (const auto& l : bb.layers) new_layers.push_back({l.diff_id, l.size, l.tar_size});
    parent = bb.id;
  } else {
    cfg.cmd = std::vector<std::string>{"sh"};
  }
  cfg.created = "2026-01-01T00:00:00Z";
  for (size_t i = 0; i < layers.size(); ++i) {
    LL_ASSIGN_OR_RETURN(auto w, WriteLayerTar(store_->blobs(), std::move(layers[i])));
    new_layers.push_back({w.diff_id, w.size, w.tar_size});
    cfg.diff_ids.push_back(w.diff_id);
    cfg.history.push_back(
        {cfg.created, fmt::format("benchmark layer {} of {}", i, tag), {}, {}, false});
  }
  LL_ASSIGN_OR_RETURN(auto ref, ParseTaggedName(tag));
  LL_ASSIGN_OR_RETURN(auto img, images_->CommitConfig(cfg, new_layers, {ref}, parent));
  made_[tag] = img.id;
  return img.id;
}

Result<std::string> ScratchStore::DataImage(const std::string& tag, int64_t bytes, int files) {
  if (auto it = made_.find(tag); it != made_.end()) return it->second;
  std::string src = dir_ + "/src-" + tag;
  std::filesystem::create_directories(src);
  std::vector<TarEntry> entries;
  TarEntry d;
  d.type = TarEntry::Type::kDir;
  d.path = "data";
  d.mode = 0755;
  entries.push_back(d);
  for (int i = 0; i < files; ++i) {
    std::string path = fmt::format("{}/f{}", src, i);
    int64_t size = bytes / files + (i < bytes % files ? 1 : 0);
    LL_RETURN_IF_ERROR(WriteRandomFile(path, size, static_cast<uint64_t>(i) + 1));
    TarEntry e;
    e.path = fmt::format("data/f{}", i);
    e.source_path = path;
    entries.push_back(std::move(e));
  }
  auto id = CommitLayers(tag, {std::move(entries)}, /*on_busybox=*/true);
  std::error_code ec;
  std::filesystem::remove_all(src, ec);  // the blob holds the bytes now
  return id;
}

Result<std::string> ScratchStore::DeepImage(const std::string& tag, int depth, int files) {
  if (auto it = made_.find(tag); it != made_.end()) return it->second;
  TarEntry d;
  d.type = TarEntry::Type::kDir;
  d.path = "data";
  d.mode = 0755;
  std::vector<std::vector<TarEntry>> layers;
  std::vector<TarEntry> bottom{d};
  for (int i = 0; i < files; ++i) {
    TarEntry e;
    e.path = fmt::format("data/f{}", i);
    bottom.push_back(std::move(e));
  }
  layers.push_back(std::move(bottom));
  for (int n = 1; n < depth; ++n) {
    TarEntry e;
    e.path = fmt::format("data/l{}", n);
    e.content = std::to_string(n);
    layers.push_back({d, e});
  }
  return CommitLayers(tag, std::move(layers), /*on_busybox=*/false);
}

Result<std::string> ScratchStore::BottomLayerDir(const std::string& image_id) {
  LL_ASSIGN_OR_RETURN(auto img, images_->Get(image_id));
  if (img.layers.empty()) return Status::NotFound("image " + image_id + " has no layer");
  return store_->EnsureUnpacked(img.layers.front());
}

Result<std::string> ScratchStore::TopLayerDir(const std::string& image_id) {
  LL_ASSIGN_OR_RETURN(auto img, images_->Get(image_id));
  if (img.layers.empty()) return Status::NotFound("image " + image_id + " has no layer");
  return store_->EnsureUnpacked(img.layers.back());
}

void ReportMedian(benchmark::State& state, std::vector<int64_t> ns) {
  if (ns.empty()) return;
  std::sort(ns.begin(), ns.end());
  state.counters["median_ns"] = static_cast<double>(ns[ns.size() / 2]);
}

std::string SizeName(int64_t bytes) {
  if (bytes >= (1 << 30) && bytes % (1 << 30) == 0) return fmt::format("{}GiB", bytes >> 30);
  if (bytes >= (1 << 20) && bytes % (1 << 20) == 0) return fmt::format("{}MiB", bytes >> 20);
  if (bytes >= (1 << 10) && bytes % (1 << 10) == 0) return fmt::format("{}KiB", bytes >> 10);
  return fmt::format("{}B", bytes);
}

int RunBenchmarks(int argc, char** argv, const char* name,
                  void (*register_all)(ScratchStore* store, Mode mode)) {
  Mode mode = ParseMode(&argc, argv);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  std::string error;
  auto store = ScratchStore::Open(&error);
  if (!store) {
    std::fprintf(stderr, "%s: %s\n", name, error.c_str());
    return 1;
  }
  register_all(store.get(), mode);
  benchmark::AddCustomContext("layerlab_mode", mode == Mode::kFull ? "full" : "quick");
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

}  // namespace layerlab::bench
