// `layerlab lesson list | show N [--lang fr] | check N [--lang fr] | reset [-f]`: classroom
// exercises (lessons/NN-slug/) and their automatic checks, evaluated against the store.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>

#include <fmt/format.h>

#include "cli/args.h"
#include "cli/text_sink.h"
#include "cli/verbs.h"
#include "layerlab/layer_fs.h"
#include "lesson/lesson.h"

namespace layerlab::cli {

namespace {

namespace fs = std::filesystem;

std::string Lang(const po::variables_map& vm) {
  return NarrationLanguage(vm.count("lang") ? vm["lang"].as<std::string>() : "");
}

// Makes lesson N the active one: from now on each command's trace is kept for its checks.
Status Activate(const std::string& root, int number) {
  std::error_code ec;
  fs::create_directories(lesson::LessonStateDir(root), ec);
  std::ofstream out(lesson::LessonStateDir(root) + "/active", std::ios::trunc);
  out << number << "\n";
  out.close();
  if (!out) return Status::FromErrno("write " + lesson::LessonStateDir(root) + "/active", errno);
  return Status::Ok();
}

int List(const std::vector<std::string>& args) {
  po::options_description opts("Options");
  opts.add_options()("lang", po::value<std::string>(), "Language of the titles: en or fr");
  VerbArgs va = ParseVerbArgs("lesson list", "lesson list [OPTIONS]", "List the lessons", opts,
                              args, 0, 0);
  if (va.exit_code >= 0) return va.exit_code;
  auto lessons = lesson::ListLessons(lesson::LessonsDir());
  if (!lessons) return Fail(lessons.error());
  bool fr = Lang(va.vm) == "fr";
  for (const auto& l : *lessons) {
    fmt::print("{:>2}  {}\n", l.number, fr && !l.title_fr.empty() ? l.title_fr : l.title);
  }
  return 0;
}

int Show(Context& ctx, const std::vector<std::string>& args) {
  po::options_description opts("Options");
  opts.add_options()("lang", po::value<std::string>(), "Language of the text: en or fr");
  VerbArgs va = ParseVerbArgs("lesson show", "lesson show [OPTIONS] N",
                              "Print a lesson and make it the active one", opts, args, 1, 1);
  if (va.exit_code >= 0) return va.exit_code;
  auto l = lesson::FindLesson(lesson::LessonsDir(), va.positional[0]);
  if (!l) return Fail(l.error());
  bool fr = Lang(va.vm) == "fr";
  std::ifstream in(l->dir + (fr ? "/lesson.fr.md" : "/lesson.md"));
  if (!in) return Fail(fmt::format("{}: cannot read the lesson text", l->dir));
  std::cout << in.rdbuf();
  fmt::print("\n{} {}\n", fr ? "Fichiers de la leçon :" : "The lesson's files:", l->dir);
  std::fflush(stdout);
  Status st = Activate(ctx.options().root, l->number);
  return st.ok() ? 0 : Fail(st);
}

int Check(Context& ctx, const std::vector<std::string>& args) {
  po::options_description opts("Options");
  opts.add_options()("lang", po::value<std::string>(), "Language of the report: en or fr");
  VerbArgs va = ParseVerbArgs("lesson check", "lesson check [OPTIONS] N",
                              "Check a lesson's exercise against the store", opts, args, 1, 1);
  if (va.exit_code >= 0) return va.exit_code;
  auto l = lesson::FindLesson(lesson::LessonsDir(), va.positional[0]);
  if (!l) return Fail(l.error());
  auto criteria = lesson::ParseCheck(l->dir + "/check.txt");
  if (!criteria) return Fail(criteria.error());
  auto containers = ctx.containers();
  if (!containers) return Fail(containers.error());
  lesson::CheckEnv env{*ctx.store(), *ctx.images(), *containers,
                       lesson::LessonStateDir(ctx.options().root), fs::current_path().string()};
  bool fr = Lang(va.vm) == "fr";
  const bool color = isatty(1) != 0;
  int passed = 0;
  std::string first_hint;
  for (const auto& c : *criteria) {
    bool ok = true;
    std::string why;
    for (const auto& e : c.expects) {
      std::string observed;
      auto r = lesson::Evaluate(e, env, &observed);
      if (!r) {
        ok = false;
        why = r.error().message();
      } else if (!*r) {
        ok = false;
        std::string text;
        for (const auto& w : e.words) text += (text.empty() ? "" : " ") + w;
        why = fmt::format("{} `{}`: {} {}", fr ? "attendu" : "expected", text,
                          fr ? "trouvé" : "found", observed);
      }
      if (!ok) break;
    }
    const std::string& text = fr && !c.text_fr.empty() ? c.text_fr : c.text;
    std::string mark = ok ? "✔" : "✘";
    if (color) mark = fmt::format("\033[{}m{}\033[0m", ok ? 32 : 31, mark);
    fmt::print("{} {}\n", mark, text);
    if (!ok) {
      fmt::print("    {}\n", why);
      if (first_hint.empty()) first_hint = fr && !c.hint_fr.empty() ? c.hint_fr : c.hint;
    }
    passed += ok ? 1 : 0;
  }
  int total = static_cast<int>(criteria->size());
  if (passed == total) {
    fmt::print("{}\n", fr ? fmt::format("Leçon {} réussie : {}/{} critères.", l->number, passed,
                                        total)
                          : fmt::format("Lesson {} passed: {}/{} criteria.", l->number, passed,
                                        total));
    return 0;
  }
  fmt::print("{}\n", fr ? fmt::format("{}/{} critères remplis.", passed, total)
                        : fmt::format("{}/{} criteria met.", passed, total));
  if (!first_hint.empty()) fmt::print("{} {}\n", fr ? "Indice :" : "Hint:", first_hint);
  return 1;
}

int Reset(Context& ctx, const std::vector<std::string>& args) {
  po::options_description opts("Options");
  opts.add_options()("force,f", po::bool_switch(), "Do not prompt for confirmation");
  VerbArgs va = ParseVerbArgs("lesson reset", "lesson reset [OPTIONS]",
                              "Start again from a fresh store (only busybox:latest)", opts, args,
                              0, 0);
  if (va.exit_code >= 0) return va.exit_code;
  const std::string& root = ctx.options().root;
  // Only ever a store: a root that holds something else is left alone.
  if (fs::exists(root) && !fs::exists(root + "/layerlab.db")) {
    return Fail(fmt::format("{} is not a layerlab store (no layerlab.db): nothing removed", root));
  }
  if (!va.vm["force"].as<bool>() &&
      !Confirm(fmt::format("WARNING! This will remove every image and container in {}.", root))) {
    return 0;
  }
  int active = 0;
  std::ifstream(lesson::LessonStateDir(root) + "/active") >> active;
  auto containers = ctx.containers();
  if (!containers) return Fail(containers.error());
  auto list = (*containers)->List();
  if (!list) return Fail(list.error());
  for (const auto& c : *list) {  // running ones are killed first, as rm -f does
    Status st = (*containers)->Remove(c, true);
    if (!st.ok()) return Fail(st);
  }
  ctx.Close();
  Status removed = RemoveTree(root);
  if (!removed.ok()) return Fail(removed);
  auto store = ctx.store();  // a fresh store, with busybox:latest
  if (!store) return Fail(store.error());
  if (active > 0) {
    Status st = Activate(root, active);
    if (!st.ok()) return Fail(st);
  }
  fmt::print("A fresh store at {}: busybox:latest only.\n", root);
  return 0;
}

}  // namespace

int CmdLesson(Context& ctx, const std::vector<std::string>& args) {
  const std::string usage =
      "Usage:  layerlab lesson COMMAND\n\nClassroom exercises, checked against the store\n\n"
      "Commands:\n  list        List the lessons\n  show N      Print lesson N and make it the "
      "active one\n  check N     Check lesson N's exercise\n  reset       Start again from a "
      "fresh store\n";
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    fmt::print("{}", usage);
    return args.empty() ? 1 : 0;
  }
  std::vector<std::string> rest(args.begin() + 1, args.end());
  if (args[0] == "list") return List(rest);
  if (args[0] == "show") return Show(ctx, rest);
  if (args[0] == "check") return Check(ctx, rest);
  if (args[0] == "reset") return Reset(ctx, rest);
  return UsageError("lesson", fmt::format("layerlab lesson: unknown command \"{}\"", args[0]));
}

}  // namespace layerlab::cli
