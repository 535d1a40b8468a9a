// End-to-end tests of `build`: every Dockerfile instruction (history, layers, files, config),
// WORKDIR, ENTRYPOINT, ONBUILD, ARG, progress lines, tags, -q, -f, and Dockerfile errors.
// (COPY/ADD and .dockerignore are in build_e2e_copy_test.cc, the cache and failing steps in
// build_e2e_cache_test.cc, stages in build_e2e_stages_test.cc; the fixture is build_fixture.h.)
#include <set>

#include "e2e/build_fixture.h"

namespace layerlab::testing::build {

class E2EBuildTest : public BuildFixture {
 protected:
  // A context and Dockerfile that use every instruction. Built with --build-arg VERSION=2.5.
  std::string FullContext() {
    std::string ctx = Context();
    Put(ctx, "one.txt", "one\n");
    Put(ctx, "two.txt", "two\n");
    Put(ctx, "run.sh", "echo hi\n");
    Put(ctx, "src/app.py", "print(1)\n");
    Put(ctx, "src/lib/util.py", "lib\n");
    PutTar(ctx, "bundle.tar", {{"pkg/file.txt", "inside the tar\n"}});
    Put(ctx, "Dockerfile",
        "ARG BASE=busybox\n"
        "FROM ${BASE}\n"
        "MAINTAINER Jane Doe <jane@example.com>\n"
        "ARG VERSION=1.0\n"
        "ARG FLAVOR=plain\n"
        "ENV APP_HOME=/app MODE=prod\n"
        "ENV GREETING hello world\n"
        "LABEL org.example.version=\"${VERSION}\" \"org.example.desc\"=\"two words\"\n"
        "WORKDIR $APP_HOME\n"
        "WORKDIR sub\n"
        "WORKDIR /etc\n"
        "COPY one.txt /app/first.txt\n"
        "COPY one.txt two.txt /app/multi/\n"
        "COPY *.txt /app/glob/\n"
        "COPY src /app/src\n"
        "COPY src/ /app/src2/\n"
        "COPY one.txt /app\n"
        "RUN echo 'nogroup:x:65533:' >> /etc/group\n"
        "COPY --chown=nobody:nogroup one.txt /app/owned.txt\n"
        "COPY --chmod=0755 run.sh /app/run.sh\n"
        "ADD bundle.tar /app/unpacked/\n"
        "RUN echo \"version=$VERSION flavor=$FLAVOR mode=$MODE base=[$BASE]\" > "
        "/app/run-shell.txt\n"
        "RUN [\"/bin/sh\", \"-c\", \"echo exec-form > /app/run-exec.txt\"]\n"
        "SHELL [\"/bin/sh\", \"-ec\"]\n"
        "RUN case $- in *e*) echo errexit-on ;; *) echo errexit-off ;; esac > /app/flags.txt\n"
        "RUN <<EOT\n"
        "echo line1 > /app/heredoc.txt\n"
        "echo line2 >> /app/heredoc.txt\n"
        "EOT\n"
        "USER nobody\n"
        "RUN id -u > /tmp/uid.txt\n"
        "EXPOSE 80 443/udp\n"
        "VOLUME /data\n"
        "STOPSIGNAL SIGTERM\n"
        "HEALTHCHECK --interval=30s --timeout=5s CMD true\n"
        "ENTRYPOINT [\"/bin/echo\"]\n"
        "CMD [\"hello\"]\n"
        "ONBUILD RUN echo triggered > /onbuild.txt\n");
    return ctx;
  }
  void BuildFull() { BuildOk(FullContext(), {"--build-arg", "VERSION=2.5", "-t", "full:v1"}); }
};

// ---------------------------------------------------------------------------------------------
// Every instruction

TEST_F(E2EBuildTest, EveryInstructionRecordsBuildKitHistory) {
  BuildFull();
  const std::string args = "|2 VERSION=2.5 FLAVOR=plain ";
  std::vector<HistoryEntry> want = {
      Empty("MAINTAINER Jane Doe <jane@example.com>"),
      // layerlab records the Dockerfile's default, not the --build-arg value (README: a
      // changed build arg then invalidates only the RUN steps that see it).
      Empty("ARG VERSION=1.0"),
      Empty("ARG FLAVOR=plain"),
      Empty("ENV APP_HOME=/app MODE=prod"),
      Empty("ENV GREETING=hello world"),
      Empty("LABEL org.example.version=2.5 org.example.desc=two words"),
      Layer("WORKDIR /app"),
      Layer("WORKDIR /app/sub"),
      Empty("WORKDIR /etc"),  // exists already: an empty diff makes no layer
      Layer("COPY one.txt /app/first.txt # buildkit"),
      Layer("COPY one.txt two.txt /app/multi/ # buildkit"),
      Layer("COPY *.txt /app/glob/ # buildkit"),
      Layer("COPY src /app/src # buildkit"),
      Layer("COPY src/ /app/src2/ # buildkit"),
      Layer("COPY one.txt /app # buildkit"),
      Layer("RUN " + args + "/bin/sh -c echo 'nogroup:x:65533:' >> /etc/group # buildkit"),
      Layer("COPY --chown=nobody:nogroup one.txt /app/owned.txt # buildkit"),
      Layer("COPY --chmod=0755 run.sh /app/run.sh # buildkit"),
      Layer("ADD bundle.tar /app/unpacked/ # buildkit"),
      Layer("RUN " + args +
            "/bin/sh -c echo \"version=$VERSION flavor=$FLAVOR mode=$MODE base=[$BASE]\" > "
            "/app/run-shell.txt # buildkit"),
      Layer("RUN " + args + "/bin/sh -c echo exec-form > /app/run-exec.txt # buildkit"),
      Empty("SHELL [/bin/sh -ec]"),
      Layer("RUN " + args +
            "/bin/sh -ec case $- in *e*) echo errexit-on ;; *) echo errexit-off ;; esac > "
            "/app/flags.txt # buildkit"),
      Layer("RUN " + args +
            "/bin/sh -ec echo line1 > /app/heredoc.txt\necho line2 >> /app/heredoc.txt\n"
            " # buildkit"),
      Empty("USER nobody"),
      Layer("RUN " + args + "/bin/sh -ec id -u > /tmp/uid.txt # buildkit"),
      Empty("EXPOSE map[443/udp:{} 80/tcp:{}]"),
      Empty("VOLUME [/data]"),
      Empty("STOPSIGNAL SIGTERM"),
      Empty("HEALTHCHECK &{[\"CMD-SHELL\" \"true\"] \"30s\" \"5s\" \"0s\" \"0s\" '\\x00'}"),
      Empty("ENTRYPOINT [\"/bin/echo\"]"),
      Empty("CMD [\"hello\"]"),
      // ONBUILD is recorded in the config only: BuildKit adds no history entry for it.
  };
  std::vector<HistoryEntry> got = BuiltHistory("full:v1");
  for (size_t i = 0; i < want.size() && i < got.size(); ++i) {
    EXPECT_EQ(got[i], want[i]) << "history entry " << i;
  }
  EXPECT_EQ(got.size(), want.size());
  if (got.size() > want.size()) ADD_FAILURE() << "extra history entry: " << got[want.size()];
}

TEST_F(E2EBuildTest, EveryInstructionMakesOneLayerPerFileChange) {
  BuildFull();
  // busybox's layer, WORKDIR x2, COPY x6, RUN, COPY x2, ADD, RUN x5.
  EXPECT_EQ(LayerCount("full:v1"), 18u);
  // Every history entry without empty_layer has a layer, in order (the image spec's rule).
  size_t with_layer = 0;
  for (const auto& h : History("full:v1")) with_layer += h.empty_layer ? 0 : 1;
  EXPECT_EQ(with_layer, LayerCount("full:v1"));
  json cfg = ConfigBlob("full:v1");
  EXPECT_EQ(cfg["rootfs"]["diff_ids"], Inspect("full:v1")["RootFS"]["Layers"]);
}

TEST_F(E2EBuildTest, EveryInstructionSetsTheConfig) {
  BuildFull();
  json img = Inspect("full:v1");
  json c = img["Config"];
  EXPECT_EQ(img["Author"], "Jane Doe <jane@example.com>");
  EXPECT_EQ(img["Comment"], "buildkit.dockerfile.v0");
  // ARGs are not in the image's environment; ENV is, in order, after the base's PATH.
  EXPECT_EQ(c["Env"], json({"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                            "APP_HOME=/app", "MODE=prod", "GREETING=hello world"}));
  EXPECT_EQ(c["Cmd"], json({"hello"}));
  EXPECT_EQ(c["Entrypoint"], json({"/bin/echo"}));
  EXPECT_EQ(c["WorkingDir"], "/etc");
  EXPECT_EQ(c["User"], "nobody");
  EXPECT_EQ(c["ExposedPorts"], json({{"80/tcp", json::object()}, {"443/udp", json::object()}}));
  EXPECT_EQ(c["Volumes"], json({{"/data", json::object()}}));
  EXPECT_EQ(c["Labels"], json({{"org.example.version", "2.5"}, {"org.example.desc", "two words"}}));
  EXPECT_EQ(c["StopSignal"], "SIGTERM");
  EXPECT_EQ(c["Healthcheck"], json({{"Test", {"CMD-SHELL", "true"}},
                                    {"Interval", 30000000000LL},
                                    {"Timeout", 5000000000LL}}));
  EXPECT_EQ(c["OnBuild"], json({"RUN echo triggered > /onbuild.txt"}));
  EXPECT_EQ(c["Shell"], json({"/bin/sh", "-ec"}));
}

TEST_F(E2EBuildTest, EveryInstructionPutsTheFilesInTheImage) {
  BuildFull();
  // What COPY, ADD, WORKDIR and RUN left under /app.
  EXPECT_EQ(Sh("full:v1", "cd /app && find . | sort"),
            ".\n./first.txt\n./flags.txt\n./glob\n./glob/one.txt\n./glob/two.txt\n"
            "./heredoc.txt\n./multi\n./multi/one.txt\n./multi/two.txt\n./one.txt\n"
            "./owned.txt\n./run-exec.txt\n./run-shell.txt\n./run.sh\n./src\n./src/app.py\n"
            "./src/lib\n./src/lib/util.py\n./src2\n./src2/app.py\n./src2/lib\n"
            "./src2/lib/util.py\n./sub\n./unpacked\n./unpacked/pkg\n./unpacked/pkg/file.txt\n");
  // Owners and modes: COPY makes 0:0 files with the source's mode; --chown names are looked
  // up in the image's /etc/passwd and /etc/group; --chmod sets the mode.
  EXPECT_EQ(Sh("full:v1",
               "cd /app && stat -c '%n %u:%g %a' first.txt owned.txt run.sh "
               "src/lib/util.py sub unpacked/pkg/file.txt"),
            "first.txt 0:0 644\nowned.txt 65534:65533 644\nrun.sh 0:0 755\n"
            "src/lib/util.py 0:0 644\nsub 0:0 755\nunpacked/pkg/file.txt 0:0 644\n");
  // RUN: ARG and ENV values in the environment, ARG before FROM not visible in the stage, exec
  // form, SHELL's flags, a heredoc script, and USER for what follows.
  EXPECT_EQ(Sh("full:v1",
               "cd /app && cat run-shell.txt run-exec.txt flags.txt heredoc.txt "
               "unpacked/pkg/file.txt /tmp/uid.txt"),
            "version=2.5 flavor=plain mode=prod base=[]\nexec-form\nerrexit-on\nline1\nline2\n"
            "inside the tar\n65534\n");
  // The image runs as its USER, in its WORKDIR, with ENTRYPOINT + CMD.
  EXPECT_EQ(Sh("full:v1", "id -u; pwd; echo \"$GREETING\""), "65534\n/etc\nhello world\n");
  EXPECT_EQ(Ok({"run", "--rm", "full:v1"}), "hello\n");
  EXPECT_EQ(Ok({"run", "--rm", "full:v1", "other", "words"}), "other words\n");
  // ONBUILD did not run in this build.
  EXPECT_EQ(Sh("full:v1", "test -e /onbuild.txt && echo yes || echo no"), "no\n");
}

TEST_F(E2EBuildTest, HistoryVerbListsEveryStepNewestFirst) {
  std::string ctx = Context();
  Put(ctx, "a.txt", "hello\n");
  Put(ctx, "Dockerfile",
      "FROM busybox\nWORKDIR /app\nCOPY a.txt .\nRUN echo built > /app/built.txt\n"
      "CMD [\"cat\", \"/app/a.txt\"]\n");
  BuildOk(ctx, {"-t", "app:v1"});
  std::vector<std::string> lines = Lines(Ok({"history", "--no-trunc", "app:v1"}));
  ASSERT_EQ(lines.size(), 1u + History("app:v1").size());
  std::vector<std::vector<std::string>> rows;
  for (size_t i = 1; i < lines.size(); ++i) rows.push_back(Columns(lines[i]));
  ASSERT_GE(rows.size(), 4u);
  const std::vector<std::pair<std::string, std::string>> want = {
      {"CMD [\"cat\" \"/app/a.txt\"]", "0B"},
      {"RUN /bin/sh -c echo built > /app/built.txt # buildkit", "6B"},
      {"COPY a.txt . # buildkit", "6B"},
      {"WORKDIR /app", "0B"}};
  std::set<std::string> ids;
  for (size_t i = 0; i < want.size(); ++i) {
    ASSERT_EQ(rows[i].size(), 5u) << lines[i + 1];
    EXPECT_EQ(rows[i][2], want[i].first);
    EXPECT_EQ(rows[i][3], want[i].second);
    EXPECT_EQ(rows[i][4], "buildkit.dockerfile.v0");
    // Each step is an image of its own, the parent of the next.
    EXPECT_TRUE(Matches(rows[i][0], std::regex("^sha256:[0-9a-f]{64}$"))) << rows[i][0];
    ids.insert(rows[i][0]);
  }
  EXPECT_EQ(ids.size(), want.size());
  EXPECT_EQ(rows[0][0], IdOf("app:v1"));
  EXPECT_EQ(Inspect("app:v1")["Parent"], rows[1][0]);
  EXPECT_EQ(Inspect(rows[1][0])["Parent"], rows[2][0]);
}

// ---------------------------------------------------------------------------------------------
// WORKDIR, ENTRYPOINT, ONBUILD, ARG

TEST_F(E2EBuildTest, WorkdirMakesALayerOnlyWhenItCreatesADirectory) {
  std::string ctx = Context();
  Put(ctx, "Dockerfile",
      "FROM busybox\nWORKDIR /tmp\nWORKDIR /\nUSER nobody\nWORKDIR /work/deep\nWORKDIR ..\n");
  BuildOk(ctx, {"-t", "wd:1"});
  EXPECT_EQ(
      BuiltHistory("wd:1"),
      (std::vector<HistoryEntry>{Empty("WORKDIR /tmp"), Empty("WORKDIR /"), Empty("USER nobody"),
                                 Layer("WORKDIR /work/deep"), Empty("WORKDIR /work")}));
  EXPECT_EQ(LayerCount("wd:1"), 2u);
  EXPECT_EQ(Inspect("wd:1")["Config"]["WorkingDir"], "/work");
  // The directories WORKDIR makes belong to the USER at that point.
  EXPECT_EQ(Sh("wd:1", "stat -c '%n %u:%g %a' /work /work/deep; pwd"),
            "/work 65534:65534 755\n/work/deep 65534:65534 755\n/work\n");
}

TEST_F(E2EBuildTest, EntrypointDropsTheBaseCmdButKeepsACmdOfThisDockerfile) {
  std::string ctx = Context();
  Put(ctx, "Dockerfile", "FROM busybox\nENTRYPOINT [\"/bin/echo\", \"ep\"]\n");
  BuildOk(ctx, {"-t", "ep:1"});
  json c = Inspect("ep:1")["Config"];
  EXPECT_TRUE(!c.contains("Cmd") || c["Cmd"].is_null()) << c.dump();  // busybox's ["sh"] gone
  EXPECT_EQ(Ok({"run", "--rm", "ep:1"}), "ep\n");

  Put(ctx, "Dockerfile", "FROM busybox\nCMD [\"x\"]\nENTRYPOINT echo from shell form\n");
  BuildOk(ctx, {"-t", "ep:2"});
  c = Inspect("ep:2")["Config"];
  EXPECT_EQ(c["Cmd"], json({"x"}));
  EXPECT_EQ(c["Entrypoint"], json({"/bin/sh", "-c", "echo from shell form"}));
  EXPECT_EQ(BuiltHistory("ep:2").back(),
            Empty("ENTRYPOINT [\"/bin/sh\" \"-c\" \"echo from shell form\"]"));
}

TEST_F(E2EBuildTest, OnbuildTriggersRunWhenAnotherBuildUsesTheImage) {
  std::string parent = Context("parent");
  Put(parent, "Dockerfile",
      "FROM busybox\nONBUILD COPY a.txt /from-onbuild.txt\n"
      "ONBUILD RUN echo triggered > /onbuild.txt\n");
  BuildOk(parent, {"-t", "parent:1"});
  EXPECT_EQ(Inspect("parent:1")["Config"]["OnBuild"],
            json({"COPY a.txt /from-onbuild.txt", "RUN echo triggered > /onbuild.txt"}));
  EXPECT_EQ(Sh("parent:1", "ls /onbuild.txt /from-onbuild.txt 2>/dev/null; echo end"), "end\n");

  // The triggers run right after FROM, against the child's context.
  std::string child = Context("child");
  Put(child, "a.txt", "from the child's context\n");
  Put(child, "Dockerfile", "FROM parent:1\nRUN cat /onbuild.txt /from-onbuild.txt > /both.txt\n");
  CliResult r = BuildOk(child, {"-t", "child:1"});
  EXPECT_EQ(Sh("child:1", "cat /both.txt"), "triggered\nfrom the child's context\n");
  // Triggers fire once: the child does not carry them on.
  json c = Inspect("child:1")["Config"];
  EXPECT_TRUE(!c.contains("OnBuild") || c["OnBuild"].is_null() || c["OnBuild"].empty()) << c.dump();
  std::vector<HistoryEntry> h = History("child:1");
  ASSERT_GE(h.size(), 3u);
  EXPECT_EQ(std::vector<HistoryEntry>(h.end() - 3, h.end()),
            (std::vector<HistoryEntry>{Layer("COPY a.txt /from-onbuild.txt # buildkit"),
                                       Layer("RUN /bin/sh -c echo triggered > /onbuild.txt "
                                             "# buildkit"),
                                       Layer("RUN /bin/sh -c cat /onbuild.txt /from-onbuild.txt "
                                             "> /both.txt # buildkit")}));
}

TEST_F(E2EBuildTest, OnbuildIsNotAHistoryEntry) {
  // BuildKit's dispatchOnbuild only appends to Config.OnBuild (no commitToHistory).
  std::string ctx = Context();
  Put(ctx, "Dockerfile", "FROM busybox\nONBUILD RUN true\nLABEL a=b\n");
  BuildOk(ctx, {"-t", "ob:1"});
  EXPECT_EQ(BuiltHistory("ob:1"), (std::vector<HistoryEntry>{Empty("LABEL a=b")}));
}

TEST_F(E2EBuildTest, OnbuildTriggersAreCountedAndMarkedInProgress) {
  std::string parent = Context("parent");
  Put(parent, "Dockerfile", "FROM busybox\nONBUILD RUN echo one > /one\nONBUILD RUN true\n");
  BuildOk(parent, {"-t", "parent:1"});
  std::string child = Context("child");
  Put(child, "Dockerfile", "FROM parent:1\nRUN cat /one\n");
  CliResult r = BuildOk(child);
  // BuildKit counts the triggers before it starts, and names them "ONBUILD ...".
  EXPECT_EQ(StepNames(r.err),
            (std::vector<std::string>{"[1/4] FROM docker.io/library/parent:1",
                                      "[2/4] ONBUILD RUN echo one > /one", "[3/4] ONBUILD RUN true",
                                      "[4/4] RUN cat /one"}));
}

TEST_F(E2EBuildTest, ArgTakesItsDefaultOrTheBuildArg) {
  std::string ctx = Context();
  Put(ctx, "Dockerfile",
      "FROM busybox\nARG V=default\nARG UNSET\nRUN echo \"v=$V unset=${UNSET-none}\" > /v\n");
  BuildOk(ctx, {"-t", "arg:default"});
  EXPECT_EQ(Sh("arg:default", "cat /v"), "v=default unset=none\n");
  BuildOk(ctx, {"--build-arg", "V=override", "-t", "arg:override"});
  EXPECT_EQ(Sh("arg:override", "cat /v"), "v=override unset=none\n");
  // Build args reach RUN's environment only, never the image's.
  EXPECT_EQ(Inspect("arg:override")["Config"]["Env"],
            json({"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}));
  // An unused --build-arg is a warning, not an error.
  CliResult r = BuildOk(ctx, {"--build-arg", "NOT_DECLARED=1"});
  EXPECT_EQ(LinesWith(r.err, "NOT_DECLARED"),
            (std::vector<std::string>{
                "[Warning] One or more build-args [NOT_DECLARED] were not consumed"}));
}

TEST_F(E2EBuildTest, ArgHistoryShowsTheDockerfileDefaultAndRunShowsTheValueUsed) {
  // BuildKit's dispatchArg writes the value after --build-arg; layerlab keeps the Dockerfile's
  // text so that the ARG step (an image of its own here) stays cached when only the value
  // changes. The RUN that sees the value records it, as BuildKit does.
  std::string ctx = Context();
  Put(ctx, "Dockerfile", "FROM busybox\nARG V=default\nRUN echo $V > /v\n");
  BuildOk(ctx, {"--build-arg", "V=override", "-t", "arg:1"});
  EXPECT_EQ(
      BuiltHistory("arg:1"),
      (std::vector<HistoryEntry>{Empty("ARG V=default"),
                                 Layer("RUN |1 V=override /bin/sh -c echo $V > /v # buildkit")}));
}

TEST_F(E2EBuildTest, RunHistoryListsAnUnsetArgWithAnEmptyValue) {
  // BuildKit's runCommandString lists every ARG of the stage; one without a value is "K=".
  std::string ctx = Context();
  Put(ctx, "Dockerfile", "FROM busybox\nARG A=1\nARG UNSET\nRUN true\n");
  BuildOk(ctx, {"-t", "arg:2"});
  EXPECT_EQ(BuiltHistory("arg:2"),
            (std::vector<HistoryEntry>{Empty("ARG A=1"), Empty("ARG UNSET"),
                                       Empty("RUN |2 A=1 UNSET= /bin/sh -c true # buildkit")}));
}

TEST_F(E2EBuildTest, EnvValuesAreExpandedWithTheValuesBeforeTheInstruction) {
  std::string ctx = Context();
  Put(ctx, "Dockerfile", "FROM busybox\nENV X=old\nENV X=new Y=$X\nRUN echo \"$X $Y\" > /xy\n");
  BuildOk(ctx, {"-t", "env:1"});
  EXPECT_EQ(Sh("env:1", "cat /xy"), "new old\n");
  EXPECT_EQ(BuiltHistory("env:1")[1], Empty("ENV X=new Y=old"));
}

// ---------------------------------------------------------------------------------------------
// Progress

TEST_F(E2EBuildTest, ProgressLooksLikeBuildKitPlain) {
  std::string ctx = Context();
  Put(ctx, "a.txt", "a\n");
  Put(ctx, "Dockerfile", "FROM busybox\nCOPY a.txt /a\nRUN echo out-line\nCMD [\"sh\"]\n");
  CliResult r = BuildOk(ctx, {"-t", "prog:1"});
  EXPECT_EQ(r.out, "");
  std::string id = IdOf("prog:1");
  std::vector<std::string> lines = Lines(r.err);
  std::vector<std::string> want = {"#4 [1/3] FROM docker.io/library/busybox:latest",
                                   "#5 [2/3] COPY a.txt /a",
                                   "#6 [3/3] RUN echo out-line",
                                   "#7 exporting to image",
                                   "#7 writing image " + id + " done",
                                   "#7 naming to docker.io/library/prog:1 done",
                                   "#7 DONE 0.0s"};
  for (const auto& w : want) {
    EXPECT_EQ(std::count(lines.begin(), lines.end(), w), 1) << w << "\n" << r.err;
  }
  EXPECT_EQ(std::count_if(lines.begin(), lines.end(),
                          [](const std::string& l) {
                            return Matches(l, std::regex("^#6 [0-9]+\\.[0-9]{3} out-line$"));
                          }),
            1)
      << r.err;
  EXPECT_EQ(StepStatus(r.err, "COPY a.txt /a"), "DONE");
  EXPECT_EQ(StepStatus(r.err, "RUN echo out-line"), "DONE");
}

TEST_F(E2EBuildTest, ProgressPadsStepNumbersToTheWidthOfTheTotal) {
  std::string ctx = Context();
  std::string df = "FROM busybox\n";
  for (int i = 1; i <= 9; ++i) df += "RUN echo " + std::to_string(i) + "\n";
  Put(ctx, "Dockerfile", df);
  CliResult r = BuildOk(ctx);
  // BuildKit's prefixCommand: fmt.Sprintf("%*d/%d] ", 1+log10(total), index, total).
  std::vector<std::string> names = StepNames(r.err);
  ASSERT_EQ(names.size(), 10u) << r.err;
  EXPECT_EQ(names[0], "[ 1/10] FROM docker.io/library/busybox:latest");
  EXPECT_EQ(names[1], "[ 2/10] RUN echo 1");
  EXPECT_EQ(names[9], "[10/10] RUN echo 9");
}

TEST_F(E2EBuildTest, ProgressShowsInstructionsWithVariablesExpanded) {
  std::string ctx = Context();
  Put(ctx, "Dockerfile",
      "FROM busybox\nARG WHO=world\nENV DIR=/srv\nWORKDIR $DIR\n"
      "RUN echo hello $WHO in $DIR\n");
  CliResult r = BuildOk(ctx);
  // BuildKit names steps with processCmdEnv(...): the words after expansion.
  EXPECT_EQ(StepNames(r.err),
            (std::vector<std::string>{"[1/3] FROM docker.io/library/busybox:latest",
                                      "[2/3] WORKDIR /srv", "[3/3] RUN echo hello world in /srv"}));
}

// ---------------------------------------------------------------------------------------------
// Tags, -q, -f

TEST_F(E2EBuildTest, QuietPrintsOnlyTheImageId) {
  std::string ctx = Context();
  Put(ctx, "Dockerfile", "FROM busybox\nRUN echo noisy\n");
  CliResult r = BuildOk(ctx, {"-q", "-t", "quiet:1"});
  EXPECT_TRUE(Matches(r.out, kImageIdLine)) << r.out;
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(Trim(r.out), IdOf("quiet:1"));
}

TEST_F(E2EBuildTest, SeveralTagsNameTheSameImage) {
  std::string ctx = Context();
  Put(ctx, "Dockerfile", "FROM busybox\nLABEL x=y\n");
  CliResult r = BuildOk(ctx, {"-t", "multi:a", "-t", "multi:b", "--tag", "other/repo"});
  std::string id = IdOf("multi:a");
  EXPECT_EQ(IdOf("multi:b"), id);
  EXPECT_EQ(IdOf("other/repo:latest"), id);
  EXPECT_EQ(LinesWith(r.err, "naming to"),
            (std::vector<std::string>{"#5 naming to docker.io/library/multi:a done",
                                      "#5 naming to docker.io/library/multi:b done",
                                      "#5 naming to docker.io/other/repo:latest done"}));
  EXPECT_EQ(Inspect("multi:a")["RepoTags"], json({"multi:a", "multi:b", "other/repo:latest"}));
}

TEST_F(E2EBuildTest, TagTakenFromAnOlderImageLeavesItNone) {
  std::string ctx = Context();
  Put(ctx, "app.txt", "v1\n");
  Put(ctx, "Dockerfile", "FROM busybox\nCOPY app.txt /\nRUN cat /app.txt\nCMD [\"cat\"]\n");
  std::string old_id = BuildId(ctx, {"-t", "app:v1"});
  Put(ctx, "app.txt", "v2\n");
  std::string new_id = BuildId(ctx, {"-t", "app:v1"});
  ASSERT_NE(old_id, new_id);
  // `images` (without -a) shows the old image as <none>, and no intermediate step images.
  std::vector<std::string> rows =
      Lines(Ok({"images", "--format", "{{.Repository}}:{{.Tag}} {{.ID}}"}));
  std::sort(rows.begin(), rows.end());
  std::vector<std::string> want = {"<none>:<none> " + old_id.substr(7, 12),
                                   "app:v1 " + new_id.substr(7, 12),
                                   "busybox:latest " + IdOf("busybox").substr(7, 12)};
  std::sort(want.begin(), want.end());
  EXPECT_EQ(rows, want);
  EXPECT_EQ(Inspect(old_id)["RepoTags"], json::array());
}

TEST_F(E2EBuildTest, DashFUsesAnotherDockerfile) {
  std::string ctx = Context();
  Put(ctx, "a.txt", "a\n");
  Put(ctx, "Dockerfile", "FROM busybox\nRUNN broken\n");
  Put(ctx, "other.Dockerfile", "FROM busybox\nCOPY a.txt /from-other\n");
  BuildOk(ctx, {"-f", ctx + "/other.Dockerfile", "-t", "f:1"});
  EXPECT_EQ(Sh("f:1", "cat /from-other"), "a\n");
  // The Dockerfile may live outside the context; COPY still reads the context.
  std::string outside = scratch_ + "/elsewhere/Build.file";
  Put(scratch_, "elsewhere/Build.file", "FROM busybox\nCOPY a.txt /from-outside\n");
  BuildOk(ctx, {"--file", outside, "-t", "f:2"});
  EXPECT_EQ(Sh("f:2", "cat /from-outside"), "a\n");
}

// ---------------------------------------------------------------------------------------------
// Errors

TEST_F(E2EBuildTest, UnknownInstructionSaysWhereAndSuggests) {
  std::string ctx = Context();
  Put(ctx, "Dockerfile", "FROM busybox\nRUNN echo hi\n");
  CliResult r = Build(ctx, {"-t", "bad:1"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err,
            "Error: Dockerfile:2: unknown instruction: RUNN (did you mean RUN?)\n"
            " 2 | RUNN echo hi\n"
            "   | ^^^^\n");
  EXPECT_FALSE(ImageExists("bad:1"));
}

TEST_F(E2EBuildTest, FromAMissingImageNamesIt) {
  std::string ctx = Context();
  Put(ctx, "Dockerfile", "FROM nosuchimage:1.0\nRUN true\n");
  CliResult r = Build(ctx);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("Error: Dockerfile:1: nosuchimage:1.0: no such image"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("\n 1 | FROM nosuchimage:1.0\n"), std::string::npos) << r.err;
}

}  // namespace layerlab::testing::build
