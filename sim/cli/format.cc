// Docker's size, time and table formatting, ported from go-units and text/tabwriter.
#include "cli/format.h"

#include <ctime>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace layerlab::cli {

std::string HumanDuration(int64_t seconds) {
  if (seconds < 1) return "Less than a second";
  if (seconds == 1) return "1 second";
  if (seconds < 60) return fmt::format("{} seconds", seconds);
  int64_t minutes = seconds / 60;
  if (minutes == 1) return "About a minute";
  if (minutes < 60) return fmt::format("{} minutes", minutes);
  int64_t hours = static_cast<int64_t>(static_cast<double>(seconds) / 3600.0 + 0.5);
  if (hours == 1) return "About an hour";
  if (hours < 48) return fmt::format("{} hours", hours);
  if (hours < 24 * 7 * 2) return fmt::format("{} days", hours / 24);
  if (hours < 24 * 30 * 2) return fmt::format("{} weeks", hours / 24 / 7);
  if (hours < 24 * 365 * 2) return fmt::format("{} months", hours / 24 / 30);
  return fmt::format("{} years", seconds / 3600 / 24 / 365);
}

std::string Ago(int64_t t, int64_t now) { return HumanDuration(now - t) + " ago"; }

std::string GoTime(int64_t t) {
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02} +0000 UTC", tm.tm_year + 1900,
                     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static size_t Utf8Len(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

std::string Ellipsis(const std::string& s, size_t max) {
  if (Utf8Len(s) <= max) return s;
  std::string out;
  size_t chars = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if ((c & 0xC0) != 0x80) {
      if (chars == max - 1) break;
      ++chars;
    }
    out.push_back(s[i]);
  }
  return out + "…";
}

std::string Table::Render() const {
  // tabwriter(minwidth 10, tabwidth 1, padding 3): a column is as wide as its widest cell plus
  // 3, at least 10; the last cell of a row is not padded.
  std::vector<size_t> widths;
  for (const auto& row : rows_) {
    for (size_t i = 0; i + 1 < row.size(); ++i) {
      if (widths.size() <= i) widths.resize(i + 1, 0);
      widths[i] = std::max(widths[i], std::max<size_t>(Utf8Len(row[i]) + 3, 10));
    }
  }
  std::string out;
  for (const auto& row : rows_) {
    for (size_t i = 0; i < row.size(); ++i) {
      out += row[i];
      if (i + 1 < row.size()) out.append(widths[i] - Utf8Len(row[i]), ' ');
    }
    out.push_back('\n');
  }
  return out;
}

Template::Template(std::string format) : text_(std::move(format)) {
  if (text_ == "json") {
    json_ = true;
  } else if (text_.rfind("table", 0) == 0) {
    table_ = true;
    text_ = text_.substr(5);
    if (!text_.empty() && text_[0] == ' ') text_ = text_.substr(1);
  }
  // Docker's templates take "\t" and "\n" as typed on a shell command line.
  std::string unescaped;
  for (size_t i = 0; i < text_.size(); ++i) {
    if (text_[i] == '\\' && i + 1 < text_.size() && (text_[i + 1] == 't' || text_[i + 1] == 'n')) {
      unescaped.push_back(text_[i + 1] == 't' ? '\t' : '\n');
      ++i;
    } else {
      unescaped.push_back(text_[i]);
    }
  }
  text_ = unescaped;
}

static std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(' '), e = s.find_last_not_of(' ');
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

std::string Template::Render(const std::map<std::string, std::string>& fields,
                             std::string* error) const {
  if (json_) return JsonObject(fields);
  std::string out;
  size_t pos = 0;
  while (pos < text_.size()) {
    size_t open = text_.find("{{", pos);
    if (open == std::string::npos) {
      out += text_.substr(pos);
      break;
    }
    out += text_.substr(pos, open - pos);
    size_t close = text_.find("}}", open);
    if (close == std::string::npos) {
      *error = fmt::format("template parsing error: unclosed action in `{}`", text_);
      return {};
    }
    std::string action = Trim(text_.substr(open + 2, close - open - 2));
    if (action == "json .") {
      out += JsonObject(fields);
    } else if (action.size() > 1 && action[0] == '.') {
      auto it = fields.find(action.substr(1));
      if (it == fields.end()) {
        *error = fmt::format("template: can't evaluate field {}", action.substr(1));
        return {};
      }
      out += it->second;
    } else {
      *error = fmt::format("template: unsupported action `{{{{{}}}}}`", action);
      return {};
    }
    pos = close + 2;
  }
  return out;
}

std::string Template::Header(const std::map<std::string, std::string>& headers) const {
  std::string out;
  size_t pos = 0;
  while (pos < text_.size()) {
    size_t open = text_.find("{{", pos);
    if (open == std::string::npos) {
      out += text_.substr(pos);
      break;
    }
    out += text_.substr(pos, open - pos);
    size_t close = text_.find("}}", open);
    if (close == std::string::npos) break;
    std::string action = Trim(text_.substr(open + 2, close - open - 2));
    std::string field = action.size() > 1 && action[0] == '.' ? action.substr(1) : action;
    auto it = headers.find(field);
    out += it != headers.end() ? it->second : field;
    pos = close + 2;
  }
  return out;
}

std::string JsonObject(const std::map<std::string, std::string>& fields) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [k, v] : fields) j[k] = v;
  // Go's encoder escapes <, > and & for HTML safety; Docker's `--format json` shows that.
  std::string out;
  for (char c : j.dump()) {
    if (c == '<') out += "\\u003c";
    else if (c == '>') out += "\\u003e";
    else if (c == '&') out += "\\u0026";
    else out.push_back(c);
  }
  return out;
}

}  // namespace layerlab::cli

namespace layerlab::cli {

namespace {

// Go's fmt of a decoded JSON value, as text/template prints it.
std::string GoText(const nlohmann::json& v) {
  if (v.is_null()) return "<no value>";
  if (v.is_string()) return v.get<std::string>();
  if (v.is_array()) {
    std::string out = "[";
    for (size_t i = 0; i < v.size(); ++i) out += (i ? " " : "") + GoText(v[i]);
    return out + "]";
  }
  if (v.is_object()) {
    std::map<std::string, std::string> sorted;
    for (auto it = v.begin(); it != v.end(); ++it) sorted[it.key()] = GoText(it.value());
    std::string out = "map[";
    bool first = true;
    for (const auto& [k, x] : sorted) {
      out += (first ? "" : " ") + k + ":" + x;
      first = false;
    }
    return out + "]";
  }
  return v.dump();
}

// `.`, `.A.B`: a value of the object, or null when a field is missing (Go: <no value>).
bool Lookup(const nlohmann::json& root, const std::string& path, nlohmann::json* out) {
  if (path.empty() || path[0] != '.') return false;
  const nlohmann::json* cur = &root;
  size_t pos = 1;
  while (pos < path.size()) {
    size_t dot = path.find('.', pos);
    std::string field = path.substr(pos, dot == std::string::npos ? std::string::npos : dot - pos);
    if (field.empty()) return false;
    static const nlohmann::json kNull;
    cur = cur->is_object() && cur->contains(field) ? &(*cur)[field] : &kNull;
    pos = dot == std::string::npos ? path.size() : dot + 1;
  }
  *out = *cur;
  return true;
}

std::vector<std::string> ActionWords(const std::string& action) {
  std::vector<std::string> words;
  for (size_t i = 0; i < action.size();) {
    if (action[i] == ' ') {
      ++i;
    } else if (action[i] == '"') {
      size_t end = action.find('"', i + 1);
      words.push_back(action.substr(i, end == std::string::npos ? std::string::npos : end - i + 1));
      i = end == std::string::npos ? action.size() : end + 1;
    } else {
      size_t end = action.find(' ', i);
      words.push_back(action.substr(i, end == std::string::npos ? std::string::npos : end - i));
      i = end == std::string::npos ? action.size() : end;
    }
  }
  return words;
}

}  // namespace

std::string RenderInspectTemplate(const std::string& tmpl, const nlohmann::json& object,
                                  std::string* error) {
  std::string out;
  for (size_t pos = 0; pos < tmpl.size();) {
    size_t open = tmpl.find("{{", pos);
    if (open == std::string::npos) {
      out += tmpl.substr(pos);
      break;
    }
    out += tmpl.substr(pos, open - pos);
    size_t close = tmpl.find("}}", open);
    if (close == std::string::npos) {
      *error = fmt::format("template parsing error: unclosed action in `{}`", tmpl);
      return {};
    }
    std::string action = Trim(tmpl.substr(open + 2, close - open - 2));
    std::vector<std::string> w = ActionWords(action);
    nlohmann::json value;
    auto bad = [&](const std::string& why) {
      *error = fmt::format("template: {{{{{}}}}}: {}", action, why);
      return std::string();
    };
    if (w.empty()) return bad("empty action");
    if (w.size() == 1) {
      if (!Lookup(object, w[0], &value)) return bad("expected a field such as .State.Status");
      out += GoText(value);
    } else if (w[0] == "json" && w.size() == 2) {
      if (!Lookup(object, w[1], &value)) return bad("expected json .Field");
      out += value.dump();
    } else if (w[0] == "len" && w.size() == 2) {
      if (!Lookup(object, w[1], &value)) return bad("expected len .Field");
      if (!value.is_array() && !value.is_object() && !value.is_string()) {
        return bad("len of a value that has no length");
      }
      out += std::to_string(value.is_string() ? value.get<std::string>().size() : value.size());
    } else if (w[0] == "index" && w.size() >= 3) {
      if (!Lookup(object, w[1], &value)) return bad("expected index .Field KEY");
      for (size_t i = 2; i < w.size(); ++i) {
        const std::string& key = w[i];
        if (key.size() >= 2 && key.front() == '"' && key.back() == '"' && value.is_object()) {
          std::string k = key.substr(1, key.size() - 2);
          value = value.contains(k) ? value[k] : nlohmann::json();
        } else if (!key.empty() && key.find_first_not_of("0123456789") == std::string::npos &&
                   value.is_array()) {
          size_t n = std::stoul(key);
          if (n >= value.size()) return bad(fmt::format("index out of range: {}", n));
          value = value[n];
        } else {
          return bad(fmt::format("cannot index with {}", key));
        }
      }
      out += GoText(value);
    } else {
      return bad("unsupported (layerlab knows .Field, json, index and len)");
    }
    pos = close + 2;
  }
  return out;
}

}  // namespace layerlab::cli
