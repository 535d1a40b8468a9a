// The --explain=html page in headless Chromium: a build's trace becomes a page that opens at
// #step=N and shows that step (counter, instruction, line, cache, layer stack, copy-ups,
// whiteouts), steps with Next and the arrow keys, tells a file's history, speaks French, and
// leaves a screenshot. The page is read back with --dump-dom after its script has run.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "e2e/build_fixture.h"
#include "layerlab/images.h"
#include "layerlab/layer_report.h"
#include "layerlab/store.h"
#include "layerlab/trace.h"
#include "render/html_page.h"

namespace layerlab::testing {
namespace {

constexpr char kDockerfile[] =
    "FROM busybox\n"
    "COPY app.txt /app/app.txt\n"
    "RUN chmod 600 /etc/passwd\n"
    "RUN rm /app/app.txt\n"
    "RUN rm -rf /app && mkdir /app && echo new > /app/new.txt\n"
    "ENV STAGE=demo\n";

std::string ChromiumPath() {
  for (const char* p :
       {"/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"}) {
    if (access(p, X_OK) == 0) return p;
  }
  return "";
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// TraceEvents back from the JSON lines of --explain=json:FILE.
std::vector<TraceEvent> EventsOf(const std::vector<nlohmann::json>& lines) {
  std::vector<TraceEvent> out;
  for (const auto& j : lines) {
    TraceEvent e{TraceKind::kBlobWritten,       j.value("subject", ""), j.value("layer", ""),
                 j.value("bytes", int64_t{-1}), j.value("detail", ""),  j.value("why", "")};
    bool known = false;
    for (int k = 0; k <= static_cast<int>(TraceKind::kLastKind); ++k) {
      if (j.value("kind", "") == TraceKindName(static_cast<TraceKind>(k))) {
        e.kind = static_cast<TraceKind>(k);
        known = true;
      }
    }
    EXPECT_TRUE(known) << j.dump();
    out.push_back(e);
  }
  return out;
}

// --- Reading the serialized DOM -------------------------------------------------------------

std::string Unescape(std::string s) {
  for (auto [from, to] : {std::pair{"&quot;", "\""},
                          {"&lt;", "<"},
                          {"&gt;", ">"},
                          {"&#39;", "'"},
                          {"&nbsp;", "\u00a0"},
                          {"&amp;", "&"}}) {
    for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + 1)) {
      s.replace(at, std::string(from).size(), to);
    }
  }
  return s;
}

// The end ('>') of the tag starting at `start`, skipping quoted attribute values.
size_t TagEnd(const std::string& s, size_t start) {
  bool quoted = false;
  for (size_t i = start; i < s.size(); ++i) {
    if (s[i] == '"') quoted = !quoted;
    if (s[i] == '>' && !quoted) return i;
  }
  return std::string::npos;
}

// The opening tag of the element with this id ("" when there is none).
std::string OpenTag(const std::string& dom, const std::string& id) {
  size_t at = dom.find(" id=\"" + id + "\"");
  if (at == std::string::npos) return "";
  size_t start = dom.rfind('<', at);
  return dom.substr(start, TagEnd(dom, start) - start + 1);
}

std::string Attr(const std::string& tag, const std::string& name) {
  size_t at = tag.find(" " + name + "=\"");
  if (at == std::string::npos) return "";
  at += name.size() + 3;
  return Unescape(tag.substr(at, tag.find('"', at) - at));
}

// The text right inside the element with this id (up to its first child tag).
std::string Text(const std::string& dom, const std::string& id) {
  size_t at = dom.find(" id=\"" + id + "\"");
  if (at == std::string::npos) return "<no #" + id + ">";
  size_t open_end = TagEnd(dom, at);
  return Unescape(dom.substr(open_end + 1, dom.find('<', open_end) - open_end - 1));
}

// The opening tags of the <li> children of the list with this id whose class is `cls` (any
// class when empty).
std::vector<std::string> Items(const std::string& dom, const std::string& id,
                               const std::string& cls = "") {
  std::vector<std::string> out;
  std::string open = OpenTag(dom, id);
  if (open.empty()) return out;
  size_t begin = dom.find(open) + open.size();
  std::string name = open.substr(1, open.find(' ') - 1);
  std::string inner = dom.substr(begin, dom.find("</" + name + ">", begin) - begin);
  for (size_t at = inner.find("<li"); at != std::string::npos; at = inner.find("<li", at + 1)) {
    std::string tag = inner.substr(at, TagEnd(inner, at) - at + 1);
    std::string classes = " " + Attr(tag, "class") + " ";
    if (cls.empty() || classes.find(" " + cls + " ") != std::string::npos) out.push_back(tag);
  }
  return out;
}

std::string BodyTag(const std::string& dom) {
  size_t at = dom.find("<body");
  return at == std::string::npos ? "" : dom.substr(at, TagEnd(dom, at) - at + 1);
}

// The <li> of the list `id` whose data-path is `path` ("" when absent).
std::string ItemWithPath(const std::string& dom, const std::string& id, const std::string& path) {
  for (const auto& tag : Items(dom, id)) {
    if (Attr(tag, "data-path") == path) return tag;
  }
  return "";
}

class E2EHtmlPageTest : public build::BuildFixture {
 protected:
  void SetUp() override {
    BuildFixture::SetUp();
    chromium_ = ChromiumPath();
  }

  // A build context holding kDockerfile.
  std::string DemoContext() {
    std::string dir = Context("demo");
    Put(dir, "app.txt", "v1\n");
    Put(dir, "Dockerfile", kDockerfile);
    return dir;
  }
  // Runs `layerlab --explain=json:FILE ARGS...`, expecting success; returns the events.
  std::vector<TraceEvent> Trace(const std::vector<std::string>& args, const std::string& name) {
    std::string path = scratch_ + "/" + name;
    std::vector<std::string> all = {"--explain=json:" + path};
    all.insert(all.end(), args.begin(), args.end());
    CliResult r = Run(all);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return EventsOf(ReadTrace(path));
  }
  // ReportLayers straight from the store, as --explain=html does at exit.
  LayerReport Report(const std::string& image) {
    auto store = Store::Open(root_, Tracer());
    EXPECT_TRUE(store.has_value()) << store.error().message();
    if (!store) return {};
    Images images(store->get());
    auto report = ReportLayers(store->get(), &images, image);
    EXPECT_TRUE(report.has_value()) << report.error().message();
    return report ? *report : LayerReport{};
  }
  // Builds kDockerfile as demo:1 and renders its page; returns the page's path.
  std::string DemoPage(const std::string& lang = "en") {
    events_ = Trace({"build", "-q", "-t", "demo:1", DemoContext()}, "build.jsonl");
    report_ = Report("demo:1");
    return WriteFile("page-" + lang + ".html",
                     render::RenderHtmlPage(events_, report_, lang, "layerlab build demo:1"));
  }

  std::string Chromium(const std::vector<std::string>& flags, const std::string& url) {
    std::string cmd = "'" + chromium_ +
                      "' --headless --no-sandbox --disable-gpu --no-first-run "
                      "--disable-extensions --user-data-dir='" +
                      scratch_ + "/chromium-profile' --virtual-time-budget=2000";
    for (const auto& f : flags) cmd += " " + f;
    cmd += " '" + url + "' 2>/dev/null";
    std::string out;
    FILE* p = popen(cmd.c_str(), "r");
    if (p == nullptr) return out;
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    pclose(p);
    return out;
  }
  // The page's DOM after its script ran, opened at file://PAGE#HASH.
  std::string Dom(const std::string& page, const std::string& hash) {
    std::string dom = Chromium({"--dump-dom"}, "file://" + page + "#" + hash);
    EXPECT_NE(dom.find("id=\"counter\""), std::string::npos) << "no page for #" << hash;
    return dom;
  }

  // What the demo page must show at each of its 6 steps.
  void ExpectDemoSteps(const std::string& page, bool cached) {
    ASSERT_EQ(report_.layers.size(), 5u);
    const auto& L = report_.layers;
    struct Want {
      std::string instruction, line;
      size_t layers;
      std::string result;
    };
    const std::vector<Want> want = {
        {"COPY app.txt /app/app.txt # buildkit", "Dockerfile:2", 2, "layer"},
        {"RUN /bin/sh -c chmod 600 /etc/passwd # buildkit", "Dockerfile:3", 3, "layer"},
        {"RUN /bin/sh -c rm /app/app.txt # buildkit", "Dockerfile:4", 4, "layer"},
        {"RUN /bin/sh -c rm -rf /app && mkdir /app && echo new > /app/new.txt # buildkit",
         "Dockerfile:5", 5, "layer"},
        {"ENV STAGE=demo", "Dockerfile:6", 5, "metadata"},
    };
    for (size_t i = 0; i < want.size(); ++i) {
      SCOPED_TRACE("step " + std::to_string(i + 1));
      std::string dom = Dom(page, "step=" + std::to_string(i + 1));
      EXPECT_EQ(Text(dom, "counter"), "Step " + std::to_string(i + 1) + " / 5");
      EXPECT_EQ(Text(dom, "instruction"), want[i].instruction);
      EXPECT_EQ(Text(dom, "line"), want[i].line);
      EXPECT_EQ(Attr(OpenTag(dom, "cache"), "data-cache"), cached ? "hit" : "miss");
      EXPECT_EQ(Text(dom, "cache"), cached ? "cache hit" : "cache miss");
      EXPECT_EQ(Attr(OpenTag(dom, "result"), "data-result"), want[i].result);
      // The stack so far, top first: the report's first N layers, the step's own one marked new.
      std::vector<std::string> stack = Items(dom, "stack", "layer");
      ASSERT_EQ(stack.size(), want[i].layers);
      EXPECT_EQ(Attr(OpenTag(dom, "stack"), "data-count"), std::to_string(want[i].layers));
      int64_t vsize = 0;
      for (size_t j = 0; j < stack.size(); ++j) {
        const LayerInfo& l = L[stack.size() - 1 - j];
        EXPECT_EQ(Attr(stack[j], "data-diff-id"), l.diff_id) << j;
        EXPECT_EQ(Attr(stack[j], "data-size"), std::to_string(l.size)) << j;
        bool is_new = want[i].result == "layer" && j == 0;
        EXPECT_EQ(Attr(stack[j], "data-new"), is_new ? "1" : "") << j;
        vsize += l.size;
      }
      EXPECT_EQ(Attr(OpenTag(dom, "virtual-size"), "data-bytes"), std::to_string(vsize));
      // Copy-ups and whiteouts happen when a step runs, not when the cache has it.
      std::vector<std::string> copyups = Items(dom, "copyups", "copyup");
      std::vector<std::string> whiteouts = Items(dom, "whiteouts", "whiteout");
      std::vector<std::string> opaques = Items(dom, "whiteouts", "opaque");
      EXPECT_EQ(copyups.size(), !cached && i == 1 ? 1u : 0u);
      EXPECT_EQ(whiteouts.size(), !cached && i == 2 ? 1u : 0u);
      EXPECT_EQ(opaques.size(), !cached && i == 3 ? 1u : 0u);
      if (!copyups.empty()) {
        EXPECT_EQ(Attr(copyups[0], "data-path"), "/etc/passwd");
        EXPECT_EQ(Attr(copyups[0], "data-from"), L[0].diff_id);
        int64_t passwd = -1;
        for (const auto& f : L[0].files) {
          if (f.path == "/etc/passwd") passwd = f.size;
        }
        EXPECT_EQ(Attr(copyups[0], "data-bytes"), std::to_string(passwd));
        EXPECT_NE(dom.find("from layer 1 ("), std::string::npos);
      }
      for (const auto& w : whiteouts) EXPECT_EQ(Attr(w, "data-path"), "/app/app.txt");
      for (const auto& o : opaques) EXPECT_EQ(Attr(o, "data-path"), "/app");
    }
  }

  std::string chromium_;
  std::vector<TraceEvent> events_;
  LayerReport report_;
};

#define SKIP_WITHOUT_CHROMIUM()                                      \
  if (chromium_.empty()) {                                           \
    GTEST_SKIP() << "chromium is missing: apt-get install chromium"; \
  }                                                                  \
  static_assert(true)

TEST_F(E2EHtmlPageTest, OpensAtTheStepTheUrlNamesAndShowsIt) {
  SKIP_WITHOUT_CHROMIUM();
  std::string page = DemoPage();
  EXPECT_EQ(render::LastImageInTrace(events_), IdOf("demo:1"));
  ExpectDemoSteps(page, /*cached=*/false);
  std::string dom = Dom(page, "step=1");
  EXPECT_EQ(Attr(OpenTag(dom, "result"), "data-layer"), report_.layers[1].diff_id);
  EXPECT_EQ(Text(dom, "cache-why"), "never built before on image " + IdOf("busybox").substr(7, 12));
}

TEST_F(E2EHtmlPageTest, CacheHitsShowTheSameStack) {
  SKIP_WITHOUT_CHROMIUM();
  Ok({"build", "-q", "-t", "demo:0", DemoContext()});
  std::string page = DemoPage();
  ExpectDemoSteps(page, /*cached=*/true);
}

TEST_F(E2EHtmlPageTest, NextAndArrowKeysStep) {
  SKIP_WITHOUT_CHROMIUM();
  std::string page = DemoPage();
  struct Case {
    std::string hash;
    std::string step;
  };
  for (const Case& c : std::vector<Case>{{"step=2&next=1", "3"},
                                         {"step=2&next=2", "4"},
                                         {"step=2&press=ArrowRight", "3"},
                                         {"step=2&press=ArrowLeft", "1"},
                                         {"step=5&next=1", "5"},
                                         {"step=1&press=End", "5"},
                                         {"step=99", "5"}}) {
    std::string dom = Dom(page, c.hash);
    EXPECT_EQ(Attr(BodyTag(dom), "data-step"), c.step) << c.hash;
    EXPECT_EQ(Text(dom, "counter"), "Step " + c.step + " / 5") << c.hash;
  }
  // After Next from step 1, the page shows step 2 entirely: its copy-up, its instruction.
  std::string dom = Dom(page, "step=1&press=ArrowRight");
  EXPECT_EQ(Text(dom, "instruction"), "RUN /bin/sh -c chmod 600 /etc/passwd # buildkit");
  EXPECT_EQ(Items(dom, "copyups", "copyup").size(), 1u);
  EXPECT_EQ(Items(dom, "stack", "layer").size(), 3u);
}

TEST_F(E2EHtmlPageTest, FileBrowserTellsWhichInstructionTouchedEachFile) {
  SKIP_WITHOUT_CHROMIUM();
  std::string page = DemoPage();
  std::string dom = Dom(page, "step=1&file=/app/app.txt");
  // The COPY step touched /app/app.txt; a later RUN deleted it (it stays listed, as deleted).
  std::string app = ItemWithPath(dom, "files", "/app/app.txt");
  EXPECT_EQ(Attr(app, "data-change"), "D");
  EXPECT_EQ(Attr(app, "data-touched"), "1");
  EXPECT_EQ(Attr(ItemWithPath(dom, "files", "/etc/passwd"), "data-touched"), "0");
  EXPECT_EQ(Attr(OpenTag(dom, "history"), "data-path"), "/app/app.txt");
  std::vector<std::string> history = Items(dom, "history", "hist");
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(Attr(history[0], "data-layer"), "2");
  EXPECT_EQ(Attr(history[0], "data-change"), "A");
  EXPECT_EQ(Attr(history[1], "data-layer"), "4");
  EXPECT_EQ(Attr(history[1], "data-change"), "D");
  EXPECT_NE(dom.find("<code>RUN /bin/sh -c rm /app/app.txt # buildkit</code>"), std::string::npos);
  // The chmod step changed /etc/passwd (a copy-up); the last RUN's opaque /app holds new.txt.
  dom = Dom(page, "step=2&file=/etc/passwd");
  EXPECT_EQ(Attr(ItemWithPath(dom, "files", "/etc/passwd"), "data-change"), "C");
  EXPECT_EQ(Attr(ItemWithPath(dom, "files", "/etc/passwd"), "data-touched"), "1");
  EXPECT_EQ(Attr(ItemWithPath(dom, "files", "/app/app.txt"), "data-touched"), "0");
  history = Items(dom, "history", "hist");
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(Attr(history[1], "data-change"), "C");
  EXPECT_EQ(Attr(history[1], "data-layer"), "3");
  EXPECT_EQ(Attr(ItemWithPath(dom, "files", "/app/new.txt"), "data-change"), "A");
  EXPECT_EQ(Attr(ItemWithPath(dom, "files", "/app/new.txt"), "data-future"), "1");
}

TEST_F(E2EHtmlPageTest, FrenchLabels) {
  SKIP_WITHOUT_CHROMIUM();
  std::string page = DemoPage("fr");
  std::string dom = Dom(page, "step=2");
  EXPECT_NE(dom.find("<html lang=\"fr\""), std::string::npos);
  EXPECT_EQ(Text(dom, "counter"), "Étape 2 / 5");
  EXPECT_EQ(Text(dom, "cache"), "pas dans le cache");
  EXPECT_EQ(Text(dom, "next"), "Suivant ▶");
  // Event text stays as the trace gave it.
  EXPECT_EQ(Text(dom, "instruction"), "RUN /bin/sh -c chmod 600 /etc/passwd # buildkit");
}

TEST_F(E2EHtmlPageTest, SavesAScreenshot) {
  SKIP_WITHOUT_CHROMIUM();
  std::string page = DemoPage();
  std::string png = scratch_ + "/step2.png";
  Chromium({"--screenshot=" + png, "--window-size=1280,900", "--hide-scrollbars"},
           "file://" + page + "#step=2&file=/etc/passwd");
  std::string bytes = Slurp(png);
  ASSERT_GT(bytes.size(), 20000u) << "no screenshot at " << png;
  EXPECT_EQ(bytes.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  auto be32 = [&bytes](size_t at) {
    return (uint32_t(uint8_t(bytes[at])) << 24) | (uint32_t(uint8_t(bytes[at + 1])) << 16) |
           (uint32_t(uint8_t(bytes[at + 2])) << 8) | uint32_t(uint8_t(bytes[at + 3]));
  };
  EXPECT_EQ(be32(16), 1280u);  // IHDR width, height
  EXPECT_EQ(be32(20), 900u);
  // LAYERLAB_HTML_KEEP=DIR keeps the page and its screenshot (to look at them).
  if (const char* keep = std::getenv("LAYERLAB_HTML_KEEP"); keep && *keep) {
    std::filesystem::create_directories(keep);
    std::filesystem::copy_file(png, std::string(keep) + "/step2.png",
                               std::filesystem::copy_options::overwrite_existing);
    std::filesystem::copy_file(page, std::string(keep) + "/page.html",
                               std::filesystem::copy_options::overwrite_existing);
  }
}

TEST_F(E2EHtmlPageTest, RunIsOneEventPerStep) {
  SKIP_WITHOUT_CHROMIUM();
  std::vector<TraceEvent> events =
      Trace({"run", "--rm", "busybox", "sh", "-c", "echo x >> /etc/passwd"}, "run.jsonl");
  LayerReport report = Report("busybox");
  ASSERT_EQ(render::LastImageInTrace(events), report.image_id);
  size_t copy_up = 0;
  while (copy_up < events.size() && events[copy_up].kind != TraceKind::kCopyUp) ++copy_up;
  ASSERT_LT(copy_up, events.size()) << "no copy-up in the run's trace";
  std::string page =
      WriteFile("run.html", render::RenderHtmlPage(events, report, "en", "layerlab run"));
  std::string n = std::to_string(copy_up + 1);
  std::string dom = Dom(page, "step=" + n);
  EXPECT_EQ(Text(dom, "counter"), "Step " + n + " / " + std::to_string(events.size()));
  EXPECT_EQ(Text(dom, "kind"), "copy_up");
  EXPECT_EQ(Text(dom, "instruction"), "etc/passwd");
  std::vector<std::string> copyups = Items(dom, "copyups", "copyup");
  ASSERT_EQ(copyups.size(), 1u);
  EXPECT_EQ(Attr(copyups[0], "data-path"), "/etc/passwd");
  // The image's layer, and the container's writable layer on top.
  std::vector<std::string> stack = Items(dom, "stack", "layer");
  ASSERT_EQ(stack.size(), 2u);
  EXPECT_NE(Attr(stack[0], "class").find("writable"), std::string::npos);
  EXPECT_EQ(Attr(stack[1], "data-diff-id"), report.layers[0].diff_id);
}

// Without Chromium: the data cannot end its <script> early, and nothing is fetched.
TEST_F(E2EHtmlPageTest, PageIsSelfContainedAndEscapesItsData) {
  std::string evil = "RUN echo '</script><script>alert(1)</script><!--' & done";
  std::vector<TraceEvent> events = {
      {TraceKind::kBuildStep, evil, "", -1, "[2/2]", "Dockerfile:2"},
      {TraceKind::kCacheMiss, evil, "", -1, "", "--no-cache was given"},
      {TraceKind::kStepDone, evil, "sha256:ab", 3, "sha256:cd", "virtual size 10 B"}};
  std::string html = render::RenderHtmlPage(events, std::nullopt, "en", "<b>title</b>");
  size_t count = 0;
  for (size_t at = html.find("</script>"); at != std::string::npos;
       at = html.find("</script>", at + 1)) {
    ++count;
  }
  EXPECT_EQ(count, 2u);  // the data's and the script's own
  EXPECT_NE(html.find("<title>&lt;b&gt;title&lt;/b&gt;</title>"), std::string::npos);
  for (const char* remote : {"http://", "https://", "<link", " src=", "@import", "url("}) {
    EXPECT_EQ(html.find(remote), std::string::npos) << remote;
  }
  std::string open = "<script type=\"application/json\" id=\"layerlab-data\">";
  size_t begin = html.find(open) + open.size();
  auto data = nlohmann::json::parse(html.substr(begin, html.find("</script>", begin) - begin));
  ASSERT_EQ(data["steps"].size(), 1u);
  EXPECT_EQ(data["steps"][0]["instruction"], evil);
  // No report: the stack is a FROM placeholder sized from the virtual size, then the new layer.
  EXPECT_EQ(data["steps"][0]["stack"]["vsize"], 10);
  EXPECT_EQ(data["steps"][0]["stack"]["layers"][0]["size"], 7);
  EXPECT_EQ(data["steps"][0]["stack"]["layers"][1]["id"], "sha256:ab");
}

// --explain=html:FILE itself (wired in sim/cli/main.cc).
TEST_F(E2EHtmlPageTest, ExplainHtmlWritesThePage) {
  SKIP_WITHOUT_CHROMIUM();
  std::string page = scratch_ + "/cli.html";
  CliResult r = Run({"--explain=html:" + page, "build", "-q", "-t", "demo:1", DemoContext()});
  if (r.exit_code == 125 &&
      r.err.find("expected --explain (text) or --explain=json:FILE\n") != std::string::npos) {
    GTEST_SKIP() << "--explain=html:FILE is not wired into sim/cli/main.cc yet";
  }
  ASSERT_EQ(r.exit_code, 0) << r.err;
  report_ = Report("demo:1");
  ExpectDemoSteps(page, /*cached=*/false);
}

}  // namespace
}  // namespace layerlab::testing
