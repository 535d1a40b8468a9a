// The foundation's costs: SHA-256 throughput (the floor for every digest the store computes) and
// committing a layer tar into the blob store (tar + sha256 + fsync + rename).
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "layerlab/blob_store.h"
#include "layerlab/digest.h"
#include "layerlab/layer_tar.h"

namespace {

void BM_Sha256(benchmark::State& state) {
  std::string data(static_cast<size_t>(state.range(0)), 'x');
  for (auto _ : state) benchmark::DoNotOptimize(layerlab::Sha256Digest(data));
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_Sha256)->Arg(4 << 10)->Arg(1 << 20)->Arg(16 << 20);

void BM_WriteLayerTar(benchmark::State& state) {
  std::string root = std::filesystem::temp_directory_path() /
                     ("layerlab-bench-" + std::to_string(getpid()));
  layerlab::BlobStore blobs(root, layerlab::Tracer());
  if (!blobs.Init().ok()) {
    state.SkipWithError("cannot create the blob store");
    return;
  }
  const int files = static_cast<int>(state.range(0));
  std::vector<layerlab::TarEntry> entries;
  for (int i = 0; i < files; ++i) {
    layerlab::TarEntry e;
    e.path = "data/file" + std::to_string(i);
    e.content = std::string(64 << 10, static_cast<char>('a' + i % 26)) + std::to_string(i);
    entries.push_back(std::move(e));
  }
  int64_t bytes = 0;
  for (auto _ : state) {
    auto layer = layerlab::WriteLayerTar(blobs, entries);
    if (!layer) {
      state.SkipWithError(layer.error().message().c_str());
      break;
    }
    bytes += layer->tar_size;
    state.PauseTiming();
    (void)blobs.Remove(layer->diff_id);
    state.ResumeTiming();
  }
  state.SetBytesProcessed(bytes);
  std::filesystem::remove_all(root);
}
BENCHMARK(BM_WriteLayerTar)->Arg(16)->Arg(256)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
