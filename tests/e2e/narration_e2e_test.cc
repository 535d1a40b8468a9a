// --explain's narration as a user reads it, word for word, in English and in French (golden
// tests: the lessons quote these lines), and --step: a pause and a layer stack per step.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "e2e/cli_harness.h"

namespace layerlab::testing {
namespace {

class E2ENarrationTest : public CliTest {};

TEST_F(E2ENarrationTest, TagAndRmiNarrateInEnglish) {
  std::string id = Trim(Ok({"images", "-q", "busybox"}));
  CliResult tag = Run({"--explain", "--lang", "en", "tag", "busybox", "demo:v1"});
  ASSERT_EQ(tag.exit_code, 0) << tag.err;
  EXPECT_EQ(tag.err, "[explain] tag       tag demo:v1 -> image " + id +
                         " — a tag is only a name pointing at an image id\n");
  CliResult rmi = Run({"--explain", "--lang", "en", "rmi", "demo:v1"});
  EXPECT_EQ(rmi.out, "Untagged: demo:v1\n");
  EXPECT_EQ(rmi.err, "[explain] tag       tag demo:v1 removed — only the name "
                     "goes; the image stays while other names or children use it\n");
}

TEST_F(E2ENarrationTest, TagAndRmiNarrateInFrench) {
  std::string id = Trim(Ok({"images", "-q", "busybox"}));
  CliResult tag = Run({"--explain", "--lang", "fr", "tag", "busybox", "demo:v1"});
  ASSERT_EQ(tag.exit_code, 0) << tag.err;
  EXPECT_EQ(tag.err, "[explain] tag       étiquette demo:v1 -> image " + id +
                         " — une étiquette n'est qu'un nom qui pointe vers un identifiant "
                         "d'image\n");
  // Tagging again with the same name and image changes nothing, so nothing is narrated.
  CliResult again = Run({"--explain", "--lang", "fr", "tag", "busybox", "demo:v1"});
  EXPECT_EQ(again.err, "");
  CliResult rmi = Run({"--explain", "--lang", "fr", "rmi", "demo:v1"});
  EXPECT_EQ(rmi.err, "[explain] tag       étiquette demo:v1 retirée — seul "
                     "le nom part ; l'image reste tant que d'autres noms ou des enfants "
                     "l'utilisent\n");
}

TEST_F(E2ENarrationTest, LanguageComesFromLangWhenNotGiven) {
  CliResult r = RunCli(root_, {"--explain", "tag", "busybox", "x:1"});
  EXPECT_NE(r.err.find("a tag is only a name"), std::string::npos) << r.err;
  // LANG=fr_FR.UTF-8 in the environment: French without --lang.
  setenv("LANG", "fr_FR.UTF-8", 1);
  CliResult fr = RunCli(root_, {"--explain", "tag", "busybox", "x:2"});
  unsetenv("LANG");
  EXPECT_NE(fr.err.find("étiquette"), std::string::npos) << fr.err;
}

TEST_F(E2ENarrationTest, BuildNarratesCacheMissesInBothLanguages) {
  std::string ctx = scratch_ + "/ctx";
  std::filesystem::create_directories(ctx);
  WriteFile("ctx/app.py", "v1\n");
  WriteFile("ctx/Dockerfile", "FROM busybox\nCOPY app.py /app/\nCMD [\"cat\", \"/app/app.py\"]\n");
  Ok({"build", "-q", "-t", "app:1", ctx});
  WriteFile("ctx/app.py", "v2\n");
  CliResult en = Run({"--explain", "--lang", "en", "build", "-q", "-t", "app:2", ctx});
  ASSERT_EQ(en.exit_code, 0) << en.err;
  EXPECT_NE(en.err.find("[explain] build     step [2/2]: COPY app.py /app/ # buildkit — "
                        "Dockerfile:2\n[explain] cache     cache miss — app.py changed\n"),
            std::string::npos)
      << en.err;
  EXPECT_NE(en.err.find("[explain] cache     cache miss — an earlier step of this stage was "
                        "rebuilt\n"),
            std::string::npos)
      << en.err;
  WriteFile("ctx/app.py", "v3\n");
  CliResult fr = Run({"--explain", "--lang", "fr", "build", "-q", "-t", "app:3", ctx});
  ASSERT_EQ(fr.exit_code, 0) << fr.err;
  EXPECT_NE(fr.err.find("[explain] build     étape [2/2] : COPY app.py /app/ # buildkit — "
                        "Dockerfile:2\n[explain] cache     pas dans le cache — app.py a changé\n"),
            std::string::npos)
      << fr.err;
  EXPECT_NE(fr.err.find("[explain] cache     pas dans le cache — une étape précédente de cette "
                        "phase a été reconstruite\n"),
            std::string::npos)
      << fr.err;
}

TEST_F(E2ENarrationTest, StepPausesAndDrawsTheLayerStackUntilContinue) {
  std::string ctx = scratch_ + "/ctx";
  std::filesystem::create_directories(ctx);
  WriteFile("ctx/Dockerfile", "FROM busybox\nRUN echo hi > /hi\nRUN echo there > /there\n");
  // Answers on stdin (no terminal here): Enter, then c (continue without pausing).
  CliResult r = Run({"--step", "build", "-q", "-t", "s:1", ctx}, "\nc\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  size_t prompts = 0;
  for (size_t p = 0; (p = r.err.find("[step] Enter: next", p)) != std::string::npos; ++p) {
    ++prompts;
  }
  EXPECT_EQ(prompts, 2u) << r.err;  // after `c` no more pauses
  // The last stack: three layers, the newest on top, and the virtual size.
  size_t last = r.err.rfind("  virtual size ");
  ASSERT_NE(last, std::string::npos) << r.err;
  EXPECT_EQ(r.err.substr(last, r.err.find('\n', last) - last),
            "  virtual size 1.98MB = the sum of 3 layer(s)");
  size_t top = r.err.rfind("  |  3 ");
  ASSERT_NE(top, std::string::npos) << r.err;
  EXPECT_NE(r.err.find("RUN /bin/sh -c echo there > /there", top), std::string::npos) << r.err;
}

TEST_F(E2ENarrationTest, LaunchStepsSayWhatEachNamespaceIsolatesInBothLanguages) {
  CliResult en = Run({"--explain", "--lang", "en", "run", "--rm", "busybox", "true"});
  ASSERT_EQ(en.exit_code, 0) << en.err;
  EXPECT_NE(en.err.find("[explain] launch    launch: namespace pid (CLONE_NEWPID): its own process "
                        "ids: the command is PID 1 and sees no host process\n"),
            std::string::npos)
      << en.err;
  EXPECT_NE(en.err.find("launch: namespace net (CLONE_NEWNET): its own network stack: only a "
                        "loopback interface, lo\n"),
            std::string::npos);
  CliResult fr = Run({"--explain", "--lang", "fr", "run", "--rm", "busybox", "true"});
  ASSERT_EQ(fr.exit_code, 0) << fr.err;
  for (const char* line :
       {"lancement : clone(CLONE_NEWUSER|CLONE_NEWNS|CLONE_NEWPID|CLONE_NEWUTS|CLONE_NEWIPC|"
        "CLONE_NEWNET|CLONE_NEWCGROUP) : nouveaux espaces de noms ; la commande sera le PID 1\n",
        "lancement : espace de noms uts (CLONE_NEWUTS) : son propre nom d'hôte\n",
        "lancement : mount --make-rprivate / : rien de ce que nous montons n'est vu par l'hôte\n",
        "lancement : montage proc sur /proc : un proc du nouvel espace de noms pid : ps ne voit "
        "que le conteneur\n",
        "lancement : montage sysfs sur /sys en lecture seule\n",
        "lancement : pivot_root vers "}) {
    EXPECT_NE(fr.err.find(line), std::string::npos) << line << "\n" << fr.err;
  }
  // No English left in the launch lines.
  for (const char* english : {"new namespaces", "its own", " on /", "read-only", "pivot_root into"}) {
    for (const auto& l : Lines(fr.err)) {
      if (l.find("lancement :") != std::string::npos) {
        EXPECT_EQ(l.find(english), std::string::npos) << l;
      }
    }
  }
}

TEST_F(E2ENarrationTest, DetachedRunsAndStopsAreNarratedToo) {
  // run -d: the supervisor launches the container and sends its events back to be narrated.
  CliResult run = Run({"--explain", "--lang", "en", "run", "-d", "--name", "bg", "busybox",
                       "sleep", "300"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.err.find("launch: namespace pid (CLONE_NEWPID): its own process ids"),
            std::string::npos)
      << run.err;
  EXPECT_NE(run.err.find("launch: exec sleep 300\n"), std::string::npos) << run.err;
  CliResult stop = Run({"--explain", "--lang", "en", "stop", "-t", "0", "bg"});
  ASSERT_EQ(stop.exit_code, 0) << stop.err;
  EXPECT_NE(stop.err.find(": SIGTERM to the container's PID 1 — PID 1 of a pid namespace gets "
                          "only the signals it has a handler for (SIGKILL aside): a shell "
                          "without a trap ignores it\n"),
            std::string::npos)
      << stop.err;
  EXPECT_NE(stop.err.find(": SIGKILL to the container's PID 1 — SIGKILL cannot be caught"),
            std::string::npos)
      << stop.err;
  CliResult start = Run({"--explain", "--lang", "fr", "start", "bg"});
  ASSERT_EQ(start.exit_code, 0) << start.err;
  EXPECT_NE(start.err.find("lancement : exec sleep 300\n"), std::string::npos) << start.err;
  Ok({"rm", "-f", "bg"});
}

}  // namespace
}  // namespace layerlab::testing
