// Turns a trace (and the final image's LayerReport) into the data the page's script draws: the
// steps, the layer stack after each step, the copy-ups and whiteouts, and the final image's
// files with their history; then wraps it with the inline stylesheet and script in one file.
#include "render/html_page.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "render/html_assets.h"

namespace layerlab::render {
namespace {

using json = nlohmann::ordered_json;

bool IsFrench(const std::string& lang) {
  return lang.size() >= 2 && std::tolower(static_cast<unsigned char>(lang[0])) == 'f' &&
         std::tolower(static_cast<unsigned char>(lang[1])) == 'r';
}

std::string Slash(const std::string& path) {
  return !path.empty() && path[0] == '/' ? path : "/" + path;
}

json EventJson(const TraceEvent& e) {
  json j = {{"k", TraceKindName(e.kind)}, {"s", e.subject}};
  if (!e.layer.empty()) j["l"] = e.layer;
  if (e.bytes >= 0) j["b"] = e.bytes;
  if (!e.detail.empty()) j["d"] = e.detail;
  if (!e.why.empty()) j["w"] = e.why;
  return j;
}

// A step: the events [first, end), and the one that names it (build_step, or the event itself).
struct Step {
  size_t first = 0, head = 0, end = 0;
};

std::vector<Step> GroupSteps(const std::vector<TraceEvent>& events, bool build) {
  std::vector<Step> steps;
  if (!build) {
    for (size_t i = 0; i < events.size(); ++i) steps.push_back({i, i, i + 1});
    return steps;
  }
  size_t pending = 0;  // the first event not yet in a step
  bool open = false;
  for (size_t i = 0; i < events.size(); ++i) {
    TraceKind k = events[i].kind;
    if (k == TraceKind::kBuildStep) {
      if (open) steps.back().end = pending = i;  // a step without its end (an error)
      steps.push_back({pending, i, i + 1});
      open = true;
    } else if (open && (k == TraceKind::kStepDone || k == TraceKind::kCacheHit)) {
      steps.back().end = pending = i + 1;
      open = false;
    }
  }
  if (!steps.empty()) steps.back().end = events.size();  // trailing events (tags) go last
  return steps;
}

// What one build step did, read from its events.
struct Facts {
  std::string instruction, position, line, stage;
  std::string cache, cache_why, cache_image;
  std::string result;  // "layer", "metadata", or "unfinished"
  std::string layer, image;
  int64_t bytes = -1, vsize = -1;
};

// "virtual size 1982363 B" -> 1982363; -1 when the text says something else.
int64_t ParseVirtualSize(const std::string& why) {
  const std::string prefix = "virtual size ";
  int64_t n = -1;
  if (why.rfind(prefix, 0) == 0)
    std::from_chars(why.data() + prefix.size(), why.data() + why.size(), n);
  return n;
}

// "[builder 2/3]" -> "builder"; "[2/3]" -> "".
std::string StageOf(const std::string& position) {
  if (position.size() < 2 || position.front() != '[' || position.back() != ']') return {};
  std::string inner = position.substr(1, position.size() - 2);
  size_t sp = inner.rfind(' ');
  return sp == std::string::npos ? "" : inner.substr(0, sp);
}

Facts ReadFacts(const std::vector<TraceEvent>& events, const Step& s, const std::string& stage) {
  Facts f;
  const TraceEvent& head = events[s.head];
  f.instruction = head.subject;
  f.position = head.detail;
  f.line = head.why;
  f.stage = f.position.empty() ? stage : StageOf(f.position);
  f.result = "unfinished";
  for (size_t i = s.head; i < s.end; ++i) {
    const TraceEvent& e = events[i];
    if (e.kind == TraceKind::kCacheMiss) {
      f.cache = "miss";
      f.cache_why = e.why;
    } else if (e.kind == TraceKind::kCacheHit || e.kind == TraceKind::kStepDone) {
      if (e.kind == TraceKind::kCacheHit) {
        f.cache = "hit";
        f.cache_image = e.detail;
      } else {
        f.vsize = ParseVirtualSize(e.why);
      }
      f.result = e.layer.empty() ? "metadata" : "layer";
      f.layer = e.layer;
      f.bytes = e.bytes;
      f.image = e.detail;
      break;
    }
  }
  return f;
}

// One layer of a stack as the page draws it.
struct Layer {
  std::string diff_id, created_by;
  int64_t size = -1;     // -1: unknown
  int report_index = 0;  // 1-based index in the report, 0 when it is not there
  int step = 0;          // the step that made it (1-based); 0 = before the trace
  bool base = false;     // stands for all of the FROM image's layers (not known one by one)
  bool writable = false;
};

json LayerJson(const Layer& l, int current_step) {
  json j = {{"id", l.diff_id},
            {"by", l.created_by},
            {"size", l.size},
            {"ri", l.report_index},
            {"step", l.step}};
  if (l.base) j["base"] = true;
  if (l.writable) j["writable"] = true;
  if (current_step > 0 && l.step == current_step) j["new"] = true;
  return j;
}

json StackJson(const std::vector<Layer>& stack, size_t count, int current_step, int64_t vsize) {
  json layers = json::array();
  int64_t sum = 0;
  for (size_t i = 0; i < count && i < stack.size(); ++i) {
    layers.push_back(LayerJson(stack[i], current_step));
    if (sum >= 0 && stack[i].size >= 0)
      sum += stack[i].size;
    else
      sum = -1;
  }
  return {{"layers", layers}, {"vsize", vsize >= 0 ? vsize : sum}};
}

// Copy-ups, whiteouts and opaque dirs among the events [first, end); their paths join `touched`.
void AddChanges(const std::vector<TraceEvent>& events, size_t first, size_t end, json* step,
                std::set<std::string>* touched) {
  json copyups = json::array(), whiteouts = json::array();
  for (size_t i = first; i < end; ++i) {
    const TraceEvent& e = events[i];
    if (e.kind == TraceKind::kCopyUp) {
      copyups.push_back({{"path", Slash(e.subject)},
                         {"bytes", e.bytes},
                         {"layer", e.layer},
                         {"from", e.detail},
                         {"why", e.why}});
    } else if (e.kind == TraceKind::kWhiteout || e.kind == TraceKind::kOpaqueDir) {
      whiteouts.push_back({{"path", Slash(e.subject)},
                           {"kind", e.kind == TraceKind::kWhiteout ? "whiteout" : "opaque"},
                           {"why", e.why}});
    } else {
      continue;
    }
    touched->insert(Slash(e.subject));
  }
  (*step)["copyups"] = copyups;
  (*step)["whiteouts"] = whiteouts;
}

json EventsJson(const std::vector<TraceEvent>& events, size_t first, size_t end) {
  json out = json::array();
  for (size_t i = first; i < end; ++i) out.push_back(EventJson(events[i]));
  return out;
}

std::vector<Layer> ReportStack(const LayerReport& r, size_t count) {
  std::vector<Layer> out;
  for (size_t i = 0; i < count && i < r.layers.size(); ++i) {
    const LayerInfo& l = r.layers[i];
    out.push_back({l.diff_id, l.created_by, l.size, l.index, 0, false, false});
  }
  return out;
}

// A build: one step per instruction; each stage's stack grows by the layers its steps make.
// The final stage's base layers come from the report when its tail is that stage's layers.
json BuildSteps(const std::vector<TraceEvent>& events, const std::vector<Step>& steps,
                const std::optional<LayerReport>& report, std::map<int, int>* step_of_layer) {
  std::vector<Facts> facts;
  std::string stage;
  for (const Step& s : steps) {
    facts.push_back(ReadFacts(events, s, stage));
    stage = facts.back().stage;
  }
  const std::string final_stage = facts.empty() ? "" : facts.back().stage;
  std::vector<size_t> final_layered;
  for (size_t i = 0; i < facts.size(); ++i) {
    if (facts[i].stage == final_stage && facts[i].result == "layer") final_layered.push_back(i);
  }
  size_t k = final_layered.size(), n = report ? report->layers.size() : 0;
  bool match = report.has_value() && n >= k;
  for (size_t j = 0; match && j < k; ++j) {
    match = report->layers[n - k + j].diff_id == facts[final_layered[j]].layer;
  }

  std::map<std::string, std::vector<Layer>> stacks;
  std::vector<size_t> counts;
  for (size_t i = 0; i < facts.size(); ++i) {
    const Facts& f = facts[i];
    auto [it, fresh] = stacks.try_emplace(f.stage);
    std::vector<Layer>& st = it->second;
    if (fresh) {
      if (f.stage == final_stage && match) {
        st = ReportStack(*report, n - k);
      } else {
        st.push_back({"", "FROM", -1, 0, 0, true, false});
      }
    }
    if (f.result == "layer") {
      Layer l{f.layer, f.instruction, f.bytes, 0, static_cast<int>(i) + 1, false, false};
      if (f.stage == final_stage && match) {
        l.report_index = static_cast<int>(n - k) + 1 +
                         static_cast<int>(std::find(final_layered.begin(), final_layered.end(), i) -
                                          final_layered.begin());
        (*step_of_layer)[l.report_index] = l.step;
      }
      st.push_back(l);
    }
    // The base's size is what the virtual size has beyond the layers this stage made.
    if (f.vsize >= 0 && st.front().base && st.front().size < 0) {
      int64_t made = 0;
      for (size_t j = 1; j < st.size(); ++j) made += std::max<int64_t>(st[j].size, 0);
      st.front().size = std::max<int64_t>(f.vsize - made, 0);
    }
    counts.push_back(st.size());
  }

  json out = json::array();
  for (size_t i = 0; i < facts.size(); ++i) {
    const Facts& f = facts[i];
    int n1 = static_cast<int>(i) + 1;
    json s = {{"n", n1},
              {"kind", "build_step"},
              {"instruction", f.instruction},
              {"position", f.position},
              {"line", f.line},
              {"cache", f.cache},
              {"cache_why", f.cache_why},
              {"cache_image", f.cache_image},
              {"result", f.result},
              {"layer", f.layer},
              {"bytes", f.bytes},
              {"image", f.image}};
    s["stack"] = StackJson(stacks[f.stage], counts[i], n1, f.vsize);
    std::set<std::string> touched;
    AddChanges(events, steps[i].first, steps[i].end, &s, &touched);
    for (const auto& l : stacks[f.stage]) {
      if (l.step == n1 && l.report_index > 0) {
        for (const auto& file : report->layers[l.report_index - 1].files) touched.insert(file.path);
      }
    }
    s["touched"] = touched;
    s["events"] = EventsJson(events, steps[i].first, steps[i].end);
    out.push_back(std::move(s));
  }
  return out;
}

// Any other command: one event per step, over the report's layers (and a container's writable
// layer while one exists, growing with its copy-ups).
json EventSteps(const std::vector<TraceEvent>& events, const std::optional<LayerReport>& report) {
  std::vector<Layer> base =
      report ? ReportStack(*report, report->layers.size()) : std::vector<Layer>{};
  std::optional<Layer> writable;
  json out = json::array();
  for (size_t i = 0; i < events.size(); ++i) {
    const TraceEvent& e = events[i];
    int n1 = static_cast<int>(i) + 1;
    if (e.kind == TraceKind::kWritableLayerCreated) {
      writable = Layer{"", "", std::max<int64_t>(e.bytes, 0), 0, n1, false, true};
    } else if (e.kind == TraceKind::kCopyUp && writable && e.bytes > 0) {
      writable->size += e.bytes;
    }
    std::vector<Layer> stack = base;
    if (writable) stack.push_back(*writable);
    if (e.kind == TraceKind::kContainerRemoved) writable.reset();
    json s = {{"n", n1},
              {"kind", TraceKindName(e.kind)},
              {"instruction", e.subject},
              {"position", ""},
              {"line", ""},
              {"cache", ""},
              {"cache_why", ""},
              {"cache_image", ""},
              {"result", ""},
              {"layer", e.layer},
              {"bytes", e.bytes},
              {"image", ""},
              {"why", e.why},
              {"detail", e.detail}};
    s["stack"] = StackJson(stack, stack.size(), n1, -1);
    std::set<std::string> touched;
    AddChanges(events, i, i + 1, &s, &touched);
    s["touched"] = touched;
    s["events"] = EventsJson(events, i, i + 1);
    out.push_back(std::move(s));
  }
  return out;
}

// The final image's files, present or deleted, each with its history [layer, change, size].
json FilesJson(const LayerReport& r) {
  struct File {
    char type = 'o';
    int64_t size = 0;
    bool present = false;
    json history = json::array();
  };
  std::map<std::string, File> files;
  auto remove = [&files](const std::string& path, bool self, int layer) {
    auto mark = [layer](File& f) {
      if (!f.present) return;
      f.present = false;
      f.history.push_back({layer, "D", f.size});
    };
    if (self) {
      if (auto it = files.find(path); it != files.end()) mark(it->second);
    }
    std::string prefix = path == "/" ? "/" : path + "/";
    for (auto it = files.lower_bound(prefix); it != files.end() && it->first.rfind(prefix, 0) == 0;
         ++it) {
      mark(it->second);
    }
  };
  for (const LayerInfo& l : r.layers) {
    // Deletions first: a layer's own files are above its whiteouts and opaque dirs.
    for (const LayerFile& f : l.files) {
      if (f.change != 'D') continue;
      auto [it, fresh] = files.try_emplace(f.path);
      if (fresh || !it->second.present) {
        it->second.history.push_back({l.index, "D", f.size});
      }
      remove(f.path, true, l.index);
    }
    for (const LayerFile& f : l.files) {
      if (f.opaque) remove(f.path, false, l.index);
    }
    for (const LayerFile& f : l.files) {
      if (f.change == 'D') continue;
      File& file = files[f.path];
      file.type = f.type;
      file.size = f.size;
      file.present = true;
      file.history.push_back({l.index, std::string(1, f.change), f.size});
    }
  }
  // Sorted as a tree: "/bin/x" right after "/bin", before "/bin-old".
  std::vector<std::string> paths;
  for (const auto& [p, f] : files) paths.push_back(p);
  auto key = [](std::string p) {
    std::replace(p.begin(), p.end(), '/', '\x01');
    return p;
  };
  std::sort(paths.begin(), paths.end(),
            [&key](const std::string& a, const std::string& b) { return key(a) < key(b); });
  json out = json::array();
  for (const auto& p : paths) {
    const File& f = files[p];
    std::string last = f.history.empty() ? "A" : f.history.back()[1].get<std::string>();
    out.push_back({{"p", p},
                   {"t", std::string(1, f.type)},
                   {"s", f.size},
                   {"c", f.present ? last : "D"},
                   {"h", f.history}});
  }
  return out;
}

// Replaces each character of `from` with the text at the same index of `to`.
std::string Escape(const std::string& s, const std::string& from,
                   const std::vector<std::string>& to) {
  std::string out;
  for (char c : s) {
    size_t at = from.find(c);
    out += at == std::string::npos ? std::string(1, c) : to[at];
  }
  return out;
}
std::string HtmlEscape(const std::string& s) {
  return Escape(s, "&<>\"", {"&amp;", "&lt;", "&gt;", "&quot;"});
}
// JSON inside <script>: "<" only occurs in strings, where \u003c means the same and cannot end
// the element ("</script>") or open a comment ("<!--"); ">" and "&" likewise, for good measure.
std::string ScriptSafe(const std::string& json_text) {
  return Escape(json_text, "<>&", {"\\u003c", "\\u003e", "\\u0026"});
}

}  // namespace

std::string RenderHtmlPage(const std::vector<TraceEvent>& events,
                           const std::optional<LayerReport>& report, const std::string& lang,
                           const std::string& title) {
  const bool fr = IsFrench(lang);
  const bool build = std::any_of(events.begin(), events.end(), [](const TraceEvent& e) {
    return e.kind == TraceKind::kBuildStep;
  });
  std::vector<Step> groups = GroupSteps(events, build);
  std::map<int, int> step_of_layer;  // report index -> the step that made it
  json steps =
      build ? BuildSteps(events, groups, report, &step_of_layer) : EventSteps(events, report);
  json data = {
      {"v", 1}, {"lang", fr ? "fr" : "en"}, {"title", title}, {"build", build}, {"steps", steps}};
  if (report) {
    json layers = json::array();
    for (const LayerInfo& l : report->layers) {
      auto it = step_of_layer.find(l.index);
      layers.push_back({{"i", l.index},
                        {"id", l.diff_id},
                        {"by", l.created_by},
                        {"size", l.size},
                        {"step", it == step_of_layer.end() ? 0 : it->second}});
    }
    data["report"] = {{"image", report->image_id},
                      {"vsize", report->total_size},
                      {"wasted", report->wasted_bytes},
                      {"efficiency", report->efficiency},
                      {"layers", layers},
                      {"files", FilesJson(*report)}};
  }
  std::string out = "<!DOCTYPE html>\n<html lang=\"";
  out += fr ? "fr" : "en";
  out +=
      "\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>";
  out += HtmlEscape(title);
  out += "</title>\n<style>\n";
  out += kHtmlPageCss;
  out += "</style>\n</head>\n<body data-step=\"0\" data-steps=\"" + std::to_string(steps.size()) +
         "\">\n";
  out += kHtmlPageBody;
  out += "<script type=\"application/json\" id=\"layerlab-data\">";
  out += ScriptSafe(data.dump(-1, ' ', false, json::error_handler_t::replace));
  out += "</script>\n<script>\n";
  out += kHtmlPageJs;
  out += "</script>\n</body>\n</html>\n";
  return out;
}

std::string LastImageInTrace(const std::vector<TraceEvent>& events) {
  std::string image;
  for (const TraceEvent& e : events) {
    switch (e.kind) {
      case TraceKind::kTagAdded:
      case TraceKind::kTagMoved:
      case TraceKind::kStepDone:
      case TraceKind::kCacheHit:
        if (!e.detail.empty()) image = e.detail;
        break;
      case TraceKind::kImageCreated:
        image = e.subject;
        break;
      case TraceKind::kContainerCreated:
        if (!e.layer.empty()) image = e.layer;
        break;
      case TraceKind::kImageDeleted:
        if (e.subject == image) image.clear();
        break;
      default:
        break;
    }
  }
  return image;
}

}  // namespace layerlab::render
