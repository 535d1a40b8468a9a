// The tracer seam: null sinks cost nothing, recording keeps order, JSON lines follow the schema.
#include "layerlab/trace.h"

#include <cstdio>

#include <nlohmann/json.hpp>

#include "test_util.h"

namespace layerlab {
namespace {

TEST(TraceTest, NullTracerIsDisabledAndIgnoresEvents) {
  Tracer t;
  EXPECT_FALSE(t.enabled());
  t.Emit(TraceKind::kBlobWritten, "x");  // must not crash
}

TEST(TraceTest, RecordingSinkKeepsTheExactSequence) {
  RecordingSink sink;
  Tracer t(&sink);
  t.Emit(TraceKind::kTagAdded, "a:b", "why", -1, {}, "sha256:1");
  t.Emit(TraceKind::kLayerFreed, "sha256:c", "gone", 42, "sha256:d");
  ASSERT_EQ(sink.events.size(), 2u);
  EXPECT_EQ(sink.events[0].detail, "sha256:1");
  EXPECT_EQ(sink.events[1].bytes, 42);
  EXPECT_EQ(sink.events[1].layer, "sha256:d");
}

TEST(TraceTest, JsonLineHasVersionKindAndOnlySetFields) {
  TraceEvent e{TraceKind::kLayerKept, "sha256:a", "sha256:b", -1, "", "image 123 still uses it"};
  EXPECT_EQ(JsonLinesSink::ToJson(e),
            R"({"v":1,"kind":"layer_kept","subject":"sha256:a","layer":"sha256:b",)"
            R"("why":"image 123 still uses it"})");
}

class TraceFileTest : public testing::TempDirTest {};

TEST_F(TraceFileTest, JsonLinesSinkWritesOneParsableObjectPerLine) {
  std::FILE* f = std::fopen(Path("t.jsonl").c_str(), "w");
  JsonLinesSink sink(f);
  Tracer t(&sink);
  t.Emit(TraceKind::kBlobWritten, "sha256:x", "new content", 10);
  t.Emit(TraceKind::kImageDeleted, "sha256:y");
  std::fclose(f);
  std::string text = Read(Path("t.jsonl"));
  size_t nl = text.find('\n');
  auto first = nlohmann::json::parse(text.substr(0, nl));
  EXPECT_EQ(first["kind"], "blob_written");
  EXPECT_EQ(first["bytes"], 10);
  auto second = nlohmann::json::parse(text.substr(nl + 1, text.size() - nl - 2));
  EXPECT_EQ(second["kind"], "image_deleted");
  EXPECT_FALSE(second.contains("bytes"));
}

TEST(TraceTest, EveryKindHasASnakeCaseName) {
  for (int k = 0; k <= static_cast<int>(TraceKind::kLastKind); ++k) {
    std::string name = TraceKindName(static_cast<TraceKind>(k));
    EXPECT_NE(name, "unknown");
    for (char c : name) EXPECT_TRUE((c >= 'a' && c <= 'z') || c == '_') << name;
  }
}

TEST(TraceTest, AJsonLineReadsBackAsTheSameEvent) {
  for (int k = 0; k <= static_cast<int>(TraceKind::kLastKind); ++k) {
    TraceEvent e{static_cast<TraceKind>(k), "subj \"q\"", "sha256:ab", 42, "d", "w — why"};
    auto back = JsonLinesSink::FromJson(JsonLinesSink::ToJson(e));
    ASSERT_TRUE(back.has_value()) << TraceKindName(e.kind);
    EXPECT_EQ(back->kind, e.kind);
    EXPECT_EQ(back->subject, e.subject);
    EXPECT_EQ(back->layer, e.layer);
    EXPECT_EQ(back->bytes, 42);
    EXPECT_EQ(back->detail, e.detail);
    EXPECT_EQ(back->why, e.why);
  }
  TraceEvent bare{TraceKind::kTagRemoved, "a:b", "", -1, "", ""};
  EXPECT_EQ(JsonLinesSink::FromJson(JsonLinesSink::ToJson(bare))->bytes, -1);
  EXPECT_FALSE(JsonLinesSink::FromJson("{\"v\":1,\"kind\":\"no_such_kind\"}").has_value());
  EXPECT_FALSE(JsonLinesSink::FromJson("not json").has_value());
}

}  // namespace
}  // namespace layerlab
