// Copy-on-write's costs where a container meets them: the first change to a file of an image
// (a data write, a chmod) by file size and storage driver, next to a plain copy of the same file
// on the same disk (the limit); and a lookup (stat, open) by the image's layer depth through a
// mounted union, next to the same lookup with no union.
// Usage: cow_bench [--quick|--full] [benchmark flags, e.g. --benchmark_out=F.json]
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "bench_fixture.h"

namespace layerlab::bench {
namespace {

ScratchStore* g_store = nullptr;
int g_lookup_files = 1000;

enum class Change { kWrite, kChmod };
enum class Lookup { kStat, kOpen };

std::string DataTag(int64_t size) { return fmt::format("copyup:{}", size); }

// Makes (once) an image whose top layer holds one file of `size` bytes, /data/f0.
Result<std::string> OneFileImage(int64_t size) {
  return g_store->DataImage(DataTag(size), size, 1);
}

Status ApplyChange(const std::string& path, Change change) {
  if (change == Change::kChmod) {
    if (chmod(path.c_str(), 0600) != 0) return Status::FromErrno("chmod " + path, errno);
    return Status::Ok();
  }
  // One byte appended: the smallest data write, which still copies the whole file up.
  int fd = open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  if (fd < 0) return Status::FromErrno("open " + path, errno);
  bool ok = write(fd, "x", 1) == 1;
  int err = errno;
  close(fd);
  return ok ? Status::Ok() : Status::FromErrno("write " + path, err);
}

// The first change to /data/f0 in a fresh container. Only the change is timed (in the process
// that makes it: a child in its own namespaces for overlay); creating and removing the container
// are not. For `copy` the file is already private, so there is nothing to copy up: its cost was
// paid when the container was created (see container_bench).
void BM_CopyUp(benchmark::State& state, StorageDriver driver, Change change) {
  const int64_t size = state.range(0);
  auto image = OneFileImage(size);
  if (!image) return state.SkipWithError(image.error().message().c_str());
  Containers containers(g_store->store(), g_store->images(), driver);
  SharedSlots clock;
  std::vector<int64_t> times;
  for (auto _ : state) {
    auto c = containers.Create(*image, "", {"true"});
    if (!c) return state.SkipWithError(c.error().message().c_str());
    clock[0] = -1;
    // Overlayfs fsyncs each copy-up, which commits the disk's journal: flush what creating the
    // container left pending first, so that the copy-up pays only for itself.
    sync();
    Status st = containers.WithRoot(*c, [&](const std::string& root) -> Status {
      std::string path = root + "/data/f0";
      int64_t t0 = NowNs();
      LL_RETURN_IF_ERROR(ApplyChange(path, change));
      clock[0] = NowNs() - t0;
      return Status::Ok();
    });
    // The file must now be whole in the writable layer (the copy-up happened).
    struct stat sb;
    std::string copied = containers.WritableDir(*c) + "/data/f0";
    bool whole = stat(copied.c_str(), &sb) == 0 && sb.st_size >= size;
    Status rm = containers.Remove(*c, true);
    if (!st.ok()) return state.SkipWithError(st.message().c_str());
    if (!rm.ok()) return state.SkipWithError(rm.message().c_str());
    if (!whole) return state.SkipWithError(("no copy-up of " + copied).c_str());
    state.SetIterationTime(static_cast<double>(clock[0]) / 1e9);
    times.push_back(clock[0]);
  }
  ReportMedian(state, times);
  state.counters["bytes"] = static_cast<double>(size);
  state.SetBytesProcessed(state.iterations() * size);
}

// Copies src to dst with copy_file_range (what cp does), fsyncing the copy when asked: overlayfs
// fsyncs every copy-up before it renames it into the upper layer (unless mounted `volatile`).
Status CopyFile(const std::string& src, const std::string& dst, bool sync) {
  int in = open(src.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) return Status::FromErrno("open " + src, errno);
  int out = open(dst.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (out < 0) {
    int err = errno;
    close(in);
    return Status::FromErrno("create " + dst, err);
  }
  Status st = Status::Ok();
  for (;;) {
    ssize_t n = copy_file_range(in, nullptr, out, nullptr, 1 << 30, 0);
    if (n == 0) break;
    if (n < 0) {
      st = Status::FromErrno("copy_file_range " + dst, errno);
      break;
    }
  }
  if (st.ok() && sync && fsync(out) != 0) st = Status::FromErrno("fsync " + dst, errno);
  close(in);
  close(out);
  return st;
}

// The limit: the same file copied on the same disk, no union.
void BM_PlainCopy(benchmark::State& state, bool sync) {
  const int64_t size = state.range(0);
  auto image = OneFileImage(size);
  if (!image) return state.SkipWithError(image.error().message().c_str());
  auto layer = g_store->TopLayerDir(*image);
  if (!layer) return state.SkipWithError(layer.error().message().c_str());
  std::string src = *layer + "/data/f0", dst = g_store->dir() + "/plain-copy";
  std::vector<int64_t> times;
  for (auto _ : state) {
    ::sync();  // as for the copy-up: nothing else pending in the journal
    int64_t t0 = NowNs();
    Status st = CopyFile(src, dst, sync);
    int64_t t = NowNs() - t0;
    unlink(dst.c_str());
    if (!st.ok()) return state.SkipWithError(st.message().c_str());
    state.SetIterationTime(static_cast<double>(t) / 1e9);
    times.push_back(t);
  }
  ReportMedian(state, times);
  state.counters["bytes"] = static_cast<double>(size);
  state.SetBytesProcessed(state.iterations() * size);
}

// The metadata limit: chmod of a file that needs no copy.
void BM_PlainChmod(benchmark::State& state) {
  std::string path = g_store->dir() + "/plain-chmod";
  if (FILE* f = fopen(path.c_str(), "w")) fclose(f);
  int mode = 0600;
  for (auto _ : state) {
    int64_t t0 = NowNs();
    int rc = chmod(path.c_str(), static_cast<mode_t>(mode));
    int64_t t = NowNs() - t0;
    if (rc != 0) return state.SkipWithError("chmod failed");
    mode ^= 0044;
    state.SetIterationTime(static_cast<double>(t) / 1e9);
  }
  unlink(path.c_str());
}

// One pass of `files` lookups in `dir`; returns the nanoseconds it took.
Result<int64_t> LookupPass(const std::vector<std::string>& paths, Lookup op) {
  int64_t t0 = NowNs();
  for (const auto& p : paths) {
    if (op == Lookup::kStat) {
      struct stat sb;
      if (stat(p.c_str(), &sb) != 0) return Status::FromErrno("stat " + p, errno);
    } else {
      int fd = open(p.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0) return Status::FromErrno("open " + p, errno);
      close(fd);
    }
  }
  return NowNs() - t0;
}

std::vector<std::string> LookupPaths(const std::string& dir) {
  std::vector<std::string> paths;
  for (int i = 0; i < g_lookup_files; ++i) paths.push_back(fmt::format("{}/f{}", dir, i));
  return paths;
}

// Lookups of files that only the bottom layer holds, in a directory every layer has: the union
// asks each layer, top first. Each iteration mounts the union afresh and times two passes over
// the files: the first (the time reported, per lookup) finds no overlay dentry cached, the
// second (`warm_ns`) finds them all. `copy` has no layers to ask: its tree is flat.
void BM_Lookup(benchmark::State& state, StorageDriver driver, Lookup op) {
  const int depth = static_cast<int>(state.range(0));
  auto image = g_store->DeepImage(fmt::format("deep:{}", depth), depth, g_lookup_files);
  if (!image) return state.SkipWithError(image.error().message().c_str());
  Containers containers(g_store->store(), g_store->images(), driver);
  auto c = containers.Create(*image, "", {"sh"});
  if (!c) return state.SkipWithError(c.error().message().c_str());
  SharedSlots clock;
  int64_t warm = 0;
  for (auto _ : state) {
    Status st = containers.WithRoot(*c, [&](const std::string& root) -> Status {
      auto paths = LookupPaths(root + "/data");
      LL_ASSIGN_OR_RETURN(clock[0], LookupPass(paths, op));
      LL_ASSIGN_OR_RETURN(clock[1], LookupPass(paths, op));
      return Status::Ok();
    });
    if (!st.ok()) {
      (void)containers.Remove(*c, true);
      return state.SkipWithError(st.message().c_str());
    }
    state.SetIterationTime(static_cast<double>(clock[0]) / g_lookup_files / 1e9);
    warm += clock[1];
  }
  (void)containers.Remove(*c, true);
  state.counters["depth"] = depth;
  state.counters["warm_ns"] =
      static_cast<double>(warm) / static_cast<double>(state.iterations()) / g_lookup_files;
}

// The limit: the same lookups in the bottom layer's own directory, no union.
void BM_PlainLookup(benchmark::State& state, Lookup op) {
  auto image = g_store->DeepImage("deep:1", 1, g_lookup_files);
  if (!image) return state.SkipWithError(image.error().message().c_str());
  auto dir = g_store->BottomLayerDir(*image);
  if (!dir) return state.SkipWithError(dir.error().message().c_str());
  auto paths = LookupPaths(*dir + "/data");
  int64_t warm = 0;
  for (auto _ : state) {
    auto first = LookupPass(paths, op);
    auto second = LookupPass(paths, op);
    if (!first || !second) return state.SkipWithError("lookup failed");
    state.SetIterationTime(static_cast<double>(*first) / g_lookup_files / 1e9);
    warm += *second;
  }
  state.counters["depth"] = 0;
  state.counters["warm_ns"] =
      static_cast<double>(warm) / static_cast<double>(state.iterations()) / g_lookup_files;
}

// Fewer runs of the big sizes: each one creates and removes a container around the change.
int IterationsFor(int64_t size, Mode mode) {
  int n = size <= (1 << 20) ? 20 : size <= (16 << 20) ? 10 : size <= (256 << 20) ? 5 : 3;
  return mode == Mode::kQuick ? (n + 1) / 2 : n;
}

void Register(Mode mode) {
  std::vector<int64_t> sizes = {4 << 10, 64 << 10, 1 << 20, 16 << 20};
  if (mode == Mode::kFull) {
    sizes.push_back(256 << 20);
    sizes.push_back(int64_t{1} << 30);
  }
  for (int64_t size : sizes) {
    const int n = IterationsFor(size, mode);
    for (auto driver : {StorageDriver::kOverlay, StorageDriver::kCopy}) {
      for (auto [change, name] : {std::pair{Change::kWrite, "write"}, {Change::kChmod, "chmod"}}) {
        benchmark::RegisterBenchmark(
            fmt::format("copy_up/{}/{}", name, StorageDriverName(driver)).c_str(), BM_CopyUp,
            driver, change)
            ->Arg(size)
            ->Iterations(n)
            ->UseManualTime()
            ->Unit(benchmark::kMicrosecond);
      }
    }
    benchmark::RegisterBenchmark("copy_up/cp/plain", BM_PlainCopy, false)
        ->Arg(size)
        ->Iterations(n)
        ->UseManualTime()
        ->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark("copy_up/cp_fsync/plain", BM_PlainCopy, true)
        ->Arg(size)
        ->Iterations(n)
        ->UseManualTime()
        ->Unit(benchmark::kMicrosecond);
  }
  benchmark::RegisterBenchmark("copy_up/chmod/plain", BM_PlainChmod)
      ->Arg(0)
      ->Iterations(1000)
      ->UseManualTime()
      ->Unit(benchmark::kMicrosecond);

  g_lookup_files = mode == Mode::kQuick ? 1000 : 2000;
  const int lookup_iterations = mode == Mode::kQuick ? 3 : 10;
  for (auto [op, name] : {std::pair{Lookup::kStat, "stat"}, {Lookup::kOpen, "open"}}) {
    for (auto driver : {StorageDriver::kOverlay, StorageDriver::kCopy}) {
      for (int depth : {1, 10, 50, 100}) {
        benchmark::RegisterBenchmark(
            fmt::format("lookup/{}/{}", name, StorageDriverName(driver)).c_str(), BM_Lookup, driver,
            op)
            ->Arg(depth)
            ->Iterations(lookup_iterations)
            ->UseManualTime()
            ->Unit(benchmark::kNanosecond);
      }
    }
    benchmark::RegisterBenchmark(fmt::format("lookup/{}/plain", name).c_str(), BM_PlainLookup, op)
        ->Arg(1)
        ->Iterations(lookup_iterations)
        ->UseManualTime()
        ->Unit(benchmark::kNanosecond);
  }
}

}  // namespace
}  // namespace layerlab::bench

int main(int argc, char** argv) {
  using namespace layerlab::bench;
  return RunBenchmarks(argc, argv, "cow_bench", [](ScratchStore* store, Mode mode) {
    g_store = store;
    Register(mode);
  });
}
