// Lessons (lessons/NN-slug/, format in lessons/FORMAT.md): finding them, reading their texts
// (steps, commands, quoted narration), and their checks: parsed from check.txt and evaluated
// against the store, the host files and the last command's trace. Thread-compatible.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "layerlab/containers.h"
#include "layerlab/images.h"
#include "layerlab/status.h"
#include "layerlab/store.h"

namespace layerlab::lesson {

struct Lesson {
  int number = 0;    // 1 for 01-image-vs-container
  std::string slug;  // "image-vs-container"
  std::string dir;   // absolute folder
  std::string title, title_fr;  // the first "# " line of each text
};

// $LAYERLAB_LESSONS, else the folder this build was configured with.
std::string LessonsDir();
// Every NN-slug folder holding a lesson.md, by number.
Result<std::vector<Lesson>> ListLessons(const std::string& dir);
Result<Lesson> FindLesson(const std::string& dir, const std::string& number);

// A lesson text, read for what the tests keep in step with the tool.
struct ExplainBlock {
  int line = 0;                        // of the opening fence
  std::vector<std::string> commands;   // the "$ " lines, without "$ "
  std::vector<std::string> expected;   // the lines the last command's narration must contain
};
struct LessonText {
  std::vector<int> steps;              // "## Step N:" / "## Étape N :" numbers, in order
  std::vector<std::string> commands;   // every "$ layerlab ..." line of console and explain blocks
  std::vector<ExplainBlock> explains;
};
Result<LessonText> ReadLessonText(const std::string& path);
// Whether `line` (narration output) matches an expected line: "…" matches anything, a run of
// spaces matches any run of spaces.
bool NarrationLineMatches(const std::string& expected, const std::string& line);

// check.txt
struct Expect {
  int line = 0;
  std::vector<std::string> words;
};
struct Criterion {
  int line = 0;
  std::string text, text_fr, hint, hint_fr;
  std::vector<Expect> expects;
};
// Errors name the file and line: "lessons/01-x/check.txt:7: expected ...".
Result<std::vector<Criterion>> ParseCheck(const std::string& path);

// Where a check looks.
struct CheckEnv {
  Store* store = nullptr;
  Images* images = nullptr;
  Containers* containers = nullptr;
  std::string trace_dir;  // <root>/lesson: last-command.jsonl, last-<verb>.jsonl
  std::string cwd;        // for `file PATH`
};
// Whether the expectation holds; `observed` gets what was found ("2 containers"), for the report.
Result<bool> Evaluate(const Expect& e, CheckEnv& env, std::string* observed);

// The folder, below a store root, that holds the lesson state (active lesson, last traces).
std::string LessonStateDir(const std::string& root);

}  // namespace layerlab::lesson
