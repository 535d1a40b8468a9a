// The Dockerfile parser: lines -> directives, comments, continuations, heredocs -> one node per
// instruction, then each instruction's own checks (argument counts, flags) with BuildKit's
// messages, reported at the instruction's line with a caret.
#include <fmt/format.h>

#include <algorithm>
#include <regex>
#include <set>

#include "build/dockerfile_words.h"
#include "layerlab/dockerfile.h"
#include "layerlab/shell_lex.h"

namespace layerlab {

using build::ExtractBuilderFlags;
using build::ParseJsonArray;
using build::ParseWords;
using build::SplitWhitespace;
using build::TrimLeft;
using build::TrimSpace;

const std::vector<std::string>& DockerfileInstructions() {
  static const std::vector<std::string> k = {
      "ADD",     "ARG",     "CMD",   "COPY",       "ENTRYPOINT", "ENV",   "EXPOSE",  "FROM",
      "HEALTHCHECK", "LABEL", "MAINTAINER", "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER",
      "VOLUME",  "WORKDIR"};
  return k;
}

std::string ChompHeredoc(std::string_view content) {
  std::string out;
  size_t i = 0;
  while (i < content.size()) {
    while (i < content.size() && content[i] == '\t') ++i;
    size_t nl = content.find('\n', i);
    size_t end = nl == std::string_view::npos ? content.size() : nl + 1;
    out.append(content.substr(i, end - i));
    i = end;
  }
  return out;
}

std::string DockerfileError(const Dockerfile& df, int line, int column, int length,
                            const std::string& message) {
  std::string out = fmt::format("{}:{}: {}", df.filename, line, message);
  if (line < 1 || line > static_cast<int>(df.lines.size())) return out;
  std::string num = std::to_string(line);
  out += fmt::format("\n {} | {}", num, df.lines[static_cast<size_t>(line - 1)]);
  out += fmt::format("\n {} | {}{}", std::string(num.size(), ' '),
                     std::string(static_cast<size_t>(std::max(column, 0)), ' '),
                     std::string(static_cast<size_t>(std::max(length, 1)), '^'));
  return out;
}

namespace {

// A failure inside one instruction, located later at that instruction's line.
struct NodeError {
  std::string message;
};

std::string Lower(std::string_view s) {
  std::string r(s);
  for (char& c : r) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return r;
}

std::string Upper(std::string_view s) {
  std::string r(s);
  for (char& c : r) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return r;
}

bool IsComment(std::string_view line) {
  line = TrimLeft(line);
  return !line.empty() && line[0] == '#';
}

// ENV and LABEL: `K=V K2="V 2"` or the legacy `K V`.
Result<std::vector<KeyValue>> ParseNameVal(const std::string& rest, const std::string& key,
                                           char escape) {
  std::vector<KeyValue> out;
  if (rest.empty()) return out;
  std::vector<std::string> words = ParseWords(rest, escape);
  if (words.empty()) return out;
  if (words[0].find('=') == std::string::npos) {
    std::vector<std::string> parts = SplitWhitespace(rest, 2);
    if (parts.size() < 2) {
      return Status::InvalidArgument(fmt::format("{} must have two arguments", key));
    }
    out.push_back({parts[0], parts[1], false});
    return out;
  }
  for (const auto& w : words) {
    size_t eq = w.find('=');
    if (eq == std::string::npos) {
      return Status::InvalidArgument(fmt::format(
          "Syntax error - can't find = in \"{}\". Must be of the form: name=value", w));
    }
    out.push_back({w.substr(0, eq), w.substr(eq + 1), true});
  }
  return out;
}

// A heredoc word (`<<EOF`, `<<-"EOF"`, `3<<EOF`), BuildKit's parseHeredoc.
Result<std::optional<Heredoc>> ParseHeredocWord(const std::string& word) {
  static const std::regex kRe(R"(^(\d*)<<(-?)([^<]*)$)");
  std::smatch m;
  if (!std::regex_match(word, m, kRe)) return std::optional<Heredoc>();
  std::string rest = m[3];
  if (rest.empty()) return std::optional<Heredoc>();
  // Parse the delimiter with and without quote removal: if they differ, part of it was quoted,
  // and the content is not expanded.
  ShellEnv empty;
  ShellLexOptions opts;
  opts.skip_unset_env = true;
  LL_ASSIGN_OR_RETURN(std::vector<std::string> words, ShellLex('\\', opts).ProcessWords(rest, empty));
  if (words.size() != 1) return std::optional<Heredoc>();
  opts.raw_quotes = true;
  LL_ASSIGN_OR_RETURN(std::vector<std::string> raw, ShellLex('\\', opts).ProcessWords(rest, empty));
  if (raw.size() != 1) {
    return Status::InvalidArgument("internal lexing of heredoc produced inconsistent results: " +
                                   rest);
  }
  auto quotes = [](const std::string& s) {
    return std::count(s.begin(), s.end(), '\'') + std::count(s.begin(), s.end(), '"');
  };
  Heredoc h;
  h.name = words[0];
  h.expand = quotes(words[0]) == quotes(raw[0]);
  h.chomp = m[2] == "-";
  h.fd = m[1].length() > 0 ? static_cast<unsigned>(std::stoul(m[1])) : 0;
  return std::optional<Heredoc>(std::move(h));
}

Result<std::vector<Heredoc>> HeredocsFromLine(const std::string& line) {
  ShellLexOptions opts;
  opts.raw_quotes = true;
  opts.raw_escapes = true;
  opts.skip_unset_env = true;
  auto lexed = ShellLex('\\', opts).ProcessWords(line, ShellEnv{});
  std::vector<Heredoc> docs;
  if (!lexed.has_value()) return docs;  // BuildKit ignores lexing errors here
  // BuildKit's lexer keeps the blanks after `<<` in the word: `<<  EOF` is one heredoc word.
  static const std::regex kBare(R"(^\d*<<-?$)");
  std::vector<std::string> words;
  for (size_t i = 0; i < lexed->size(); ++i) {
    if (std::regex_match((*lexed)[i], kBare) && i + 1 < lexed->size()) {
      words.push_back((*lexed)[i] + (*lexed)[i + 1]);
      ++i;
    } else {
      words.push_back((*lexed)[i]);
    }
  }
  for (const auto& w : words) {
    LL_ASSIGN_OR_RETURN(std::optional<Heredoc> h, ParseHeredocWord(w));
    if (h) docs.push_back(std::move(*h));
  }
  return docs;
}

enum class FlagKind { kString, kBool, kSlice };

// The flags each instruction takes (BuildKit's BFlags per instruction).
const std::map<std::string, FlagKind>& FlagsOf(const std::string& kw) {
  using K = FlagKind;
  static const std::map<std::string, std::map<std::string, FlagKind>> k = {
      {"from", {{"platform", K::kString}}},
      {"copy",
       {{"from", K::kString}, {"chown", K::kString}, {"chmod", K::kString}, {"link", K::kBool},
        {"parents", K::kBool}, {"exclude", K::kSlice}}},
      {"add",
       {{"chown", K::kString}, {"chmod", K::kString}, {"link", K::kBool},
        {"keep-git-dir", K::kBool}, {"checksum", K::kString}, {"exclude", K::kSlice}}},
      {"run", {{"mount", K::kSlice}, {"network", K::kString}, {"security", K::kString}}},
      {"healthcheck",
       {{"interval", K::kString}, {"timeout", K::kString}, {"start-period", K::kString},
        {"start-interval", K::kString}, {"retries", K::kString}}},
  };
  static const std::map<std::string, FlagKind> none;
  auto it = k.find(kw);
  return it == k.end() ? none : it->second;
}

// bflag.go's checks: known, not repeated, with a value when one is needed, booleans boolean.
Status CheckFlags(const DockerfileNode& n) {
  const auto& spec = FlagsOf(n.keyword);
  std::set<std::string> seen;
  for (const auto& f : n.flags) {
    size_t eq = f.find('=');
    std::string name = f.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
    auto it = spec.find(name);
    if (it == spec.end()) {
      std::vector<std::string> names;
      for (const auto& [k, v] : spec) names.push_back(k);
      std::string hint = build::Suggest(name, names);
      return Status::InvalidArgument(
          fmt::format("unknown flag: --{}{}", name,
                      hint.empty() ? "" : fmt::format(" (did you mean {}?)", hint)));
    }
    if (it->second != FlagKind::kSlice && !seen.insert(name).second) {
      return Status::InvalidArgument(fmt::format("duplicate flag specified: --{}", name));
    }
    std::string value = eq == std::string::npos ? "" : f.substr(eq + 1);
    if (it->second == FlagKind::kBool) {
      if (eq != std::string::npos && value.empty()) {
        return Status::InvalidArgument(fmt::format("missing a value on flag: --{}", name));
      }
      std::string l = value;
      for (char& c : l) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (eq != std::string::npos && l != "true" && l != "false") {
        return Status::InvalidArgument(
            fmt::format("expecting boolean value for flag --{}, not: {}", name, value));
      }
    } else if (eq == std::string::npos) {
      return Status::InvalidArgument(fmt::format("missing a value on flag: --{}", name));
    }
  }
  if (n.keyword == "healthcheck") {
    for (const auto& f : n.flags) {
      if (f.rfind("--retries=", 0) != 0) continue;
      long r = std::strtol(f.c_str() + 10, nullptr, 10);
      if (r < 1) {
        return Status::InvalidArgument(fmt::format("--retries must be at least 1 (not {})", r));
      }
    }
  }
  return Status::Ok();
}

// Splits one instruction's text into a node and checks it (newNodeFromLine + the checks BuildKit
// does when it turns nodes into instructions).
Result<DockerfileNode> NodeFromLine(const std::string& line, char escape, bool nested) {
  DockerfileNode n;
  n.original = line;
  std::vector<std::string> cmdline = SplitWhitespace(line, 2);
  std::string written = cmdline.empty() ? "" : cmdline[0];
  n.keyword = Lower(written);
  std::string rest;
  if (cmdline.size() == 2) {
    build::SplitFlags sf = ExtractBuilderFlags(cmdline[1]);
    n.flags = std::move(sf.flags);
    rest = std::string(TrimSpace(sf.rest));
  }
  const auto& known = DockerfileInstructions();
  if (std::find(known.begin(), known.end(), Upper(written)) == known.end()) {
    std::string hint = build::Suggest(written, known);
    // The suggestion takes the case the instruction was written in ("runn" -> "run").
    if (!written.empty() && std::islower(static_cast<unsigned char>(written[0]))) hint = Lower(hint);
    return Status::InvalidArgument(
        fmt::format("unknown instruction: {}{}", written,
                    hint.empty() ? "" : fmt::format(" (did you mean {}?)", hint)));
  }
  const std::string KW = Upper(n.keyword);
  auto at_least = [&](size_t count) -> Status {
    if (n.args.size() >= count) return Status::Ok();
    return Status::InvalidArgument(fmt::format("{} requires at least one argument", KW));
  };
  const std::string& kw = n.keyword;
  if (kw == "run" || kw == "cmd" || kw == "entrypoint" || kw == "shell") {
    LL_ASSIGN_OR_RETURN(auto json, ParseJsonArray(rest));
    if (json) {
      n.json = true;
      n.args = std::move(*json);
    } else if (!rest.empty()) {
      n.args = {rest};
    }
    if (kw == "shell") LL_RETURN_IF_ERROR(at_least(1));
    if (kw == "shell" && !n.json) {
      return Status::InvalidArgument("SHELL requires the arguments to be in JSON form");
    }
  } else if (kw == "copy" || kw == "add" || kw == "volume") {
    LL_ASSIGN_OR_RETURN(auto json, ParseJsonArray(rest));
    if (json) {
      n.json = true;
      n.args = std::move(*json);
    } else {
      n.args = SplitWhitespace(rest);
    }
    if (kw == "volume") {
      LL_RETURN_IF_ERROR(at_least(1));
      for (const auto& v : n.args) {
        if (TrimSpace(v).empty()) {
          return Status::InvalidArgument("VOLUME specified can not be an empty string");
        }
      }
    }
  } else if (kw == "from" || kw == "expose") {
    n.args = SplitWhitespace(rest);
    if (kw == "expose") LL_RETURN_IF_ERROR(at_least(1));
    if (kw == "from") {
      bool ok = n.args.size() == 1 || (n.args.size() == 3 && Lower(n.args[1]) == "as");
      if (!ok) return Status::InvalidArgument("FROM requires either one or three arguments");
      static const std::regex kStage(R"(^[a-z][a-z0-9\-_\.]*$)");
      if (n.args.size() == 3 && !std::regex_match(Lower(n.args[2]), kStage)) {
        return Status::InvalidArgument(fmt::format(
            "invalid name for build stage: \"{}\", name can't start with a number or contain "
            "symbols",
            n.args[2]));
      }
    }
  } else if (kw == "arg") {
    n.args = ParseWords(rest, escape);
    LL_RETURN_IF_ERROR(at_least(1));
    for (const auto& w : n.args) {
      if (w.empty() || w[0] == '=') return Status::InvalidArgument("ARG names can not be blank");
    }
  } else if (kw == "env" || kw == "label") {
    LL_ASSIGN_OR_RETURN(n.key_values, ParseNameVal(rest, KW, escape));
    if (n.key_values.empty()) {
      return Status::InvalidArgument(fmt::format("{} requires at least one argument", KW));
    }
    for (const auto& kv : n.key_values) {
      if (kv.key.empty()) return Status::InvalidArgument(fmt::format("{} names can not be blank", KW));
    }
  } else if (kw == "onbuild") {
    if (TrimSpace(rest).empty()) {
      return Status::InvalidArgument("ONBUILD requires at least one argument");
    }
    std::string trig = Upper(SplitWhitespace(rest, 2)[0]);
    if (trig == "ONBUILD") {
      return Status::InvalidArgument("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
    }
    if (trig == "FROM" || trig == "MAINTAINER") {
      return Status::InvalidArgument(fmt::format("{} isn't allowed as an ONBUILD trigger", trig));
    }
    // The trigger is checked when a child image builds; here it only has to split.
    auto sub = NodeFromLine(rest, escape, true);
    if (!sub.has_value()) {
      DockerfileNode raw;
      raw.keyword = Lower(SplitWhitespace(rest, 2)[0]);
      raw.original = rest;
      std::vector<std::string> parts = SplitWhitespace(rest, 2);
      if (parts.size() == 2) raw.args = {parts[1]};
      n.trigger = std::make_shared<DockerfileNode>(std::move(raw));
    } else {
      n.trigger = std::make_shared<DockerfileNode>(std::move(*sub));
    }
  } else if (kw == "healthcheck") {
    std::vector<std::string> parts = SplitWhitespace(rest, 2);
    if (parts.empty()) return Status::InvalidArgument("HEALTHCHECK requires at least one argument");
    std::string type = Upper(parts[0]);
    if (type == "NONE") {
      if (parts.size() > 1) return Status::InvalidArgument("HEALTHCHECK NONE takes no arguments");
      n.args = {"NONE"};
    } else if (type == "CMD") {
      if (parts.size() < 2) return Status::InvalidArgument("Missing command after HEALTHCHECK CMD");
      LL_ASSIGN_OR_RETURN(auto json, ParseJsonArray(parts[1]));
      n.args = {"CMD"};
      if (json) {
        n.json = true;
        n.args.insert(n.args.end(), json->begin(), json->end());
      } else {
        n.args.push_back(parts[1]);
      }
    } else {
      return Status::InvalidArgument(
          fmt::format("Unknown type \"{}\" in HEALTHCHECK (try CMD)", type));
    }
  } else {  // maintainer, stopsignal, user, workdir: one string
    if (!rest.empty()) n.args = {rest};
    if (n.args.empty()) {
      return Status::InvalidArgument(fmt::format("{} requires exactly one argument", KW));
    }
  }
  (void)nested;  // COPY/ADD argument counts are checked once heredocs are known
  return n;
}

Status CheckCopyArgs(const DockerfileNode& n) {
  if (n.keyword != "copy" && n.keyword != "add") return Status::Ok();
  if (n.args.size() >= 2) {
    const std::string& dest = n.args.back();
    for (const auto& h : n.heredocs) {
      if (dest.rfind("<<", 0) == 0 && dest.find(h.name) != std::string::npos) {
        return Status::InvalidArgument(fmt::format("{} cannot accept a heredoc as a destination",
                                                   Upper(n.keyword)));
      }
    }
    return Status::Ok();
  }
  std::string KW = Upper(n.keyword);
  if (n.args.size() == 1 && !n.heredocs.empty() && n.args[0].rfind("<<", 0) != 0) {
    return Status::Ok();
  }
  return Status::InvalidArgument(fmt::format(
      "{} requires at least two arguments, but only one was provided. Destination could not be "
      "determined",
      KW));
}

struct Directives {
  bool done = false;
  std::set<std::string> seen;
};

// One physical line seen by the directive parser (only at the top of the file).
Status PossibleDirective(Directives* d, std::string_view line, Dockerfile* df) {
  if (d->done) return Status::Ok();
  static const std::regex kRe(R"(^#[ \t]*([a-zA-Z][a-zA-Z0-9]*)[ \t]*=[ \t]*(.+?)[ \t]*$)");
  std::string s(line);
  std::smatch m;
  if (!std::regex_match(s, m, kRe)) {
    d->done = true;
    return Status::Ok();
  }
  std::string key = Lower(m[1].str());
  if (key != "syntax" && key != "escape" && key != "check") {
    d->done = true;
    return Status::Ok();
  }
  if (d->seen.count(key)) {
    return Status::InvalidArgument(fmt::format("only one {} parser directive can be used", key));
  }
  d->seen.insert(key);
  std::string value = m[2];
  if (key == "escape") {
    if (value != "`" && value != "\\") {
      return Status::InvalidArgument(
          fmt::format("invalid escape token '{}' does not match ` or \\", value));
    }
    df->escape = value[0];
  }
  df->directives[key] = value;
  return Status::Ok();
}

std::string TrimNewline(std::string_view s) {
  if (!s.empty() && s.back() == '\r') s.remove_suffix(1);
  return std::string(s);
}

// Removes a trailing escape character (and blanks after it). Returns true when the line ends
// the instruction.
bool TrimContinuation(std::string* line, char escape) {
  size_t end = line->size();
  while (end > 0 && ((*line)[end - 1] == ' ' || (*line)[end - 1] == '\t')) --end;
  // An escape escaped by another one does not continue the line (`([^\\])\\[ \t]*$`).
  if (end > 0 && (*line)[end - 1] == escape && (end == 1 || (*line)[end - 2] != escape)) {
    line->resize(end - 1);
    return false;
  }
  return true;
}

}  // namespace

Result<Dockerfile> ParseDockerfile(std::string_view content, const std::string& filename) {
  Dockerfile df;
  df.filename = filename;
  if (content.size() >= 3 && content.substr(0, 3) == "\xEF\xBB\xBF") content.remove_prefix(3);
  {
    size_t i = 0;
    while (i <= content.size()) {
      size_t nl = content.find('\n', i);
      if (nl == std::string_view::npos) {
        if (i < content.size()) df.lines.push_back(TrimNewline(content.substr(i)));
        break;
      }
      df.lines.push_back(TrimNewline(content.substr(i, nl - i)));
      i = nl + 1;
    }
  }
  if (content.empty()) {
    return Status::InvalidArgument(fmt::format("{}: the Dockerfile cannot be empty", filename));
  }
  // Heredoc bodies keep their bytes, line endings included.
  std::vector<std::string> raw_lines;
  {
    size_t i = 0;
    while (i < content.size()) {
      size_t nl = content.find('\n', i);
      if (nl == std::string_view::npos) {
        raw_lines.emplace_back(content.substr(i));
        break;
      }
      raw_lines.emplace_back(content.substr(i, nl - i));
      i = nl + 1;
    }
  }
  Directives dirs;
  const size_t total = df.lines.size();
  size_t idx = 0;  // next line to read
  auto fail = [&](int line, const std::string& msg, int col = -1, int len = 1) {
    if (col < 0) {
      const std::string& text = df.lines[static_cast<size_t>(line - 1)];
      col = static_cast<int>(text.size() - TrimLeft(text).size());
      std::string_view word = TrimLeft(text);
      size_t w = 0;
      while (w < word.size() && !build::IsSpace(word[w])) ++w;
      len = static_cast<int>(w);
    }
    return Status::InvalidArgument(DockerfileError(df, line, col, len, msg));
  };
  while (idx < total) {
    const std::string& raw = df.lines[idx++];
    int line_no = static_cast<int>(idx);
    Status st = PossibleDirective(&dirs, TrimLeft(raw), &df);
    if (!st.ok()) return fail(line_no, st.message(), 0, static_cast<int>(raw.size()));
    if (IsComment(raw)) continue;
    std::string line(TrimLeft(raw));
    int start = line_no;
    bool end_of_line = TrimContinuation(&line, df.escape);
    if (end_of_line && line.empty()) continue;
    bool empty_continuation = false;
    while (!end_of_line && idx < total) {
      const std::string& next = df.lines[idx++];
      dirs.done = true;
      if (IsComment(next)) continue;
      if (TrimLeft(next).empty()) {
        empty_continuation = true;
        continue;
      }
      std::string cont = next;
      end_of_line = TrimContinuation(&cont, df.escape);
      line += cont;
    }
    if (empty_continuation) {
      df.warnings.push_back(fmt::format("{}:{}: Empty continuation line found in: {}", filename,
                                        idx, line));
    }
    if (TrimSpace(line).empty()) continue;
    auto node = NodeFromLine(line, df.escape, false);
    if (!node.has_value()) return fail(start, node.error().message());
    node->start_line = start;
    DockerfileNode* target = node->trigger ? node->trigger.get() : &*node;
    bool can_heredoc = target->keyword == "run" || target->keyword == "copy" ||
                       target->keyword == "add";
    if (can_heredoc && line.find("<<") != std::string::npos) {
      auto docs = HeredocsFromLine(line);
      if (!docs.has_value()) return fail(start, docs.error().message());
      for (auto& h : *docs) {
        bool terminated = false;
        while (idx < total) {
          const std::string& body = df.lines[idx++];
          std::string_view candidate = body;
          if (h.chomp) {
            while (!candidate.empty() && candidate[0] == '\t') candidate.remove_prefix(1);
          }
          if (candidate == h.name) {
            terminated = true;
            break;
          }
          h.content += raw_lines[idx - 1] + "\n";
        }
        if (!terminated) return fail(start, "unterminated heredoc");
        target->heredocs.push_back(std::move(h));
      }
    }
    Status copy_st = node->trigger ? Status::Ok() : CheckCopyArgs(*target);
    if (copy_st.ok()) copy_st = CheckFlags(*node);
    if (!copy_st.ok()) return fail(start, copy_st.message());
    node->end_line = static_cast<int>(idx);
    if (node->trigger) {
      node->trigger->start_line = node->start_line;
      node->trigger->end_line = node->end_line;
    }
    df.nodes.push_back(std::move(*node));
  }
  if (df.nodes.empty()) {
    return Status::InvalidArgument(fmt::format("{}: file with no instructions", filename));
  }
  return df;
}

}  // namespace layerlab
