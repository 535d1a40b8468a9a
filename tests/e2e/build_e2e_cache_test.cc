// End-to-end tests of the build cache (what a rebuild reuses, and the reason it gives when it
// cannot) and of a failing RUN. The fixture is build_fixture.h.
#include <signal.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>
#include <utime.h>

#include <ctime>

#include "e2e/build_fixture.h"

namespace layerlab::testing::build {

class E2EBuildCacheTest : public BuildFixture {
 protected:
  // An app whose dependencies are copied before its sources, as Dockerfiles usually do.
  std::string AppContext() {
    std::string ctx = Context();
    Put(ctx, "requirements.txt", "flask\n");
    Put(ctx, "app.py", "print('v1')\n");
    Put(ctx, "Dockerfile",
        "FROM busybox\n"
        "WORKDIR /app\n"
        "COPY requirements.txt .\n"
        "RUN echo installed > /installed.txt\n"
        "COPY . /app\n"
        "RUN cat /app/app.py > /app/built.txt\n"
        "CMD [\"cat\", \"/app/built.txt\"]\n");
    return ctx;
  }
  // The five steps after FROM, as the progress names them.
  const std::vector<std::string> kSteps = {"WORKDIR /app", "COPY requirements.txt .",
                                           "RUN echo installed > /installed.txt", "COPY . /app",
                                           "RUN cat /app/app.py > /app/built.txt"};

  // How each of kSteps finished.
  std::vector<std::string> Statuses(const std::string& err) {
    std::vector<std::string> out;
    for (const auto& s : kSteps) out.push_back(StepStatus(err, s));
    return out;
  }
};

const std::vector<std::string> kAllCached(5, "CACHED");
const std::vector<std::string> kAllDone(5, "DONE");

TEST_F(E2EBuildCacheTest, ASecondIdenticalBuildIsAllCachedAndGivesTheSameImage) {
  std::string ctx = AppContext();
  CliResult first = BuildOk(ctx, {"-t", "app:v1"});
  EXPECT_EQ(Statuses(first.err), kAllDone) << first.err;
  std::string id = IdOf("app:v1");
  CliResult second = BuildOk(ctx, {"-t", "app:v2"});
  EXPECT_EQ(Statuses(second.err), kAllCached) << second.err;
  EXPECT_EQ(LinesWith(second.err, "cache miss"), std::vector<std::string>{}) << second.err;
  EXPECT_EQ(IdOf("app:v2"), id);
  // A reused layer says which layer and how big ("#6 CACHED (reused layer abc123def456, 6B)").
  std::string layer = Inspect("app:v1")["RootFS"]["Layers"][2];
  EXPECT_EQ(LinesWith(second.err, " CACHED (reused layer " + layer.substr(7, 12)),
            (std::vector<std::string>{"#6 CACHED (reused layer " + layer.substr(7, 12) + ", 6B)"}))
      << second.err;
  EXPECT_EQ(Ok({"run", "--rm", "app:v2"}), "print('v1')\n");
}

TEST_F(E2EBuildCacheTest, AChangedFileMissesFromItsCopyOnAndSaysWhich) {
  std::string ctx = AppContext();
  std::string old_id = BuildId(ctx, {"-t", "app:v1"});
  Put(ctx, "app.py", "print('v2')\n");
  CliResult r = BuildOk(ctx, {"-t", "app:v1"});
  EXPECT_EQ(Statuses(r.err),
            (std::vector<std::string>{"CACHED", "CACHED", "CACHED", "DONE", "DONE"}))
      << r.err;
  EXPECT_EQ(LinesWith(r.err, "cache miss"),
            (std::vector<std::string>{"#8 cache miss at step 5/6: app.py changed"}));
  EXPECT_NE(IdOf("app:v1"), old_id);
  EXPECT_EQ(Ok({"run", "--rm", "app:v1"}), "print('v2')\n");

  // A change to the file of the first COPY misses from there (and names it).
  Put(ctx, "requirements.txt", "flask\nrequests\n");
  r = BuildOk(ctx, {"-t", "app:v1"});
  EXPECT_EQ(Statuses(r.err), (std::vector<std::string>{"CACHED", "DONE", "DONE", "DONE", "DONE"}))
      << r.err;
  EXPECT_EQ(LinesWith(r.err, "cache miss"),
            (std::vector<std::string>{"#6 cache miss at step 3/6: requirements.txt changed"}));

  // A new file in the context misses at the COPY that takes it.
  Put(ctx, "extra.txt", "x\n");
  r = BuildOk(ctx, {"-t", "app:v1"});
  EXPECT_EQ(Statuses(r.err),
            (std::vector<std::string>{"CACHED", "CACHED", "CACHED", "DONE", "DONE"}))
      << r.err;
  EXPECT_EQ(LinesWith(r.err, "cache miss"),
            (std::vector<std::string>{"#8 cache miss at step 5/6: extra.txt added"}));
}

TEST_F(E2EBuildCacheTest, TouchingAFileWithoutChangingItKeepsTheCache) {
  // BuildKit's content checksums leave out times: only content, mode and type count.
  std::string ctx = AppContext();
  std::string id = BuildId(ctx);
  struct utimbuf t;
  t.actime = t.modtime = std::time(nullptr) + 3600;
  ASSERT_EQ(utime((ctx + "/app.py").c_str(), &t), 0);
  CliResult r = BuildOk(ctx, {"-t", "app:touched"});
  EXPECT_EQ(Statuses(r.err), kAllCached) << r.err;
  EXPECT_EQ(IdOf("app:touched"), id);
}

TEST_F(E2EBuildCacheTest, AModeChangeMissesTheCache) {
  std::string ctx = AppContext();
  BuildId(ctx);
  std::filesystem::permissions(ctx + "/app.py", std::filesystem::perms::owner_exec,
                               std::filesystem::perm_options::add);
  CliResult r = BuildOk(ctx, {"-t", "app:exec"});
  EXPECT_EQ(Statuses(r.err),
            (std::vector<std::string>{"CACHED", "CACHED", "CACHED", "DONE", "DONE"}))
      << r.err;
  EXPECT_EQ(Sh("app:exec", "stat -c %a /app/app.py"), "744\n");
}

TEST_F(E2EBuildCacheTest, NoCacheRebuildsEveryStep) {
  std::string ctx = AppContext();
  BuildId(ctx, {"-t", "app:v1"});
  CliResult r = BuildOk(ctx, {"--no-cache", "-t", "app:v2"});
  EXPECT_EQ(Statuses(r.err), kAllDone) << r.err;
  EXPECT_EQ(LinesWith(r.err, " CACHED"), std::vector<std::string>{}) << r.err;
  EXPECT_EQ(Ok({"run", "--rm", "app:v2"}), "print('v1')\n");
  // What --no-cache built is cached for the next build.
  CliResult again = BuildOk(ctx, {"-t", "app:v3"});
  EXPECT_EQ(Statuses(again.err), kAllCached) << again.err;
}

TEST_F(E2EBuildCacheTest, AChangedBuildArgMissesFromTheRunThatUsesIt) {
  std::string ctx = Context();
  Put(ctx, "a.txt", "a\n");
  Put(ctx, "Dockerfile",
      "FROM busybox\nARG V=1\nCOPY a.txt /\nRUN echo v=$V > /v\nRUN echo after > /after\n");
  std::string id1 = BuildId(ctx, {"-t", "arg:1"});
  CliResult r = BuildOk(ctx, {"--build-arg", "V=2", "-t", "arg:2"});
  // The COPY does not use V: it is reused; the RUN that has V in its environment is not.
  EXPECT_EQ(StepStatus(r.err, "COPY a.txt /"), "CACHED") << r.err;
  // Step names show variables expanded, as BuildKit's do.
  EXPECT_EQ(StepStatus(r.err, "RUN echo v=2 > /v"), "DONE") << r.err;
  EXPECT_EQ(StepStatus(r.err, "RUN echo after > /after"), "DONE") << r.err;
  EXPECT_EQ(LinesWith(r.err, "cache miss").size(), 1u) << r.err;
  EXPECT_NE(LinesWith(r.err, "cache miss").at(0).find("cache miss at step 3/4: "),
            std::string::npos)
      << r.err;
  EXPECT_EQ(Sh("arg:2", "cat /v"), "v=2\n");
  // Each value has its own cache entry.
  r = BuildOk(ctx, {"--build-arg", "V=2", "-t", "arg:2b"});
  EXPECT_EQ(StepStatus(r.err, "RUN echo v=2 > /v"), "CACHED") << r.err;
  EXPECT_EQ(IdOf("arg:2b"), IdOf("arg:2"));
  EXPECT_EQ(BuildId(ctx, {"--build-arg", "V=1"}), id1);
  // --build-arg V=1 is the same as the default 1.
  EXPECT_EQ(BuildId(ctx), id1);
}

// ---------------------------------------------------------------------------------------------
// A failing RUN

class E2EBuildFailTest : public BuildFixture {
 protected:
  std::string FailingContext() {
    std::string ctx = Context();
    Put(ctx, "a.txt", "a\n");
    Put(ctx, "Dockerfile",
        "FROM busybox\nCOPY a.txt /a.txt\n"
        "RUN echo before-fail && echo oops >&2 && exit 3\n"
        "RUN echo never-runs\n");
    return ctx;
  }
};

TEST_F(E2EBuildFailTest, AFailingRunStopsTheBuildAndShowsItsOutput) {
  std::string ctx = FailingContext();
  std::string images_before = Ok({"images", "-q"});
  CliResult r = Build(ctx, {"-t", "bad:v1"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  // The command's output (stdout and stderr), as "#6 0.004 before-fail".
  std::vector<std::string> lines = Lines(r.err);
  auto has = [&](const std::string& re) {
    return std::any_of(lines.begin(), lines.end(),
                       [&](const std::string& l) { return Matches(l, std::regex(re)); });
  };
  EXPECT_TRUE(has("^#6 [0-9]+\\.[0-9]{3} before-fail$")) << r.err;
  EXPECT_TRUE(has("^#6 [0-9]+\\.[0-9]{3} oops$")) << r.err;
  EXPECT_NE(r.err.find("Error: Dockerfile:3: process \"/bin/sh -c echo before-fail && echo oops "
                       ">&2 && exit 3\" did not complete successfully: exit code: 3\n"
                       " 3 | RUN echo before-fail && echo oops >&2 && exit 3\n"),
            std::string::npos)
      << r.err;
  // Nothing after it ran, and nothing was tagged or left in `images`.
  EXPECT_EQ(StepStatus(r.err, "RUN echo never-runs"), "ABSENT") << r.err;
  EXPECT_EQ(r.err.find("never-runs\n#"), std::string::npos);
  EXPECT_FALSE(ImageExists("bad:v1"));
  EXPECT_EQ(Ok({"images", "-q"}), images_before);
  EXPECT_EQ(LinesWith(r.err, "naming to"), std::vector<std::string>{});
}

TEST_F(E2EBuildFailTest, ARebuildAfterTheFixReusesTheStepsBeforeTheFailure) {
  std::string ctx = FailingContext();
  EXPECT_EQ(Build(ctx, {"-t", "bad:v1"}).exit_code, 1);
  Put(ctx, "Dockerfile",
      "FROM busybox\nCOPY a.txt /a.txt\n"
      "RUN echo before-fail && echo oops >&2 && exit 0\n"
      "RUN echo never-runs\n");
  CliResult r = BuildOk(ctx, {"-t", "bad:v1"});
  EXPECT_EQ(StepStatus(r.err, "COPY a.txt /a.txt"), "CACHED") << r.err;
  EXPECT_EQ(StepStatus(r.err, "RUN echo before-fail && echo oops >&2 && exit 0"), "DONE");
  EXPECT_EQ(StepStatus(r.err, "RUN echo never-runs"), "DONE");
  EXPECT_TRUE(ImageExists("bad:v1"));
  EXPECT_EQ(Sh("bad:v1", "cat /a.txt"), "a\n");
}

TEST_F(E2EBuildFailTest, AFailingBuildLeavesAnEarlierImageOfTheTagAlone) {
  std::string ctx = Context();
  Put(ctx, "Dockerfile", "FROM busybox\nRUN echo good > /good\n");
  std::string id = BuildId(ctx, {"-t", "keep:v1"});
  Put(ctx, "Dockerfile", "FROM busybox\nRUN exit 3\n");
  EXPECT_EQ(Build(ctx, {"-t", "keep:v1"}).exit_code, 1);
  EXPECT_EQ(IdOf("keep:v1"), id);
}

TEST_F(E2EBuildFailTest, AKilledBuildLeavesNothingTheNextBuildDoesNotClean) {
  std::string ctx = Context();
  // Long enough that no jump of the clock (seen on VMs: 30 s at once) ends it before the kill.
  Put(ctx, "Dockerfile", "FROM busybox\nRUN sleep 100000\n");
  int pid = StartCli(root_, {"build", "-q", "-t", "killed:v1", ctx});
  // Wait until the RUN's container exists, then kill the build outright.
  bool running = false;
  for (int i = 0; i < 100 && !running; ++i) {
    running = Ok({"ps", "-a", "-q"}) != "";
    if (!running) usleep(50 * 1000);
  }
  ASSERT_TRUE(running);
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  EXPECT_NE(Ok({"ps", "-a", "--format", "{{.Names}}"}).find("build-"), std::string::npos);
  // No image was tagged; the next build removes the killed build's container (and its process).
  EXPECT_EQ(Run({"image", "inspect", "killed:v1"}).exit_code, 1);
  Put(ctx, "Dockerfile", "FROM busybox\nRUN true\n");
  BuildOk(ctx, {"-t", "next:v1"});
  EXPECT_EQ(Ok({"ps", "-a", "-q"}), "");
  EXPECT_EQ(Ok({"system", "check"}).find("0 orphans") != std::string::npos, true);
}

}  // namespace layerlab::testing::build
