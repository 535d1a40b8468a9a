// Word splitting as BuildKit's parser does it (frontend/dockerfile/parser: extractBuilderFlags,
// parseWords, parseJSON), byte for byte, so `dockerfile parse` agrees with BuildKit.
#include "build/dockerfile_words.h"

#include <algorithm>
#include <cctype>

#include <nlohmann/json.hpp>

namespace layerlab::build {

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

std::string_view TrimLeft(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && IsSpace(s[i])) ++i;
  return s.substr(i);
}

std::string_view TrimSpace(std::string_view s) {
  s = TrimLeft(s);
  size_t n = s.size();
  while (n > 0 && IsSpace(s[n - 1])) --n;
  return s.substr(0, n);
}

std::vector<std::string> SplitWhitespace(std::string_view s, int max_parts) {
  std::vector<std::string> out;
  s = TrimSpace(s);
  if (s.empty()) return out;
  size_t i = 0;
  while (i < s.size()) {
    if (max_parts > 0 && static_cast<int>(out.size()) == max_parts - 1) {
      out.emplace_back(s.substr(i));
      break;
    }
    size_t j = i;
    while (j < s.size() && !IsSpace(s[j])) ++j;
    out.emplace_back(s.substr(i, j - i));
    while (j < s.size() && IsSpace(s[j])) ++j;
    i = j;
  }
  return out;
}

SplitFlags ExtractBuilderFlags(std::string_view line) {
  enum { kSpaces, kWord, kQuote } phase = kSpaces;
  SplitFlags out;
  std::string word;
  char quote = 0;
  bool blank_ok = false;
  for (size_t pos = 0; pos <= line.size(); ++pos) {
    char ch = pos < line.size() ? line[pos] : 0;
    if (phase == kSpaces) {
      if (pos == line.size()) break;
      if (IsSpace(ch)) continue;
      // Only words starting with "--" are flags; the first other word starts the arguments.
      if (ch != '-' || pos + 1 == line.size() || line[pos + 1] != '-') {
        out.rest = std::string(line.substr(pos));
        return out;
      }
      phase = kWord;
    }
    if (pos == line.size()) {
      if (word != "--" && (blank_ok || !word.empty())) out.flags.push_back(word);
      break;
    }
    if (phase == kWord) {
      if (IsSpace(ch)) {
        phase = kSpaces;
        if (word == "--") {
          out.rest = std::string(line.substr(pos));
          return out;
        }
        if (blank_ok || !word.empty()) out.flags.push_back(word);
        word.clear();
        blank_ok = false;
        continue;
      }
      if (ch == '\'' || ch == '"') {
        quote = ch;
        blank_ok = true;
        phase = kQuote;
        continue;
      }
      if (ch == '\\') {
        if (pos + 1 == line.size()) continue;
        ch = line[++pos];
      }
      word += ch;
      continue;
    }
    // kQuote
    if (ch == quote) {
      phase = kWord;
      continue;
    }
    if (ch == '\\') {
      if (pos + 1 == line.size()) {
        phase = kWord;
        continue;
      }
      ch = line[++pos];
    }
    word += ch;
  }
  return out;
}

namespace {

// Length of the UTF-8 sequence starting at s[pos] (1 for ASCII or a bad byte).
size_t RuneLen(std::string_view s, size_t pos) {
  unsigned char c = static_cast<unsigned char>(s[pos]);
  size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
  return std::min(n, s.size() - pos);
}

}  // namespace

std::vector<std::string> ParseWords(std::string_view rest, char escape) {
  enum { kSpaces, kWord, kQuote } phase = kSpaces;
  std::vector<std::string> words;
  std::string word;
  char quote = 0;
  bool blank_ok = false;
  size_t width = 0;
  for (size_t pos = 0; pos <= rest.size(); pos += width) {
    std::string_view ch;
    if (pos < rest.size()) {
      width = RuneLen(rest, pos);
      ch = rest.substr(pos, width);
    }
    if (phase == kSpaces) {
      if (pos == rest.size()) break;
      if (ch.size() == 1 && IsSpace(ch[0])) continue;
      phase = kWord;
    }
    if (pos == rest.size()) {
      if (blank_ok || !word.empty()) words.push_back(word);
      break;
    }
    char c = ch.size() == 1 ? ch[0] : 0;
    if (phase == kWord) {
      if (c != 0 && IsSpace(c)) {
        phase = kSpaces;
        if (blank_ok || !word.empty()) words.push_back(word);
        word.clear();
        blank_ok = false;
        continue;
      }
      if (c == '\'' || c == '"') {
        quote = c;
        blank_ok = true;
        phase = kQuote;
      }
      if (c != 0 && c == escape) {
        if (pos + width == rest.size()) continue;  // an escape at the very end is dropped
        // Unquoted, the escape and the next character both stay (even a quote).
        word += ch;
        pos += width;
        width = RuneLen(rest, pos);
        ch = rest.substr(pos, width);
      }
      word += ch;
      continue;
    }
    // kQuote
    if (c == quote) phase = kWord;
    // Inside '' the escape character is not special.
    if (c != 0 && c == escape && quote != '\'') {
      if (pos + width == rest.size()) {
        phase = kWord;
        continue;
      }
      word += ch;
      pos += width;
      width = RuneLen(rest, pos);
      ch = rest.substr(pos, width);
    }
    word += ch;
  }
  return words;
}

Result<std::optional<std::vector<std::string>>> ParseJsonArray(std::string_view rest) {
  rest = TrimLeft(rest);
  if (rest.empty() || rest[0] != '[') return std::optional<std::vector<std::string>>();
  nlohmann::json j = nlohmann::json::parse(rest, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_array()) return std::optional<std::vector<std::string>>();
  std::vector<std::string> out;
  for (const auto& e : j) {
    if (!e.is_string()) {
      return Status::InvalidArgument(
          "when using JSON array syntax, arrays must be comprised of strings only");
    }
    out.push_back(e.get<std::string>());
  }
  return std::optional<std::vector<std::string>>(std::move(out));
}

std::string Suggest(std::string_view word, const std::vector<std::string>& options) {
  auto lower = [](std::string_view s) {
    std::string r(s);
    for (char& c : r) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return r;
  };
  std::string w = lower(word);
  std::string best;
  size_t best_d = std::string::npos;
  for (const auto& opt : options) {
    std::string o = lower(opt);
    // Levenshtein distance, two rows.
    std::vector<size_t> prev(o.size() + 1), cur(o.size() + 1);
    for (size_t j = 0; j <= o.size(); ++j) prev[j] = j;
    for (size_t i = 1; i <= w.size(); ++i) {
      cur[0] = i;
      for (size_t j = 1; j <= o.size(); ++j) {
        size_t sub = prev[j - 1] + (w[i - 1] == o[j - 1] ? 0 : 1);
        cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
      }
      std::swap(prev, cur);
    }
    if (prev[o.size()] < best_d) {
      best_d = prev[o.size()];
      best = opt;
    }
  }
  // Close enough: at most two edits (suggest.Search).
  if (best_d <= 2) return best;
  return "";
}

}  // namespace layerlab::build
