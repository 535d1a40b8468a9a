// Every lesson, end to end: its check fails on a fresh store and after its plausible wrong
// attempt, and passes after its reference solution; every `explain` block of its English and
// French texts produces the narration it quotes (so text and tool stay in step); both texts
// have the same steps and the same commands.
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "e2e/cli_harness.h"
#include "lesson/lesson.h"

namespace layerlab::testing {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> LessonNames() {
  std::vector<std::string> out;
  auto lessons = lesson::ListLessons(LAYERLAB_LESSONS_DIR);
  if (lessons) {
    for (const auto& l : *lessons) out.push_back(fs::path(l.dir).filename().string());
  }
  return out;
}

struct ShellResult {
  int exit_code = -1;
  std::string out, err;
};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string Quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

class E2ELessonTest : public CliTest, public ::testing::WithParamInterface<std::string> {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    dir_ = std::string(LAYERLAB_LESSONS_DIR) + "/" + GetParam();
    number_ = std::to_string(std::stoi(GetParam().substr(0, 2)));
    bin_ = scratch_ + "/bin";  // `layerlab` on PATH, as the lesson texts type it
    fs::create_directories(bin_);
    fs::create_symlink(LAYERLAB_BINARY, bin_ + "/layerlab");
  }
  // A fresh copy of the lesson's folder to work in (the student's copy).
  std::string Workdir(const std::string& name) {
    std::string work = scratch_ + "/" + name;
    fs::remove_all(work);
    fs::copy(dir_, work, fs::copy_options::recursive);
    return work;
  }
  // Runs a bash script in `cwd` with the store at `root`.
  ShellResult Shell(const std::string& script, const std::string& cwd, const std::string& root,
                    const std::string& lang = "en") {
    std::string out = scratch_ + "/shell.out", err = scratch_ + "/shell.err";
    std::string cmd = fmt::format(
        "cd {} && env LAYERLAB_ROOT={} LAYERLAB={} LESSON={} PATH={}:$PATH LANG={} LC_ALL= "
        "NO_COLOR=1 bash -c {} >{} 2>{} </dev/null",
        Quote(cwd), Quote(root), Quote(LAYERLAB_BINARY), Quote(cwd), Quote(bin_),
        lang == "fr" ? "fr_FR.UTF-8" : "C.UTF-8", Quote(script), Quote(out), Quote(err));
    int status = std::system(cmd.c_str());
    ShellResult r;
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = ReadFile(out);
    r.err = ReadFile(err);
    return r;
  }
  CliResult CheckIn(const std::string& cwd, const std::string& root) {
    std::string saved = fs::current_path();
    fs::current_path(cwd);
    CliResult r = RunCli(root, {"lesson", "check", number_});
    fs::current_path(saved);
    return r;
  }
  // Runs a script (solution.sh, wrong.sh) on a fresh store with the lesson active.
  CliResult AfterScript(const std::string& script) {
    std::string root = scratch_ + "/store-" + script;
    std::string work = Workdir("work-" + script);
    CliResult show = RunCli(root, {"lesson", "show", number_});
    EXPECT_EQ(show.exit_code, 0) << show.err;
    ShellResult s = Shell("bash ./" + script, work, root);
    EXPECT_EQ(s.exit_code, 0) << script << " failed:\n" << s.out << s.err;
    CliResult check = CheckIn(work, root);
    RemoveContainersOf(root);
    return check;
  }
  void RemoveContainersOf(const std::string& root) {
    CliResult ps = RunCli(root, {"ps", "-aq"});
    for (const auto& id : Lines(ps.out)) RunCli(root, {"rm", "-f", id});
  }
  void ExpectBlocks(const std::string& text_file, const std::string& lang) {
    auto text = lesson::ReadLessonText(dir_ + "/" + text_file);
    ASSERT_TRUE(text) << text.error().message();
    ASSERT_FALSE(text->explains.empty()) << text_file << " has no explain block";
    int n = 0;
    for (const auto& block : text->explains) {
      std::string root = fmt::format("{}/store-{}-{}", scratch_, lang, ++n);
      std::string work = Workdir(fmt::format("work-{}-{}", lang, n));
      std::string where = fmt::format("{}:{}", text_file, block.line);
      for (size_t i = 0; i + 1 < block.commands.size(); ++i) {
        ShellResult r = Shell(block.commands[i], work, root, lang);
        ASSERT_EQ(r.exit_code, 0) << where << ": $ " << block.commands[i] << "\n" << r.err;
      }
      ShellResult last = Shell(block.commands.back(), work, root, lang);
      std::vector<std::string> lines = Lines(last.err + last.out);
      size_t at = 0;
      for (const auto& want : block.expected) {
        while (at < lines.size() && !lesson::NarrationLineMatches(want, lines[at])) ++at;
        EXPECT_LT(at, lines.size()) << where << ": the narration of `" << block.commands.back()
                                    << "` has no line matching (in order)\n  " << want
                                    << "\nit was:\n" << last.err << last.out;
        if (at >= lines.size()) break;
        ++at;
      }
      RemoveContainersOf(root);
    }
  }
  std::string dir_, number_, bin_;
};

TEST_P(E2ELessonTest, CheckFailsOnAFreshStore) {
  CliResult r = CheckIn(Workdir("fresh"), root_);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("✘"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Hint: "), std::string::npos) << r.out;
}

TEST_P(E2ELessonTest, CheckPassesAfterTheReferenceSolution) {
  if (GetParam().find("registr") != std::string::npos &&
      !fs::exists("/usr/bin/docker-registry")) {
    GTEST_SKIP() << "docker-registry is not installed (scripts/setup.sh deps installs it)";
  }
  CliResult r = AfterScript("solution.sh");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out.find("✘"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("passed"), std::string::npos) << r.out;
}

TEST_P(E2ELessonTest, CheckFailsAfterAPlausibleWrongAttempt) {
  ASSERT_TRUE(fs::exists(dir_ + "/wrong.sh")) << "every lesson has a wrong.sh";
  if (GetParam().find("registr") != std::string::npos &&
      !fs::exists("/usr/bin/docker-registry")) {
    GTEST_SKIP() << "docker-registry is not installed";
  }
  CliResult r = AfterScript("wrong.sh");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("✘"), std::string::npos) << r.out;
}

TEST_P(E2ELessonTest, EnglishNarrationIsWhatTheTextQuotes) { ExpectBlocks("lesson.md", "en"); }

TEST_P(E2ELessonTest, FrenchNarrationIsWhatTheTextQuotes) { ExpectBlocks("lesson.fr.md", "fr"); }

TEST_P(E2ELessonTest, FrenchAndEnglishTextsHaveTheSameStepsAndCommands) {
  auto en = lesson::ReadLessonText(dir_ + "/lesson.md");
  auto fr = lesson::ReadLessonText(dir_ + "/lesson.fr.md");
  ASSERT_TRUE(en) << en.error().message();
  ASSERT_TRUE(fr) << fr.error().message();
  ASSERT_GE(en->steps.size(), 3u);
  for (size_t i = 0; i < en->steps.size(); ++i) EXPECT_EQ(en->steps[i], static_cast<int>(i + 1));
  EXPECT_EQ(en->steps, fr->steps);
  EXPECT_EQ(en->commands, fr->commands);
  EXPECT_EQ(en->explains.size(), fr->explains.size());
  auto criteria = lesson::ParseCheck(dir_ + "/check.txt");
  ASSERT_TRUE(criteria) << criteria.error().message();
  for (const auto& c : *criteria) {
    EXPECT_FALSE(c.text_fr.empty()) << "check.txt:" << c.line << ": no criterion.fr";
    EXPECT_FALSE(c.hint.empty()) << "check.txt:" << c.line << ": no hint";
    EXPECT_FALSE(c.hint_fr.empty()) << "check.txt:" << c.line << ": no hint.fr";
  }
  EXPECT_TRUE(fs::exists(dir_ + "/solution.sh"));
  EXPECT_TRUE(fs::exists(dir_ + "/teacher.md"));
}

INSTANTIATE_TEST_SUITE_P(E2E, E2ELessonTest, ::testing::ValuesIn(LessonNames()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string name = info.param;
                           for (char& c : name) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return "L" + name;
                         });

// The lesson verb itself: list, show (in French), a check file with a mistake, reset.
class E2ELessonVerbTest : public CliTest {};

TEST_F(E2ELessonVerbTest, ListShowAndResetWork) {
  std::string list = Ok({"lesson", "list"});
  EXPECT_NE(list.find(" 1  Lesson 1 — "), std::string::npos) << list;
  EXPECT_GE(Lines(list).size(), 12u);
  EXPECT_NE(Ok({"lesson", "list", "--lang", "fr"}).find(" 1  Leçon 1 — "), std::string::npos);
  std::string show = Ok({"lesson", "show", "1", "--lang", "fr"});
  EXPECT_NE(show.find("## Étape 1 : "), std::string::npos) << show;
  EXPECT_NE(show.find("Fichiers de la leçon : "), std::string::npos);
  // The lesson is active: the next command's events are kept for the checks.
  Ok({"tag", "busybox", "kept:1"});
  std::string trace = ReadFile(root_ + "/lesson/last-command.jsonl");
  EXPECT_NE(trace.find("\"kind\":\"tag_added\""), std::string::npos) << trace;
  EXPECT_EQ(trace, ReadFile(root_ + "/lesson/last-tag.jsonl"));
  Ok({"create", "--name", "leftover", "busybox"});
  CliResult reset = Run({"lesson", "reset", "-f"});
  ASSERT_EQ(reset.exit_code, 0) << reset.err;
  EXPECT_EQ(Trim(Ok({"ps", "-aq"})), "");
  EXPECT_EQ(Lines(Ok({"images", "-q"})).size(), 1u);  // busybox only
  EXPECT_TRUE(fs::exists(root_ + "/lesson/active")) << "reset keeps the lesson active";
  // A root that is not a store is never removed.
  std::string other = scratch_ + "/not-a-store";
  WriteFile("not-a-store/keep.txt", "mine\n");
  CliResult refused = RunCli(other, {"lesson", "reset", "-f"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("is not a layerlab store"), std::string::npos) << refused.err;
  EXPECT_TRUE(fs::exists(other + "/keep.txt"));
  CliResult none = Run({"lesson", "check", "99"});
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_NE(none.err.find("no lesson 99"), std::string::npos) << none.err;
}

TEST_F(E2ELessonVerbTest, ABadCheckFileNamesItsLine) {
  std::string dir = scratch_ + "/lessons/01-broken";
  fs::create_directories(dir);
  WriteFile("lessons/01-broken/lesson.md", "# Broken\n");
  WriteFile("lessons/01-broken/check.txt",
            "criterion: ok\n  expect: image busybox exists\n\ncriterion: typo\n"
            "  expect: image busybox layerz >= 1\n");
  setenv("LAYERLAB_LESSONS", (scratch_ + "/lessons").c_str(), 1);
  CliResult r = Run({"lesson", "check", "1"});
  unsetenv("LAYERLAB_LESSONS");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("01-broken/check.txt:5: `image busybox layerz >= 1`: expected one of the "
                       "forms in lessons/FORMAT.md"),
            std::string::npos)
      << r.err;
}

}  // namespace
}  // namespace layerlab::testing
