// check.txt: parsing (errors name the file and line) and evaluating each `expect:` against real
// state — images, layers and their files, containers and their writable layers, host files, and
// the last command's trace. The forms are listed in lessons/FORMAT.md.
#include <archive.h>
#include <archive_entry.h>
#include <fnmatch.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "layerlab/layer_fs.h"
#include "lesson/lesson.h"

namespace layerlab::lesson {

namespace {

// Splits on spaces; "double quotes" group words (\" and \\ inside).
Result<std::vector<std::string>> Words(const std::string& s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size()) {
    if (s[i] == ' ' || s[i] == '\t') {
      ++i;
      continue;
    }
    std::string w;
    if (s[i] == '"') {
      ++i;
      bool closed = false;
      while (i < s.size()) {
        if (s[i] == '\\' && i + 1 < s.size()) {
          w += s[i + 1];
          i += 2;
        } else if (s[i] == '"') {
          ++i;
          closed = true;
          break;
        } else {
          w += s[i++];
        }
      }
      if (!closed) return Status::InvalidArgument("a \" is not closed");
    } else {
      while (i < s.size() && s[i] != ' ' && s[i] != '\t') w += s[i++];
    }
    out.push_back(w);
  }
  return out;
}

bool Compare(int64_t value, const std::string& op, int64_t n) {
  if (op == "=") return value == n;
  if (op == "!=") return value != n;
  if (op == "<") return value < n;
  if (op == "<=") return value <= n;
  if (op == ">") return value > n;
  return value >= n;
}

bool IsOp(const std::string& s) {
  return s == "=" || s == "!=" || s == "<" || s == "<=" || s == ">" || s == ">=";
}

bool IsNumber(const std::string& s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos;
}

// The shape of every form, checked when check.txt is read (so a typo fails at once, not when
// the student first checks). "OP N" is written as the two words "OP" and "N" here.
Status Validate(const std::vector<std::string>& w) {
  auto cmp_at = [&](size_t i) { return w.size() == i + 2 && IsOp(w[i]) && IsNumber(w[i + 1]); };
  auto n = w.size();
  const std::string k = n > 0 ? w[0] : "";
  bool ok = false;
  if (k == "image" && n >= 3) {
    const std::string& what = w[2];
    ok = (n == 3 && (what == "exists" || what == "missing")) ||
         ((what == "tags" || what == "layers" || what == "history" || what == "empty-layers") &&
          cmp_at(3)) ||
         ((what == "same-as" || what == "parent-of") && n == 4) ||
         (what == "repo-digest" && n == 4 && w[3] == "exists") ||
         (what == "cmd" && n == 5 && w[3] == "contains") ||
         (what == "file" && n >= 5 &&
          ((n == 5 && (w[4] == "exists" || w[4] == "missing")) ||
           (n == 6 && w[4] == "contains") || (n == 6 && w[4] == "mode" && IsNumber(w[5]))));
  } else if (k == "images" && n == 4) {
    ok = (w[1] == "dangling" || w[1] == "count") && cmp_at(2);
  } else if (k == "containers" && n >= 4) {
    ok = w[n - 3] == "count" && cmp_at(n - 2);
    for (size_t i = 1; i + 3 < n; ++i) {
      ok = ok && (w[i].rfind("ancestor=", 0) == 0 || w[i].rfind("status=", 0) == 0 ||
                  w[i].rfind("name=", 0) == 0);
    }
  } else if (k == "container" && n >= 3) {
    const std::string& what = w[2];
    ok = (n == 3 && (what == "exists" || what == "missing")) ||
         (what == "status" && n == 4) ||
         ((what == "exit-code" || what == "diff-count" || what == "size") && cmp_at(3)) ||
         (what == "diff" && n == 5 && (w[4] == "A" || w[4] == "C" || w[4] == "D")) ||
         (what == "file" && ((n == 5 && (w[4] == "exists" || w[4] == "missing")) ||
                             (n == 6 && w[4] == "contains")));
  } else if (k == "trace" && n >= 4) {
    ok = w[n - 3] == "count" && cmp_at(n - 2);
    for (size_t i = 2; i + 3 < n; ++i) {
      ok = ok && (w[i].rfind("subject~", 0) == 0 || w[i].rfind("verb=", 0) == 0);
    }
  } else if (k == "file" && n >= 3) {
    ok = (n == 3 && (w[2] == "exists" || w[2] == "missing")) || (n == 4 && w[2] == "tar-has");
  } else if (k == "build-cache" && n == 4) {
    ok = w[1] == "count" && cmp_at(2);
  }
  if (ok) return Status::Ok();
  return Status::InvalidArgument(
      "expected one of the forms in lessons/FORMAT.md, e.g. `image REF layers >= 2`, "
      "`containers ancestor=busybox count >= 2`, `container NAME diff /etc/motd C`");
}

}  // namespace

Result<std::vector<Criterion>> ParseCheck(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::NotFound(fmt::format("{}: cannot read the check", path));
  std::vector<Criterion> out;
  int number = 0;
  auto fail = [&](const std::string& what) {
    return Status::InvalidArgument(fmt::format("{}:{}: {}", path, number, what));
  };
  for (std::string line; std::getline(in, line);) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    size_t start = line.find_first_not_of(" \t");
    if (start == std::string::npos || line[start] == '#') continue;
    std::string body = line.substr(start);
    size_t colon = body.find(':');
    if (colon == std::string::npos) return fail("expected `key: value` (criterion:, expect:, hint:)");
    std::string key = body.substr(0, colon);
    std::string value = body.substr(colon + 1);
    value.erase(0, std::min(value.find_first_not_of(' '), value.size()));
    if (value.empty()) return fail(fmt::format("`{}:` needs a value", key));
    if (key == "criterion") {
      if (start != 0) return fail("`criterion:` starts at the beginning of its line");
      out.push_back(Criterion{number, value, "", "", "", {}});
      continue;
    }
    if (out.empty()) return fail(fmt::format("`{}:` before any `criterion:`", key));
    if (start == 0 && key != "criterion.fr") {
      return fail(fmt::format("`{}:` belongs to a criterion: indent it", key));
    }
    Criterion& c = out.back();
    if (key == "criterion.fr") {
      c.text_fr = value;
    } else if (key == "hint") {
      c.hint = value;
    } else if (key == "hint.fr") {
      c.hint_fr = value;
    } else if (key == "expect") {
      auto words = Words(value);
      if (!words) return fail(words.error().message());
      Status st = Validate(*words);
      if (!st.ok()) return fail(fmt::format("`{}`: {}", value, st.message()));
      c.expects.push_back(Expect{number, *words});
    } else {
      return fail(fmt::format("unknown key `{}` (expected criterion, criterion.fr, expect, hint, "
                              "hint.fr)",
                              key));
    }
  }
  for (const auto& c : out) {
    if (c.expects.empty()) {
      return Status::InvalidArgument(
          fmt::format("{}:{}: the criterion has no `expect:` line", path, c.line));
    }
  }
  if (out.empty()) return Status::InvalidArgument(fmt::format("{}: no criterion", path));
  return out;
}

namespace {

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string Rel(const std::string& path) {
  size_t i = path.find_first_not_of('/');
  return i == std::string::npos ? "" : path.substr(i);
}

// Looks `path` up in a stack of layer dirs (overlay form, top first): its host path, or "".
std::string FindFile(const std::vector<std::string>& stack, const std::string& path,
                     uint32_t* mode) {
  auto hit = FindInLowers(stack, Rel(path));
  if (!hit) return "";
  if (mode) *mode = hit->mode;
  return stack[hit->layer] + "/" + Rel(path);
}

Result<bool> FileForm(const std::vector<std::string>& stack, const std::vector<std::string>& w,
                      size_t at, std::string* observed) {
  uint32_t mode = 0;
  std::string host = FindFile(stack, w[at], &mode);
  const std::string& what = w[at + 1];
  if (what == "exists" || what == "missing") {
    *observed = host.empty() ? "missing" : "exists";
    return host.empty() == (what == "missing");
  }
  if (host.empty()) {
    *observed = "missing";
    return false;
  }
  if (what == "mode") {
    *observed = fmt::format("mode {:o}", mode & 07777);
    return (mode & 07777) == std::stoul(w[at + 2], nullptr, 8);
  }
  std::string content = ReadAll(host);
  *observed = content.size() > 60 ? content.substr(0, 60) + "…" : content;
  return content.find(w[at + 2]) != std::string::npos;
}

Result<bool> TarHas(const std::string& path, const std::string& glob, std::string* observed) {
  struct archive* a = archive_read_new();
  archive_read_support_format_all(a);
  archive_read_support_filter_all(a);
  if (archive_read_open_filename(a, path.c_str(), 10240) != ARCHIVE_OK) {
    *observed = "not a readable archive";
    archive_read_free(a);
    return false;
  }
  struct archive_entry* e;
  int entries = 0;
  bool found = false;
  while (!found && archive_read_next_header(a, &e) == ARCHIVE_OK) {
    ++entries;
    std::string name = archive_entry_pathname(e);
    if (name.rfind("./", 0) == 0) name = name.substr(2);
    found = fnmatch(glob.c_str(), name.c_str(), 0) == 0;
  }
  archive_read_free(a);
  *observed = found ? "found" : fmt::format("not among its {} entries", entries);
  return found;
}

Result<std::vector<nlohmann::json>> TraceEvents(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    return Status::NotFound(
        "no trace of a last command: the lesson must be active when the commands run "
        "(`layerlab lesson show N` makes it so); run them again");
  }
  std::vector<nlohmann::json> out;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) out.push_back(nlohmann::json::parse(line, nullptr, false));
  }
  return out;
}

bool DescendsFrom(Images* images, std::string image, const std::string& ancestor) {
  for (int guard = 0; !image.empty() && guard < 10000; ++guard) {
    if (image == ancestor) return true;
    auto img = images->Get(image);
    image = img ? img->parent : "";
  }
  return false;
}

}  // namespace

Result<bool> Evaluate(const Expect& e, CheckEnv& env, std::string* observed) {
  const auto& w = e.words;
  auto cmp = [&](int64_t value, size_t at) {
    *observed = std::to_string(value);
    return Compare(value, w[at], std::stoll(w[at + 1]));
  };
  if (w[0] == "image") {
    auto id = env.images->Resolve(w[1]);
    if (w[2] == "exists" || w[2] == "missing") {
      *observed = id ? "exists" : "missing";
      return static_cast<bool>(id) == (w[2] == "exists");
    }
    if (!id) {
      *observed = fmt::format("no image {}", w[1]);
      return false;
    }
    LL_ASSIGN_OR_RETURN(ImageRecord img, env.images->Get(*id));
    LL_ASSIGN_OR_RETURN(ImageConfig cfg, env.images->ConfigOf(*id));
    const std::string& what = w[2];
    if (what == "tags") return cmp(static_cast<int64_t>(img.tags.size()), 3);
    if (what == "layers") return cmp(static_cast<int64_t>(img.layers.size()), 3);
    if (what == "history") return cmp(static_cast<int64_t>(cfg.history.size()), 3);
    if (what == "empty-layers") {
      int64_t n = 0;
      for (const auto& h : cfg.history) n += h.empty_layer ? 1 : 0;
      return cmp(n, 3);
    }
    if (what == "same-as" || what == "parent-of") {
      auto other = env.images->Resolve(w[3]);
      if (!other) {
        *observed = fmt::format("no image {}", w[3]);
        return false;
      }
      LL_ASSIGN_OR_RETURN(ImageRecord o, env.images->Get(*other));
      *observed = fmt::format("{} and {}", img.id.substr(7, 12), o.id.substr(7, 12));
      if (what == "same-as") return img.id == o.id;
      if (o.layers.size() <= img.layers.size()) return false;
      for (size_t i = 0; i < img.layers.size(); ++i) {
        if (img.layers[i].diff_id != o.layers[i].diff_id) return false;
      }
      return true;
    }
    if (what == "repo-digest") {
      *observed = fmt::format("{} repo digest(s)", img.repo_digests.size());
      return !img.repo_digests.empty();
    }
    if (what == "cmd") {
      std::string joined;
      for (const auto& a : cfg.cmd.value_or(std::vector<std::string>{})) {
        joined += (joined.empty() ? "" : " ") + a;
      }
      *observed = joined;
      return joined.find(w[4]) != std::string::npos;
    }
    LL_ASSIGN_OR_RETURN(auto lowers, env.containers->LowerDirs(img.id));
    return FileForm(lowers, w, 3, observed);
  }
  if (w[0] == "images") {
    LL_ASSIGN_OR_RETURN(auto list, env.store->ListImages());
    if (w[1] == "count") return cmp(static_cast<int64_t>(list.size()), 2);
    int64_t dangling = 0;
    for (const auto& img : list) {
      if (!img.tags.empty()) continue;
      LL_ASSIGN_OR_RETURN(bool d, env.images->IsDangling(img));
      LL_ASSIGN_OR_RETURN(bool intermediate, env.store->IsIntermediate(img.id));
      dangling += d && !intermediate ? 1 : 0;
    }
    return cmp(dangling, 2);
  }
  if (w[0] == "containers") {
    LL_ASSIGN_OR_RETURN(auto list, env.containers->List());
    int64_t n = 0;
    for (const auto& c : list) {
      bool keep = true;
      for (size_t i = 1; i + 3 < w.size(); ++i) {
        std::string key = w[i].substr(0, w[i].find('=')), v = w[i].substr(w[i].find('=') + 1);
        if (key == "status") keep = keep && c.state == v;
        if (key == "name") keep = keep && c.name == v;
        if (key == "ancestor") {
          auto id = env.images->Resolve(v);
          keep = keep && id && DescendsFrom(env.images, c.image_id, *id);
        }
      }
      n += keep ? 1 : 0;
    }
    return cmp(n, w.size() - 2);
  }
  if (w[0] == "container") {
    auto c = env.containers->Get(w[1]);
    if (w[2] == "exists" || w[2] == "missing") {
      *observed = c ? "exists" : "missing";
      return static_cast<bool>(c) == (w[2] == "exists");
    }
    if (!c) {
      *observed = fmt::format("no container {}", w[1]);
      return false;
    }
    const std::string& what = w[2];
    if (what == "status") {
      *observed = c->state;
      return c->state == w[3];
    }
    if (what == "exit-code") return cmp(c->exit_code, 3);
    if (what == "size") {
      LL_ASSIGN_OR_RETURN(int64_t size, env.containers->WritableSize(*c));
      return cmp(size, 3);
    }
    if (what == "diff" || what == "diff-count") {
      LL_ASSIGN_OR_RETURN(auto changes, env.containers->Diff(*c));
      if (what == "diff-count") return cmp(static_cast<int64_t>(changes.size()), 3);
      *observed = "not in diff";
      for (const auto& ch : changes) {
        if (ch.path != Rel(w[3])) continue;
        *observed = std::string(1, ChangeLetter(ch.kind));
        return *observed == w[4];
      }
      return false;
    }
    std::vector<std::string> stack = {env.containers->WritableDir(*c)};
    if (c->driver == StorageDriver::kOverlay) {
      LL_ASSIGN_OR_RETURN(auto lowers, env.containers->LowerDirs(c->image_id));
      stack.insert(stack.end(), lowers.begin(), lowers.end());
    }
    return FileForm(stack, w, 3, observed);
  }
  if (w[0] == "trace") {
    std::string verb = "command", subject;
    for (size_t i = 2; i + 3 < w.size(); ++i) {
      if (w[i].rfind("verb=", 0) == 0) verb = w[i].substr(5);
      if (w[i].rfind("subject~", 0) == 0) subject = w[i].substr(8);
    }
    LL_ASSIGN_OR_RETURN(auto events, TraceEvents(env.trace_dir + "/last-" + verb + ".jsonl"));
    int64_t n = 0;
    for (const auto& ev : events) {
      if (!ev.is_object() || ev.value("kind", "") != w[1]) continue;
      n += ev.value("subject", "").find(subject) != std::string::npos ? 1 : 0;
    }
    return cmp(n, w.size() - 2);
  }
  if (w[0] == "file") {
    std::string path = std::filesystem::path(env.cwd) / w[1];
    if (w[2] == "tar-has") return TarHas(path, w[3], observed);
    struct stat st;
    bool exists = ::lstat(path.c_str(), &st) == 0;
    *observed = exists ? "exists" : "missing";
    return exists == (w[2] == "exists");
  }
  // build-cache count OP N
  LL_ASSIGN_OR_RETURN(auto list, env.store->ListImages());
  LL_ASSIGN_OR_RETURN(auto rows, env.store->BuildCacheOf(""));
  int64_t n = static_cast<int64_t>(rows.size());
  for (const auto& img : list) {
    LL_ASSIGN_OR_RETURN(auto r, env.store->BuildCacheOf(img.id));
    n += static_cast<int64_t>(r.size());
  }
  return cmp(n, 2);
}

}  // namespace layerlab::lesson
