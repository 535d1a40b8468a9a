// What a container costs by storage driver and image size: create + start (`true`) + remove, where
// copy-on-write stays flat and `copy` grows with the image; and committing a writable layer
// (diff + tar + sha256 into the blob store) against `sha256sum` of the same bytes (the limit).
// Usage: container_bench [--quick|--full] [benchmark flags, e.g. --benchmark_out=F.json]
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "bench_fixture.h"

extern char** environ;

namespace layerlab::bench {
namespace {

ScratchStore* g_store = nullptr;

// busybox plus `mb` MiB of data in 1 MiB files (a 1000 MiB image holds 1000 files).
Result<std::string> SizedImage(int64_t mb) {
  return g_store->DataImage(fmt::format("image:{}mb", mb), mb << 20, static_cast<int>(mb));
}

// create + run `true` attached + rm, each phase reported as a counter (ms per container).
void BM_Lifecycle(benchmark::State& state, StorageDriver driver) {
  const int64_t mb = state.range(0);
  auto image = SizedImage(mb);
  if (!image) return state.SkipWithError(image.error().message().c_str());
  Containers containers(g_store->store(), g_store->images(), driver);
  int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
  LaunchIo io{null_fd, null_fd, null_fd};
  {  // The first container unpacks the image's layers: a one-time cost, not measured.
    auto warm = containers.Create(*image, "", {"true"});
    if (!warm) return state.SkipWithError(warm.error().message().c_str());
    (void)containers.Remove(*warm, true);
  }
  int64_t create_ns = 0, start_ns = 0, remove_ns = 0;
  std::vector<int64_t> times;
  for (auto _ : state) {
    // Start each container on a quiet disk: an overlay mount syncs its upper filesystem when
    // it goes (at the container's exit), which would otherwise write back what making the
    // image or the last `copy` container left dirty.
    state.PauseTiming();
    sync();
    state.ResumeTiming();
    int64_t t0 = NowNs();
    auto c = containers.Create(*image, "", {"true"});
    if (!c) return state.SkipWithError(c.error().message().c_str());
    int64_t t1 = NowNs();
    LaunchError error;
    auto code = containers.RunAttached(*c, io, &error);
    int64_t t2 = NowNs();
    auto info = containers.Get(c->id);  // RunAttached recorded the exit in the store
    Status rm = info ? containers.Remove(*info, false) : info.error();
    int64_t t3 = NowNs();
    if (!code) return state.SkipWithError(code.error().message().c_str());
    if (*code != 0) return state.SkipWithError(fmt::format("true exited {}", *code).c_str());
    if (!rm.ok()) return state.SkipWithError(rm.message().c_str());
    create_ns += t1 - t0;
    start_ns += t2 - t1;
    remove_ns += t3 - t2;
    times.push_back(t3 - t0);
  }
  ReportMedian(state, times);
  close(null_fd);
  auto per = [&](int64_t ns) {
    return static_cast<double>(ns) / 1e6 / static_cast<double>(state.iterations());
  };
  state.counters["bytes"] = static_cast<double>(mb << 20);
  state.counters["create_ms"] = per(create_ns);
  state.counters["start_ms"] = per(start_ns);
  state.counters["remove_ms"] = per(remove_ns);
}

// A container of busybox whose writable layer holds one new file of `size` bytes, /data/blob.
Result<ContainerInfo> ContainerWithBlob(Containers& containers, int64_t size) {
  LL_ASSIGN_OR_RETURN(auto c, containers.Create("busybox", "", {"true"}));
  LL_RETURN_IF_ERROR(containers.WithRoot(c, [&](const std::string& root) -> Status {
    std::error_code ec;
    std::filesystem::create_directories(root + "/data", ec);
    if (ec) return Status::Internal("mkdir " + root + "/data: " + ec.message());
    return WriteRandomFile(root + "/data/blob", size, 42);
  }));
  return c;
}

// `commit`: the writable layer is diffed against the image, written as a tar, hashed and stored
// (fsynced); the image made is removed again between iterations (not timed).
void BM_Commit(benchmark::State& state, StorageDriver driver) {
  const int64_t size = state.range(0);
  Containers containers(g_store->store(), g_store->images(), driver);
  auto c = ContainerWithBlob(containers, size);
  if (!c) return state.SkipWithError(c.error().message().c_str());
  std::vector<int64_t> times;
  for (auto _ : state) {
    state.PauseTiming();
    sync();  // each commit's fsyncs pay only for the commit
    state.ResumeTiming();
    int64_t t0 = NowNs();
    auto id = containers.Commit(*c, {});
    times.push_back(NowNs() - t0);
    if (!id) return state.SkipWithError(id.error().message().c_str());
    state.PauseTiming();
    auto removed = g_store->images()->Remove(*id, true);
    state.ResumeTiming();
    if (!removed) return state.SkipWithError(removed.error().message().c_str());
  }
  ReportMedian(state, times);
  (void)containers.Remove(*c, true);
  state.counters["bytes"] = static_cast<double>(size);
  state.SetBytesProcessed(state.iterations() * size);
}

// The limit: `sha256sum FILE` (a process of its own, like the commit's caller would be) over
// the same number of bytes on the same disk, from the page cache.
void BM_Sha256sum(benchmark::State& state) {
  const int64_t size = state.range(0);
  std::string path = g_store->dir() + fmt::format("/sum-{}", size);
  if (Status st = WriteRandomFile(path, size, 42); !st.ok()) {
    return state.SkipWithError(st.message().c_str());
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  std::string prog = "sha256sum";
  std::vector<char*> argv = {prog.data(), path.data(), nullptr};
  std::vector<int64_t> times;
  sync();
  for (auto _ : state) {
    int64_t t0 = NowNs();
    pid_t pid;
    if (posix_spawnp(&pid, "sha256sum", &actions, nullptr, argv.data(), environ) != 0) {
      state.SkipWithError("cannot run sha256sum");
      break;
    }
    int status = 0;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      state.SkipWithError("sha256sum failed");
      break;
    }
    times.push_back(NowNs() - t0);
  }
  ReportMedian(state, times);
  posix_spawn_file_actions_destroy(&actions);
  unlink(path.c_str());
  state.counters["bytes"] = static_cast<double>(size);
  state.SetBytesProcessed(state.iterations() * size);
}

void Register(Mode mode) {
  const bool full = mode == Mode::kFull;
  std::vector<int64_t> image_mb = {10, 100};
  if (full) {
    image_mb.push_back(300);
    image_mb.push_back(1000);
  }
  for (int64_t mb : image_mb) {
    int n = mb <= 100 ? (full ? 10 : 3) : mb <= 300 ? 5 : 3;
    for (auto driver : {StorageDriver::kOverlay, StorageDriver::kCopy}) {
      benchmark::RegisterBenchmark(
          fmt::format("lifecycle/create_start_rm/{}", StorageDriverName(driver)).c_str(),
          BM_Lifecycle, driver)
          ->Arg(mb)
          ->Iterations(n)
          ->UseRealTime()
          ->Unit(benchmark::kMillisecond);
    }
  }
  std::vector<int64_t> sizes = {1 << 20, 16 << 20};
  if (full) {
    sizes.push_back(256 << 20);
    sizes.push_back(int64_t{1} << 30);
  }
  for (int64_t size : sizes) {
    int n = size <= (16 << 20) ? (full ? 10 : 3) : 3;
    for (auto driver : {StorageDriver::kOverlay, StorageDriver::kCopy}) {
      benchmark::RegisterBenchmark(
          fmt::format("commit/diff_tar_sha256/{}", StorageDriverName(driver)).c_str(), BM_Commit,
          driver)
          ->Arg(size)
          ->Iterations(n)
          ->UseRealTime()
          ->Unit(benchmark::kMillisecond);
    }
    benchmark::RegisterBenchmark("commit/sha256sum/plain", BM_Sha256sum)
        ->Arg(size)
        ->Iterations(n)
        ->UseRealTime()
        ->Unit(benchmark::kMillisecond);
  }
}

}  // namespace
}  // namespace layerlab::bench

int main(int argc, char** argv) {
  using namespace layerlab::bench;
  return RunBenchmarks(argc, argv, "container_bench", [](ScratchStore* store, Mode mode) {
    g_store = store;
    Register(mode);
  });
}
