// The Dockerfile word expander (see shell_lex.h). A WordProcessor walks one word rune by rune
// the way BuildKit's shellWord walks a text/scanner, so quirks and error texts carry over.
#include "layerlab/shell_lex.h"

#include <fmt/format.h>

#include <algorithm>

#include "build/shell_pattern.h"
#include "build/shell_unicode.h"

namespace layerlab {

ShellEnv::ShellEnv(std::initializer_list<std::pair<std::string, std::string>> vars) {
  for (const auto& [name, value] : vars) Set(name, value);
}

ShellEnv ShellEnv::FromAssignments(const std::vector<std::string>& assignments) {
  ShellEnv env;
  for (const std::string& a : assignments) {
    const size_t eq = a.find('=');
    if (eq == std::string::npos) {
      env.Set(a, "");
    } else {
      env.Set(a.substr(0, eq), a.substr(eq + 1));
    }
  }
  return env;
}

void ShellEnv::Set(std::string name, std::string value) {
  for (auto& [n, v] : vars_) {
    if (n == name) {
      v = std::move(value);
      return;
    }
  }
  vars_.emplace_back(std::move(name), std::move(value));
}

std::optional<std::string> ShellEnv::Get(std::string_view name) const {
  for (const auto& [n, v] : vars_) {
    if (n == name) return v;
  }
  return std::nullopt;
}

std::vector<std::string> ShellEnv::Keys() const {
  std::vector<std::string> keys;
  keys.reserve(vars_.size());
  for (const auto& [n, v] : vars_) keys.push_back(n);
  std::sort(keys.begin(), keys.end());
  return keys;
}

namespace {

using shell::AppendRune;
using shell::IsSpace;
using shell::kEof;
using shell::Rune;
using shell::RuneString;

// Field splitting of one processStopOn level (BuildKit's wordsStruct).
class Fields {
 public:
  // An unquoted character: whitespace ends the current field.
  void AddChar(Rune ch) {
    if (IsSpace(ch)) {
      if (in_word_ && !buf_.empty()) {
        words_.push_back(std::move(buf_));
        buf_.clear();
        in_word_ = false;
      }
      return;
    }
    AddRawChar(ch);
  }
  void AddRawChar(Rune ch) {
    AppendRune(&buf_, ch);
    in_word_ = true;
  }
  // The result of an unquoted $ expansion: split like unquoted text (Go ranges over the string,
  // so invalid UTF-8 becomes U+FFFD here).
  void AddString(std::string_view s) {
    for (Rune r : shell::DecodeRunes(s)) AddChar(r);
  }
  // A quoted string: never split. An empty one alone does not make a field.
  void AddRawString(std::string_view s) {
    buf_ += s;
    in_word_ = true;
  }
  std::vector<std::string> Take() {
    if (!buf_.empty()) words_.push_back(std::move(buf_));
    buf_.clear();
    in_word_ = false;
    return std::move(words_);
  }

 private:
  std::string buf_;
  std::vector<std::string> words_;
  bool in_word_ = false;
};

Status Error(std::string msg) { return Status::InvalidArgument(std::move(msg)); }

class WordProcessor {
 public:
  WordProcessor(std::string_view word, const ShellEnv& env, Rune escape,
                const ShellLexOptions& options)
      : runes_(shell::DecodeRunes(word)), env_(env), escape_(escape), options_(options) {
    // Go's text/scanner skips a byte order mark at the very start of its input.
    if (!runes_.empty() && runes_[0] == 0xFEFF) pos_ = 1;
  }

  // BuildKit's processStopOn: processes up to `stop` (consumed) or the end of the word.
  // `raw_escapes` applies to this level and the quotes inside it. Fields go to `fields`.
  Result<std::string> ProcessStopOn(Rune stop, bool raw_escapes,
                                    std::vector<std::string>* fields = nullptr);

  std::set<std::string>& matched() { return matched_; }
  std::set<std::string>& unmatched() { return unmatched_; }

 private:
  Rune Peek() const { return pos_ < runes_.size() ? runes_[pos_] : kEof; }
  Rune Next() {
    const Rune r = Peek();
    if (r != kEof) ++pos_;
    return r;
  }

  Result<std::string> ProcessSingleQuote();
  Result<std::string> ProcessDoubleQuote();
  Result<std::string> ProcessDollar();
  Result<std::string> ProcessModifier(const std::string& name, Rune op, const std::string& ops,
                                      bool null_is_unset);
  Result<std::string> ProcessReplace(const std::string& name);
  std::string ProcessName();
  std::optional<std::string> GetEnv(const std::string& name);

  std::vector<Rune> runes_;
  size_t pos_ = 0;
  const ShellEnv& env_;
  Rune escape_;
  const ShellLexOptions& options_;
  bool raw_escapes_ = false;
  std::set<std::string> matched_, unmatched_;
};

Result<std::string> WordProcessor::ProcessStopOn(Rune stop, bool raw_escapes,
                                                 std::vector<std::string>* fields) {
  struct Restore {
    bool& flag;
    bool saved;
    ~Restore() { flag = saved; }
  } restore{raw_escapes_, raw_escapes_};
  raw_escapes_ = raw_escapes;

  std::string result;
  // Each level splits its own fields. (BuildKit since 2024 shares one buffer between levels,
  // so ProcessWords("a${X:-b}") there loses "a"; we keep the earlier, intended behaviour.)
  Fields words;
  while (Peek() != kEof) {
    Rune ch = Peek();
    if (stop != kEof && ch == stop) {
      Next();
      if (fields != nullptr) *fields = words.Take();
      return result;
    }
    const bool quote = !options_.skip_process_quotes && (ch == '\'' || ch == '"');
    if (ch == '$' || quote) {
      LL_ASSIGN_OR_RETURN(std::string tmp, ch == '$'    ? ProcessDollar()
                                           : ch == '\'' ? ProcessSingleQuote()
                                                        : ProcessDoubleQuote());
      result += tmp;
      if (ch == '$') {
        words.AddString(tmp);
      } else {
        words.AddRawString(tmp);
      }
      continue;
    }
    ch = Next();
    if (ch == escape_) {
      if (raw_escapes_) {
        words.AddRawChar(ch);
        AppendRune(&result, ch);
      }
      ch = Next();
      if (ch == kEof) break;  // a trailing escape is dropped
      words.AddRawChar(ch);
    } else {
      words.AddChar(ch);
    }
    AppendRune(&result, ch);
  }
  if (stop != kEof) {
    return Error("unexpected end of statement while looking for matching " + RuneString(stop));
  }
  if (fields != nullptr) *fields = words.Take();
  return result;
}

// '...': everything literal up to the next quote; there is no escape.
Result<std::string> WordProcessor::ProcessSingleQuote() {
  std::string result;
  Rune ch = Next();
  if (options_.raw_quotes) AppendRune(&result, ch);
  for (;;) {
    ch = Next();
    if (ch == kEof) {
      return Error("unexpected end of statement while looking for matching single-quote");
    }
    if (ch == '\'') {
      if (options_.raw_quotes) AppendRune(&result, ch);
      return result;
    }
    AppendRune(&result, ch);
  }
}

// "...": $ expands; the escape character escapes only `"`, `$` and itself, else stays literal.
Result<std::string> WordProcessor::ProcessDoubleQuote() {
  std::string result;
  const Rune open = Next();
  if (options_.raw_quotes) AppendRune(&result, open);
  for (;;) {
    switch (Peek()) {
      case kEof:
        return Error("unexpected end of statement while looking for matching double-quote");
      case '"':
        Next();
        if (options_.raw_quotes) result += '"';
        return result;
      case '$': {
        LL_ASSIGN_OR_RETURN(std::string value, ProcessDollar());
        result += value;
        break;
      }
      default: {
        Rune ch = Next();
        if (ch == escape_) {
          if (raw_escapes_) AppendRune(&result, ch);
          const Rune after = Peek();
          if (after == kEof) continue;  // dropped; the loop then reports the open quote
          // With raw escapes on, a literal escape before another character appears twice;
          // BuildKit does the same.
          if (after == '"' || after == '$' || after == escape_) ch = Next();
        }
        AppendRune(&result, ch);
      }
    }
  }
}

Result<std::string> WordProcessor::ProcessDollar() {
  Next();  // '$'
  if (Peek() != '{') {
    const std::string name = ProcessName();
    if (name.empty()) return std::string("$");
    std::optional<std::string> value = GetEnv(name);
    if (!value && options_.skip_unset_env) return "$" + name;
    return value.value_or("");
  }
  Next();  // '{'
  switch (Peek()) {
    case kEof:
      return Error("syntax error: missing '}'");
    case '{':
    case '}':
    case ':':
      return Error("syntax error: bad substitution");
  }
  const std::string name = ProcessName();
  Rune op = Next();
  std::string ops = RuneString(op);  // as written, for messages and skip_unset_env
  switch (op) {
    case '}': {
      std::optional<std::string> value = GetEnv(name);
      if (!value && options_.skip_unset_env) return "${" + name + "}";
      return value.value_or("");
    }
    case '/':
      return ProcessReplace(name);
    case ':':
      // Whatever follows ':' is taken as the operator; ProcessModifier rejects the bad ones.
      op = Next();
      ops += RuneString(op);
      return ProcessModifier(name, op, ops, /*null_is_unset=*/true);
    case '+':
    case '-':
    case '?':
    case '#':
    case '%':
      return ProcessModifier(name, op, ops, /*null_is_unset=*/false);
    default:
      return Error(fmt::format("unsupported modifier ({}) in substitution", ops));
  }
}

// ${NAME<op>word} for op in - + ? # % (with ':' before it when null_is_unset).
Result<std::string> WordProcessor::ProcessModifier(const std::string& name, Rune op,
                                                   const std::string& ops, bool null_is_unset) {
  const bool is_pattern = op == '#' || op == '%';
  if (null_is_unset && is_pattern) {
    return Error(fmt::format("unsupported modifier ({}) in substitution", ops));
  }
  // Patterns keep their escapes so the glob compiler can tell `\*` from `*`.
  auto word = ProcessStopOn('}', is_pattern);
  if (!word) {
    if (Peek() == kEof) return Error("syntax error: missing '}'");
    return word.error();
  }
  std::optional<std::string> value = GetEnv(name);
  if (!value && options_.skip_unset_env) return "${" + name + ops + *word + "}";
  const bool unset = !value || (null_is_unset && value->empty());
  switch (op) {
    case '-':
      return unset ? *word : *value;
    case '+':
      return unset ? std::string() : *word;
    case '?':
      if (!value) {
        return Error(
            fmt::format("{}: {}", name, word->empty() ? "is not allowed to be unset" : *word));
      }
      if (unset) {
        return Error(
            fmt::format("{}: {}", name, word->empty() ? "is not allowed to be empty" : *word));
      }
      return *value;
    case '#':
    case '%': {
      // A doubled operator (## or %%) asks for the longest match.
      std::string_view pattern = *word;
      const bool greedy = !pattern.empty() && pattern[0] == static_cast<char>(op);
      if (greedy) pattern.remove_prefix(1);
      const std::string v = value.value_or("");
      return op == '%' ? shell::TrimSuffix(pattern, v, greedy)
                       : shell::TrimPrefix(pattern, v, greedy);
    }
    default:
      return Error(fmt::format("unsupported modifier ({}) in substitution", ops));
  }
}

// ${NAME/pattern/replacement} and ${NAME//pattern/replacement}; the leading '/' is consumed.
Result<std::string> WordProcessor::ProcessReplace(const std::string& name) {
  const bool all = Peek() == '/';
  if (all) Next();
  auto pattern = ProcessStopOn('/', true);
  if (!pattern) {
    if (Peek() == kEof) return Error("syntax error: missing '/' in ${}");
    return pattern.error();
  }
  auto replacement = ProcessStopOn('}', true);
  if (!replacement) {
    if (Peek() == kEof) return Error("syntax error: missing '}'");
    return replacement.error();
  }
  std::optional<std::string> value = GetEnv(name);
  if (!value && options_.skip_unset_env) {
    return fmt::format("${{{}/{}/{}}}", name, *pattern, *replacement);
  }
  return shell::ReplacePattern(*pattern, value.value_or(""), *replacement, all);
}

// A name: a run of digits (positional), one special parameter character, or letters, digits
// and '_' (Unicode letters and digits count, as in Go).
std::string WordProcessor::ProcessName() {
  std::string name;
  while (Peek() != kEof) {
    const Rune ch = Peek();
    if (name.empty() && shell::IsDigit(ch)) {
      while (Peek() != kEof && shell::IsDigit(Peek())) AppendRune(&name, Next());
      return name;
    }
    if (name.empty()) {
      switch (ch) {
        case '@':
        case '*':
        case '#':
        case '?':
        case '-':
        case '$':
        case '!':
        case '0':
          Next();
          return RuneString(ch);
      }
    }
    if (!shell::IsLetter(ch) && !shell::IsDigit(ch) && ch != '_') break;
    AppendRune(&name, Next());
  }
  return name;
}

std::optional<std::string> WordProcessor::GetEnv(const std::string& name) {
  std::optional<std::string> value = env_.Get(name);
  (value ? matched_ : unmatched_).insert(name);
  return value;
}

// BuildKit wraps every error as `failed to process %q: <error>`.
Status FailedToProcess(std::string_view word, const Status& error) {
  return Error(fmt::format("failed to process {}: {}", shell::GoQuote(word), error.message()));
}

}  // namespace

ShellLex::ShellLex(char escape, ShellLexOptions options) : escape_(escape), options_(options) {}

Result<ShellLex::Expansion> ShellLex::ProcessWordWithMatches(std::string_view word,
                                                             const ShellEnv& env) const {
  WordProcessor p(word, env, static_cast<unsigned char>(escape_), options_);
  auto result = p.ProcessStopOn(kEof, options_.raw_escapes);
  if (!result) {
    return FailedToProcess(word, result.error());
  }
  return Expansion{std::move(*result), std::move(p.matched()), std::move(p.unmatched())};
}

Result<std::string> ShellLex::ProcessWord(std::string_view word, const ShellEnv& env) const {
  LL_ASSIGN_OR_RETURN(Expansion e, ProcessWordWithMatches(word, env));
  return std::move(e.result);
}

Result<std::vector<std::string>> ShellLex::ProcessWords(std::string_view word,
                                                        const ShellEnv& env) const {
  WordProcessor p(word, env, static_cast<unsigned char>(escape_), options_);
  std::vector<std::string> fields;
  auto result = p.ProcessStopOn(kEof, options_.raw_escapes, &fields);
  if (!result) {
    return FailedToProcess(word, result.error());
  }
  return fields;
}

}  // namespace layerlab
