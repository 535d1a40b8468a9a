// Crash safety: `import` killed with SIGKILL at random moments never leaves a half image; what
// it leaves (staging files, unreferenced blobs) is found by `system check` and removed by
// `system check --repair`.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <random>
#include <thread>

#include <nlohmann/json.hpp>

#include "e2e/cli_harness.h"

namespace layerlab::testing {
namespace {

class E2ECrashTest : public CliTest {};

TEST_F(E2ECrashTest, ImportKilledAtRandomMomentsLeavesAConsistentStore) {
  // A tar big enough that an import takes a while: 24 files of 2 MiB of varied bytes.
  std::vector<std::pair<std::string, std::string>> files;
  std::mt19937 fill(7);
  for (int i = 0; i < 24; ++i) {
    std::string content(2 << 20, '\0');
    for (auto& c : content) c = static_cast<char>(fill());
    files.push_back({"data/f" + std::to_string(i), content});
  }
  std::string tar = MakeTar("big.tar", files);
  Ok({"images"});  // create the store and its base image first

  auto t0 = std::chrono::steady_clock::now();
  Ok({"import", tar, "warmup:v1"});
  auto full_us = std::chrono::duration_cast<std::chrono::microseconds>(
                     std::chrono::steady_clock::now() - t0).count();
  Ok({"rmi", "warmup:v1"});

  unsigned seed = static_cast<unsigned>(std::random_device{}());
  SCOPED_TRACE("seed " + std::to_string(seed) + ", full import " + std::to_string(full_us) + "us");
  std::mt19937 rng(seed);
  // Kill at a random moment within the import's duration until 20 kills have landed mid-import
  // (an import that finished first does not count); the machine's load only changes how many
  // attempts that takes.
  std::uniform_int_distribution<long> when(0, full_us);
  int killed_before_exit = 0, attempts = 0;
  const int kKills = 20, kMaxAttempts = 100;
  while (killed_before_exit < kKills && attempts < kMaxAttempts) {
    int pid = StartCli(root_, {"import", tar, "app:v" + std::to_string(attempts++)});
    std::this_thread::sleep_for(std::chrono::microseconds(when(rng)));
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    if (WIFSIGNALED(status)) ++killed_before_exit;
  }
  ASSERT_EQ(killed_before_exit, kKills) << attempts << " attempts";

  // The store reads without error, and no image lacks any of its files.
  CliResult images = Run({"images", "--format", "{{.Repository}}:{{.Tag}} {{.ID}}"});
  ASSERT_EQ(images.exit_code, 0) << images.err;
  for (const auto& line : Lines(images.out)) {
    std::string name = line.substr(0, line.find(' '));
    if (name == "<none>:<none>") continue;
    CliResult inspect = Run({"image", "inspect", name});
    ASSERT_EQ(inspect.exit_code, 0) << name << ": " << inspect.err;
    auto j = nlohmann::json::parse(inspect.out);
    EXPECT_EQ(j[0]["RootFS"]["Layers"].size(), 1u) << name;
  }
  CliResult check = Run({"system", "check"});
  EXPECT_EQ(check.out.find("corrupt:"), std::string::npos) << check.out;
  EXPECT_EQ(check.out.find("missing:"), std::string::npos) << check.out;

  CliResult repair = Run({"system", "check", "--repair"});
  EXPECT_EQ(repair.exit_code, 0) << repair.out << repair.err;
  CliResult clean = Run({"system", "check"});
  EXPECT_EQ(clean.exit_code, 0) << clean.out;
  EXPECT_NE(clean.out.find(" 0 corrupt, 0 missing, 0 orphans"), std::string::npos) << clean.out;
  // After repair, the store still works end to end.
  Ok({"import", tar, "after:v1"});
  EXPECT_EQ(Run({"system", "check"}).exit_code, 0);
}

}  // namespace
}  // namespace layerlab::testing

namespace layerlab::testing {
namespace {

class SystemConcurrencyTest : public CliTest {};

// Several processes share one store: SQLite's busy timeout and the store lock must serialise
// them without losing an image or leaving an orphan.
TEST_F(SystemConcurrencyTest, ParallelImportsAndTagsAllLand) {
  Ok({"images"});
  std::vector<std::string> tars;
  for (int i = 0; i < 6; ++i) {
    tars.push_back(MakeTar("t" + std::to_string(i) + ".tar",
                           {{"f", std::string(200000, static_cast<char>('a' + i))}}));
  }
  std::vector<int> pids;
  for (int i = 0; i < 6; ++i) {
    pids.push_back(StartCli(root_, {"import", tars[i], "p:v" + std::to_string(i)}));
    pids.push_back(StartCli(root_, {"tag", "busybox", "b:v" + std::to_string(i)}));
  }
  for (int pid : pids) {
    int status = 0;
    waitpid(pid, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  auto lines = Lines(Ok({"images", "--format", "{{.Repository}}:{{.Tag}}"}));
  EXPECT_EQ(lines.size(), 13u);
  EXPECT_EQ(Run({"system", "check"}).exit_code, 0);
}

}  // namespace
}  // namespace layerlab::testing
