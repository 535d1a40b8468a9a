// Small pieces of the builder: stages, the expansion environment, cache keys, and the Go-style
// formatting BuildKit uses in history entries.
#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "build/build_state.h"
#include "layerlab/digest.h"

namespace layerlab::build {

Result<Plan> SplitStages(const Dockerfile& df) {
  Plan plan;
  for (const auto& n : df.nodes) {
    if (n.keyword == "from") {
      Stage s;
      s.index = static_cast<int>(plan.stages.size());
      s.from = &n;
      if (n.args.size() == 3) {
        s.name = n.args[2];
        std::transform(s.name.begin(), s.name.end(), s.name.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        for (const auto& other : plan.stages) {
          if (other.name == s.name) {
            return Status::InvalidArgument(DockerfileError(
                df, n.start_line, 0, static_cast<int>(n.original.size()),
                fmt::format("duplicate stage name \"{}\"", s.name)));
          }
        }
      }
      plan.stages.push_back(std::move(s));
    } else if (plan.stages.empty()) {
      if (n.keyword != "arg") {
        return Status::InvalidArgument(
            DockerfileError(df, n.start_line, 0, static_cast<int>(n.keyword.size()),
                            "no build stage in current context (a Dockerfile starts with FROM, "
                            "after optional ARGs)"));
      }
      plan.meta_args.push_back(&n);
    } else {
      plan.stages.back().body.push_back(&n);
    }
  }
  if (plan.stages.empty()) {
    return Status::InvalidArgument(fmt::format("{}: no build stage: there is no FROM", df.filename));
  }
  return plan;
}

ShellEnv ExpansionEnv(const StageState& s) {
  ShellEnv env;
  for (const auto& [k, v] : s.args) {
    if (v) env.Set(k, *v);
  }
  for (const auto& kv : s.config.env) {
    size_t eq = kv.find('=');
    if (eq == std::string::npos) continue;
    env.Set(kv.substr(0, eq), kv.substr(eq + 1));
  }
  return env;
}

std::string CacheKey::Hash() const {
  nlohmann::ordered_json j;
  j["instruction"] = instruction;
  j["sources"] = sources;
  j["args"] = args;
  return Sha256Digest(j.dump());
}

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::string Join(const std::vector<std::string>& v, const std::string& sep) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) out += (i ? sep : "") + v[i];
  return out;
}

std::string GoQuote(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (c < 0x20 || c == 0x7f) {
          out += fmt::format("\\x{:02x}", c);
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

std::string GoQuoteList(const std::vector<std::string>& v) {
  std::string out = "[";
  for (size_t i = 0; i < v.size(); ++i) out += (i ? " " : "") + GoQuote(v[i]);
  return out + "]";
}

std::string GoMapSet(std::vector<std::string> keys) {
  std::sort(keys.begin(), keys.end());
  std::string out = "map[";
  for (size_t i = 0; i < keys.size(); ++i) out += (i ? " " : "") + keys[i] + ":{}";
  return out + "]";
}

std::string DescribeSourceChange(const std::string& before, const std::string& after) {
  nlohmann::json a = nlohmann::json::parse(before, nullptr, false);
  nlohmann::json b = nlohmann::json::parse(after, nullptr, false);
  if (!a.is_object() || !b.is_object()) return "";
  std::vector<std::string> changed, added, removed;
  for (const auto& [k, v] : b.items()) {
    if (!a.contains(k)) {
      added.push_back(k);
    } else if (a[k] != v) {
      changed.push_back(k);
    }
  }
  for (const auto& [k, v] : a.items()) {
    if (!b.contains(k)) removed.push_back(k);
  }
  auto list = [](const std::vector<std::string>& v, const char* verb) {
    std::string names;
    for (size_t i = 0; i < v.size() && i < 3; ++i) names += (i ? ", " : "") + v[i];
    if (v.size() > 3) names += fmt::format(" and {} more", v.size() - 3);
    return fmt::format("{} {}", names, verb);
  };
  std::vector<std::string> parts;
  if (!changed.empty()) parts.push_back(list(changed, "changed"));
  if (!added.empty()) parts.push_back(list(added, "added"));
  if (!removed.empty()) parts.push_back(list(removed, "removed"));
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? "; " : "") + parts[i];
  return out;
}

Result<int64_t> ParseGoDuration(const std::string& s) {
  if (s.empty()) return Status::InvalidArgument("empty duration");
  int64_t total = 0;
  size_t i = 0;
  while (i < s.size()) {
    size_t j = i;
    while (j < s.size() && (std::isdigit(static_cast<unsigned char>(s[j])) || s[j] == '.')) ++j;
    if (j == i) return Status::InvalidArgument(fmt::format("time: invalid duration \"{}\"", s));
    double num = std::stod(s.substr(i, j - i));
    size_t k = j;
    while (k < s.size() && std::isalpha(static_cast<unsigned char>(s[k]))) ++k;
    std::string unit = s.substr(j, k - j);
    double mult = unit == "ns" ? 1 : unit == "us" ? 1e3 : unit == "ms" ? 1e6 : unit == "s" ? 1e9
                  : unit == "m" ? 60e9 : unit == "h" ? 3600e9 : -1;
    if (mult < 0) {
      return Status::InvalidArgument(fmt::format("time: unknown unit \"{}\" in duration \"{}\"",
                                                 unit, s));
    }
    total += static_cast<int64_t>(num * mult);
    i = k;
  }
  return total;
}

}  // namespace layerlab::build
