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
