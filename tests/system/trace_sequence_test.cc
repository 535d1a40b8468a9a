// Exact trace event sequences (recording sink) for prepared Dockerfiles and a run, through the
// public core API: a chmod copy-up, a whiteout, an opaque dir, cache hits, misses and why.
#include <fcntl.h>
#include <unistd.h>

#include <memory>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "layerlab/builder.h"
#include "layerlab/containers.h"
#include "layerlab/digest.h"
#include "layerlab/images.h"
#include "layerlab/launch.h"
#include "layerlab/namespaces.h"
#include "layerlab/store.h"
#include "layerlab/trace.h"
#include "test_util.h"

namespace layerlab {
namespace {

using K = TraceKind;

// One event as a line: kind, subject, then the fields that carry facts for that kind. Prose
// `why`s (copy_up, whiteout, ...) are left out; `why` is kept where it is the fact (cache_miss
// reasons, the Dockerfile line of build_step, the virtual size of step_done).
std::string Line(const TraceEvent& e) {
  std::string s = fmt::format("{} {}", TraceKindName(e.kind), e.subject);
  auto field = [&](const char* name, const std::string& v) { s += fmt::format(" {}={}", name, v); };
  s += " |";
  switch (e.kind) {
    case K::kBuildStep:
      field("detail", e.detail);
      field("why", e.why);
      break;
    case K::kCacheHit:
    case K::kStepDone:
      field("layer", e.layer);
      field("bytes", std::to_string(e.bytes));
      if (e.kind == K::kStepDone) field("why", e.why);
      break;
    case K::kCacheMiss:
      field("why", e.why);
      break;
    case K::kCopyUp:
      field("layer", e.layer);
      field("bytes", std::to_string(e.bytes));
      field("detail", e.detail);
      break;
    case K::kContainerCreated:
      field("layer", e.layer);
      break;
    case K::kWritableLayerCreated:
    case K::kContainerRemoved:
      field("bytes", std::to_string(e.bytes));
      break;
    case K::kContainerExited:
      field("detail", e.detail);
      break;
    default:
      break;
  }
  return s;
}

std::vector<std::string> Filtered(const RecordingSink& sink, const std::set<TraceKind>& kinds) {
  std::vector<std::string> out;
  for (const auto& e : sink.events) {
    if (kinds.count(e.kind)) out.push_back(Line(e));
  }
  return out;
}

// Expected lines, built the way Line() prints them.
std::string StepLine(const std::string& instr, const std::string& n, int line) {
  return fmt::format("build_step {} | detail={} why=Dockerfile:{}", instr, n, line);
}
std::string Miss(const std::string& instr, const std::string& why) {
  return fmt::format("cache_miss {} | why={}", instr, why);
}
std::string Hit(const std::string& instr, const std::string& layer, int64_t bytes) {
  return fmt::format("cache_hit {} | layer={} bytes={}", instr, layer, bytes);
}
std::string Done(const std::string& instr, const std::string& layer, int64_t bytes,
                 int64_t virtual_size) {
  return fmt::format("step_done {} | layer={} bytes={} why=virtual size {} B", instr, layer, bytes,
                     virtual_size);
}
// `number` counts the image's layers from the bottom (1 = the base).
std::string CopyUp(const std::string& path, int64_t bytes, const std::string& diff_id, int number,
                   const std::string& made_by) {
  return fmt::format("copy_up {} | layer={} bytes={} detail=from layer {} ({}), made by: {}", path,
                     diff_id, bytes, number, ShortId(diff_id), made_by);
}

class NoProgress : public BuildProgress {
 public:
  void Started(const BuildStep&) override {}
  void Finished(const BuildStep&) override {}
  void Note(const std::string&) override {}
};

constexpr const char* kRebuilt = "an earlier step of this stage was rebuilt";
constexpr const char* kCopy = "COPY big.bin /data/ # buildkit";
constexpr const char* kChmod = "RUN /bin/sh -c chmod 600 /data/big.bin # buildkit";
constexpr const char* kRm = "RUN /bin/sh -c rm /etc/group # buildkit";
constexpr const char* kOpaque =
    "RUN /bin/sh -c rm -rf /home && mkdir /home && touch /home/x # buildkit";
constexpr const char* kCmd = "CMD [\"sh\"]";

class SystemTraceSequenceTest : public testing::TempDirTest {
 protected:
  void SetUp() override {
    TempDirTest::SetUp();
    Status probe = RunInUserMountNamespace([] { return Status::Ok(); });
    if (!probe.ok()) GTEST_SKIP() << "the kernel refuses user namespaces here: " << probe.message();
    auto store = Store::Open(Path("store"), Tracer(&sink_));
    ASSERT_TRUE(store.has_value()) << store.error().message();
    store_ = std::move(*store);
    images_ = std::make_unique<Images>(store_.get());
    ASSERT_OK(images_->EnsureBaseImage());
    containers_ =
        std::make_unique<Containers>(store_.get(), images_.get(), StorageDriver::kOverlay);
    builder_ = std::make_unique<Builder>(store_.get(), images_.get(), containers_.get());
    auto base = images_->Get("busybox");
    ASSERT_TRUE(base.has_value()) << base.error().message();
    base_ = *base;
    sink_.events.clear();
  }

  // The Dockerfile of these tests: one file copied in, then a chmod (copy-up), a deletion
  // (whiteout), a directory removed and made again (opaque dir) and a metadata-only CMD.
  void WriteContext(size_t big_size, char fill) {
    Write(Path("ctx/big.bin"), std::string(big_size, fill));
    Write(Path("ctx/Dockerfile"),
          "FROM busybox\n"
          "COPY big.bin /data/\n"
          "RUN chmod 600 /data/big.bin\n"
          "RUN rm /etc/group\n"
          "RUN rm -rf /home && mkdir /home && touch /home/x\n"
          "CMD [\"sh\"]\n");
  }

  Result<BuildResult> Build() {
    BuildOptions o;
    o.context_dir = Path("ctx");
    o.tags = {"seq:test"};
    o.output_fd = -1;
    NoProgress progress;
    return builder_->Build(o, &progress);
  }

  // The built image's layers, bottom first: busybox, COPY, chmod, rm, rm+mkdir.
  std::vector<LayerRecord> LayersOf(const std::string& image_id) {
    auto img = images_->Get(image_id);
    EXPECT_TRUE(img.has_value()) << img.error().message();
    return img ? img->layers : std::vector<LayerRecord>{};
  }

  // The whole expected sequence of a build that runs every step; `first_miss` is the COPY's
  // reason.
  std::vector<std::string> ColdBuild(const std::vector<LayerRecord>& l,
                                     const std::string& first_miss) {
    int64_t v = l[0].size;
    std::vector<std::string> want;
    want.push_back(StepLine(kCopy, "[2/5]", 2));
    want.push_back(Miss(kCopy, first_miss));
    want.push_back(Done(kCopy, l[1].diff_id, l[1].size, v += l[1].size));
    want.push_back(StepLine(kChmod, "[3/5]", 3));
    want.push_back(Miss(kChmod, kRebuilt));
    // The chmod copied the whole file up from the COPY's layer (layer 2 of the stack).
    want.push_back(CopyUp("data/big.bin", l[1].size, l[1].diff_id, 2, kCopy));
    want.push_back(Done(kChmod, l[2].diff_id, l[2].size, v += l[2].size));
    want.push_back(StepLine(kRm, "[4/5]", 4));
    want.push_back(Miss(kRm, kRebuilt));
    want.push_back("whiteout etc/group |");
    want.push_back(Done(kRm, l[3].diff_id, 0, v));
    want.push_back(StepLine(kOpaque, "[5/5]", 5));
    want.push_back(Miss(kOpaque, kRebuilt));
    want.push_back("opaque_dir home |");
    want.push_back(Done(kOpaque, l[4].diff_id, 0, v));
    // CMD is metadata only: no step number, no layer.
    want.push_back(StepLine(kCmd, "", 6));
    want.push_back(Miss(kCmd, kRebuilt));
    want.push_back(Done(kCmd, "", -1, v));
    return want;
  }

  const std::set<TraceKind> build_kinds_{K::kBuildStep, K::kCacheHit, K::kCacheMiss, K::kStepDone,
                                         K::kCopyUp,    K::kWhiteout, K::kOpaqueDir};
  RecordingSink sink_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Images> images_;
  std::unique_ptr<Containers> containers_;
  std::unique_ptr<Builder> builder_;
  ImageRecord base_;
};

TEST_F(SystemTraceSequenceTest, BuildShowsCopyUpWhiteoutOpaqueDirAndLayerSizes) {
  WriteContext(100000, 'a');
  auto r = Build();
  ASSERT_TRUE(r.has_value()) << r.error().message();
  auto l = LayersOf(r->image_id);
  ASSERT_EQ(l.size(), 5u);
  EXPECT_EQ(l[0].diff_id, base_.layers[0].diff_id);
  // Docker's sizes: the COPY and the chmod's copy-up hold the file; a whiteout and an empty file
  // weigh nothing.
  EXPECT_EQ(l[1].size, 100000);
  EXPECT_EQ(l[2].size, 100000);
  EXPECT_EQ(l[3].size, 0);
  EXPECT_EQ(l[4].size, 0);
  EXPECT_EQ(Filtered(sink_, build_kinds_),
            ColdBuild(l, fmt::format("never built before on image {}", ShortId(base_.id))));
}

TEST_F(SystemTraceSequenceTest, RebuildHitsEveryStepThenAChangedFileMissesFromTheCopyOn) {
  WriteContext(100000, 'a');
  auto first = Build();
  ASSERT_TRUE(first.has_value()) << first.error().message();
  auto l = LayersOf(first->image_id);
  ASSERT_EQ(l.size(), 5u);

  // The same context again: every step is a cache hit, carrying the layer it reuses.
  sink_.events.clear();
  auto again = Build();
  ASSERT_TRUE(again.has_value()) << again.error().message();
  EXPECT_EQ(again->image_id, first->image_id);
  EXPECT_EQ(again->cached, again->steps);
  std::vector<std::string> want = {
      StepLine(kCopy, "[2/5]", 2),
      Hit(kCopy, l[1].diff_id, l[1].size),
      StepLine(kChmod, "[3/5]", 3),
      Hit(kChmod, l[2].diff_id, l[2].size),
      StepLine(kRm, "[4/5]", 4),
      Hit(kRm, l[3].diff_id, 0),
      StepLine(kOpaque, "[5/5]", 5),
      Hit(kOpaque, l[4].diff_id, 0),
      // A metadata-only step reuses no layer: no layer and no size, as its step_done says.
      StepLine(kCmd, "", 6),
      Hit(kCmd, "", -1),
  };
  EXPECT_EQ(Filtered(sink_, build_kinds_), want);

  // big.bin changes (and grows by one byte): the COPY misses and says why, every later step
  // misses because an earlier one was rebuilt, and the chmod copies up the new file.
  WriteContext(100001, 'b');
  sink_.events.clear();
  auto changed = Build();
  ASSERT_TRUE(changed.has_value()) << changed.error().message();
  EXPECT_EQ(changed->cached, 0);
  auto l2 = LayersOf(changed->image_id);
  ASSERT_EQ(l2.size(), 5u);
  EXPECT_NE(l2[1].diff_id, l[1].diff_id);
  EXPECT_EQ(l2[1].size, 100001);
  EXPECT_EQ(l2[2].size, 100001);
  EXPECT_EQ(Filtered(sink_, build_kinds_), ColdBuild(l2, "big.bin changed"));
}

TEST_F(SystemTraceSequenceTest, RunReportsCreateLaunchStepsExitAndCopyUp) {
  auto c = containers_->Create("busybox", "seq", {"sh", "-c", "echo x >> /etc/passwd"});
  ASSERT_TRUE(c.has_value()) << c.error().message();
  auto plan = containers_->PlanLaunch(*c);
  ASSERT_TRUE(plan.has_value()) << plan.error().message();
  int null_in = open("/dev/null", O_RDONLY | O_CLOEXEC);
  int null_out = open("/dev/null", O_WRONLY | O_CLOEXEC);
  ASSERT_GE(null_in, 0);
  ASSERT_GE(null_out, 0);
  LaunchError lerr;
  auto code = containers_->RunAttached(*c, LaunchIo{null_in, null_out, null_out}, &lerr);
  close(null_in);
  close(null_out);
  if (!code && code.error().message().find("refused") != std::string::npos) {
    GTEST_SKIP() << code.error().message();
  }
  ASSERT_TRUE(code.has_value()) << code.error().message();
  EXPECT_EQ(*code, 0);
  auto exited = containers_->Get(c->id);
  ASSERT_TRUE(exited.has_value());
  ASSERT_OK(containers_->Remove(*exited, false));

  std::vector<std::string> want = {
      fmt::format("container_created {} | layer={}", c->id, base_.id),
      fmt::format("writable_layer_created {} | bytes=0", containers_->WritableDir(*c)),
  };
  // The launch plan, step by step, as the plan describes itself: the clone flags come first.
  std::vector<std::string> steps = DescribePlan(*plan);
  ASSERT_FALSE(steps.empty());
  EXPECT_EQ(steps.front().rfind("clone(CLONE_NEWUSER|", 0), 0u) << steps.front();
  EXPECT_EQ(steps.back(), "exec sh -c echo x >> /etc/passwd");
  std::string gaps;
  for (const auto& s : steps) {
    if (s.find("  ") != std::string::npos) gaps += s + "\n";
    want.push_back(fmt::format("launch_step {} |", s));
  }
  // A mount with no source or no options leaves no gap ("mount  on /proc").
  EXPECT_EQ(gaps, "") << "launch steps with a double space";
  // At exit: the code, then what the run changed. /etc/passwd (75 B in busybox's only layer) was
  // copied up whole to append two bytes.
  want.push_back(fmt::format("container_exited {} | detail=0", c->id));
  ASSERT_EQ(base_.layers.size(), 1u);
  auto cfg = images_->ConfigOf(base_.id);
  ASSERT_TRUE(cfg.has_value());
  want.push_back(CopyUp("etc/passwd", 75, base_.layers[0].diff_id, 1, cfg->history[0].created_by));
  // rm: the writable layer held the 77-byte copy.
  want.push_back(fmt::format("container_removed {} | bytes=77", c->id));
  EXPECT_EQ(Filtered(sink_, {K::kContainerCreated, K::kWritableLayerCreated, K::kUnionMounted,
                             K::kLaunchStep, K::kContainerExited, K::kCopyUp, K::kWhiteout,
                             K::kOpaqueDir, K::kContainerRemoved}),
            want);
}

}  // namespace
}  // namespace layerlab
