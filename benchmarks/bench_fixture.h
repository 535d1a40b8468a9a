// What the copy-on-write benchmarks share: a scratch store that holds busybox, images made to
// measure (a data layer of N bytes, a stack of D layers), a clock that survives the fork of an
// overlay mount, and the quick/full size lists chosen on the command line.
// Single-threaded: the store forks for every overlay mount.
#pragma once

#include <benchmark/benchmark.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "layerlab/containers.h"
#include "layerlab/images.h"
#include "layerlab/layer_tar.h"
#include "layerlab/store.h"

namespace layerlab::bench {

enum class Mode { kQuick, kFull };

// Takes `--quick` or `--full` (default quick) out of argv, so that benchmark::Initialize does not
// see them; LAYERLAB_BENCH_MODE=quick|full does the same when no flag is given.
Mode ParseMode(int* argc, char** argv);

// Monotonic clock in nanoseconds.
int64_t NowNs();

// A slot of memory shared with forked children: an overlay mount runs the measured code in a
// child (RunInUserMountNamespace), which writes its own timing here for the parent to read.
class SharedSlots {
 public:
  SharedSlots();
  ~SharedSlots();
  SharedSlots(const SharedSlots&) = delete;
  SharedSlots& operator=(const SharedSlots&) = delete;
  int64_t& operator[](int i) { return slots_[i]; }
  static constexpr int kCount = 8;

 private:
  int64_t* slots_;
};

// Writes `bytes` of pseudo-random data (nothing compresses or deduplicates it) to `path`.
Status WriteRandomFile(const std::string& path, int64_t bytes, uint64_t seed);

// A store in a fresh folder under $LAYERLAB_BENCH_TMP (default /var/tmp: a disk, like a real
// store; /tmp may be tmpfs), holding busybox:latest. The folder goes with the object.
class ScratchStore {
 public:
  // Null, with the reason in *error, when the store cannot be made (no busybox, no disk space).
  static std::unique_ptr<ScratchStore> Open(std::string* error);
  ~ScratchStore();

  Store* store() { return store_.get(); }
  Images* images() { return images_.get(); }
  const std::string& dir() const { return dir_; }

  // busybox plus one layer holding `files` files of equal size under /data, `bytes` in all
  // (/data/f0, /data/f1, ...). Made once per tag; later calls return the same image id.
  Result<std::string> DataImage(const std::string& tag, int64_t bytes, int files);
  // `depth` layers: the bottom one holds /data/f0 .. /data/f{files-1} (empty files) and each of
  // the others adds /data/lN, so /data is a directory merged from every layer and a lookup in it
  // must ask each layer. Made once per tag.
  Result<std::string> DeepImage(const std::string& tag, int depth, int files);
  // The unpacked bottom layer of an image (ROOT/layers/<chain>/diff): the same files, no union.
  Result<std::string> BottomLayerDir(const std::string& image_id);
  // A data layer's own directory (its topmost layer).
  Result<std::string> TopLayerDir(const std::string& image_id);

 private:
  ScratchStore() = default;
  // Writes each entry list as a layer (bottom first), on busybox's layers or on nothing.
  Result<std::string> CommitLayers(const std::string& tag,
                                   std::vector<std::vector<TarEntry>> layers, bool on_busybox);
  std::string dir_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Images> images_;
  std::map<std::string, std::string> made_;  // tag -> image id
};

// Sets the `median_ns` counter from per-iteration times: one slow fsync (the disk's journal) can
// pull a mean of a few iterations far off; summaries read the median.
void ReportMedian(benchmark::State& state, std::vector<int64_t> ns);

// Human size for benchmark names: 4096 -> "4KiB", 1 << 30 -> "1GiB".
std::string SizeName(int64_t bytes);

// The main() of a benchmark binary: --quick/--full, Google Benchmark's flags, a scratch store
// (created before `register_all` runs, removed at exit). Returns the process exit code.
int RunBenchmarks(int argc, char** argv, const char* name,
                  void (*register_all)(ScratchStore* store, Mode mode));

}  // namespace layerlab::bench
