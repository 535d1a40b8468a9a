// Finding lessons and reading their texts (see lesson.h and lessons/FORMAT.md).
#include "lesson/lesson.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>

#include <fmt/format.h>

namespace layerlab::lesson {

namespace fs = std::filesystem;

namespace {

std::string FirstHeading(const std::string& path) {
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("# ", 0) == 0) return line.substr(2);
  }
  return "";
}

}  // namespace

std::string LessonsDir() {
  if (const char* d = std::getenv("LAYERLAB_LESSONS"); d != nullptr && *d != '\0') return d;
  return LAYERLAB_LESSONS_DIR;
}

std::string LessonStateDir(const std::string& root) { return root + "/lesson"; }

Result<std::vector<Lesson>> ListLessons(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return Status::NotFound(fmt::format("no lessons folder at {} (set LAYERLAB_LESSONS)", dir));
  }
  static const std::regex kName("^(\\d\\d)-([a-z0-9-]+)$");
  std::vector<Lesson> out;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    std::smatch m;
    std::string name = entry.path().filename().string();
    if (!entry.is_directory() || !std::regex_match(name, m, kName)) continue;
    if (!fs::exists(entry.path() / "lesson.md")) continue;
    Lesson l;
    l.number = std::stoi(m[1]);
    l.slug = m[2];
    l.dir = fs::absolute(entry.path()).string();
    l.title = FirstHeading(l.dir + "/lesson.md");
    l.title_fr = FirstHeading(l.dir + "/lesson.fr.md");
    out.push_back(std::move(l));
  }
  std::sort(out.begin(), out.end(),
            [](const Lesson& a, const Lesson& b) { return a.number < b.number; });
  return out;
}

Result<Lesson> FindLesson(const std::string& dir, const std::string& number) {
  LL_ASSIGN_OR_RETURN(auto lessons, ListLessons(dir));
  char* end = nullptr;
  long n = std::strtol(number.c_str(), &end, 10);
  if (number.empty() || *end != '\0') {
    return Status::InvalidArgument(
        fmt::format("\"{}\" is not a lesson number (see `layerlab lesson list`)", number));
  }
  for (const auto& l : lessons) {
    if (l.number == n) return l;
  }
  return Status::NotFound(
      fmt::format("no lesson {} (there are {}; see `layerlab lesson list`)", n, lessons.size()));
}

Result<LessonText> ReadLessonText(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::NotFound(fmt::format("{}: cannot read the lesson text", path));
  static const std::regex kStep("^## (?:Step|Étape) (\\d+) ?:");
  LessonText text;
  std::string fence;  // "" outside a code block, else its info string
  ExplainBlock block;
  int number = 0;
  for (std::string line; std::getline(in, line);) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::string trimmed = line.substr(std::min(line.find_first_not_of(' '), line.size()));
    if (trimmed.rfind("```", 0) == 0) {
      if (fence.empty()) {
        fence = trimmed.size() > 3 ? trimmed.substr(3) : "text";
        block = ExplainBlock{number, {}, {}};
      } else {
        if (fence == "explain") {
          if (block.commands.empty()) {
            return Status::InvalidArgument(fmt::format(
                "{}:{}: an explain block needs at least one \"$ \" command line", path,
                block.line));
          }
          text.explains.push_back(block);
        }
        fence.clear();
      }
      continue;
    }
    if (fence.empty()) {
      std::smatch m;
      if (std::regex_search(line, m, kStep)) text.steps.push_back(std::stoi(m[1]));
      continue;
    }
    bool command = trimmed.rfind("$ ", 0) == 0;
    if (command && (fence == "console" || fence == "explain") &&
        trimmed.rfind("$ layerlab", 0) == 0) {
      text.commands.push_back(trimmed.substr(2));
    }
    if (fence != "explain") continue;
    if (command) {
      if (!block.expected.empty()) {
        return Status::InvalidArgument(fmt::format(
            "{}:{}: in an explain block, the \"$ \" command lines come first, then the "
            "narration lines",
            path, number));
      }
      block.commands.push_back(trimmed.substr(2));
    } else if (!trimmed.empty()) {
      block.expected.push_back(trimmed);
    }
  }
  if (!fence.empty()) {
    return Status::InvalidArgument(
        fmt::format("{}:{}: a ``` block is not closed", path, block.line));
  }
  return text;
}

bool NarrationLineMatches(const std::string& expected, const std::string& line) {
  std::string re;
  static const std::string kEllipsis = "…";
  for (size_t i = 0; i < expected.size();) {
    if (expected.compare(i, kEllipsis.size(), kEllipsis) == 0) {
      re += ".*";
      i += kEllipsis.size();
    } else if (expected[i] == ' ') {
      re += " +";
      while (i < expected.size() && expected[i] == ' ') ++i;
    } else {
      if (std::string("\\^$.|?*+()[]{}").find(expected[i]) != std::string::npos) re += '\\';
      re += expected[i++];
    }
  }
  return std::regex_search(line, std::regex(re));
}

}  // namespace layerlab::lesson
