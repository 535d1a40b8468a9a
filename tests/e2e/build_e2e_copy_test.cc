// End-to-end tests of COPY and ADD in `build`: destinations, modes and owners, archives, URLs,
// .dockerignore, and sources that try to reach outside the context. The fixture is
// build_fixture.h.
#include "e2e/build_fixture.h"

namespace layerlab::testing::build {

class E2EBuildCopyTest : public BuildFixture {};

// ---------------------------------------------------------------------------------------------
// COPY and ADD

TEST_F(E2EBuildCopyTest, CopyKeepsTheSourceModeAndChmodAppliesToEveryFile) {
  std::string ctx = Context();
  Put(ctx, "private.txt", "p\n");
  std::filesystem::permissions(ctx + "/private.txt", std::filesystem::perms::owner_read |
                                                         std::filesystem::perms::owner_write);
  Put(ctx, "bin/a", "a\n");
  Put(ctx, "bin/b", "b\n");
  Put(ctx, "Dockerfile",
      "FROM busybox\nCOPY private.txt /p.txt\nCOPY --chmod=0750 bin /opt/bin/\n");
  BuildOk(ctx, {"-t", "modes:1"});
  EXPECT_EQ(Sh("modes:1", "stat -c '%n %a' /p.txt /opt/bin/a /opt/bin/b"),
            "/p.txt 600\n/opt/bin/a 750\n/opt/bin/b 750\n");
}

TEST_F(E2EBuildCopyTest, CopyDestinationRules) {
  std::string ctx = Context();
  Put(ctx, "one.txt", "one\n");
  Put(ctx, "two.txt", "two\n");
  Put(ctx, "Dockerfile",
      "FROM busybox\nRUN mkdir /existing\n"
      "COPY one.txt /newfile\n"   // no slash, nothing there: the file itself
      "COPY one.txt /newdir/\n"   // a slash: into a new directory
      "COPY one.txt /existing\n"  // an existing directory: into it
      "COPY one.txt two.txt /multi/\n"
      "WORKDIR /w\n"
      "COPY one.txt .\n"  // relative to WORKDIR
      "COPY two.txt rel/\n");
  BuildOk(ctx, {"-t", "dest:1"});
  EXPECT_EQ(Sh("dest:1",
               "for p in /newfile /newdir /newdir/one.txt /existing/one.txt "
               "/multi/one.txt /multi/two.txt /w/one.txt /w/rel/two.txt; do "
               "stat -c '%n %F' $p; done; cat /newfile /w/rel/two.txt"),
            "/newfile regular file\n/newdir directory\n/newdir/one.txt regular file\n"
            "/existing/one.txt regular file\n/multi/one.txt regular file\n"
            "/multi/two.txt regular file\n/w/one.txt regular file\n"
            "/w/rel/two.txt regular file\none\ntwo\n");
}

TEST_F(E2EBuildCopyTest, SeveralSourcesNeedADirectoryDestination) {
  std::string ctx = Context();
  Put(ctx, "one.txt", "one\n");
  Put(ctx, "two.txt", "two\n");
  const std::string msg =
      "When using COPY with more than one source file, the destination must be a directory and "
      "end with a /";
  Put(ctx, "Dockerfile", "FROM busybox\nCOPY *.txt /nodir\n");
  CliResult r = Build(ctx);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("Error: Dockerfile:2: " + msg + "\n 2 | COPY *.txt /nodir\n"),
            std::string::npos)
      << r.err;
  // The same rule when the sources are listed (Dockerfile reference: "If multiple <src>
  // resources are specified, either directly or due to the use of a wildcard, then <dest> must
  // be a directory, and it must end with a slash /").
  Put(ctx, "Dockerfile", "FROM busybox\nCOPY one.txt two.txt /nodir\n");
  r = Build(ctx);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("Error: Dockerfile:2: " + msg), std::string::npos) << r.err;
}

TEST_F(E2EBuildCopyTest, AddExtractsLocalArchivesButCopyDoesNot) {
  std::string ctx = Context();
  PutTar(ctx, "b.tar", {{"pkg/f.txt", "in tar\n"}});
  PutTar(ctx, "b.tar.gz", {{"pkg/g.txt", "in gz\n"}});
  Put(ctx, "plain.txt", "plain\n");
  Put(ctx, "Dockerfile",
      "FROM busybox\nADD b.tar.gz /gz/\nADD b.tar /tar\nCOPY b.tar /copied/\n"
      "ADD plain.txt /added.txt\n");
  BuildOk(ctx, {"-t", "add:1"});
  EXPECT_EQ(Sh("add:1",
               "find /gz /tar /copied | sort; cat /gz/pkg/g.txt /tar/pkg/f.txt "
               "/added.txt"),
            "/copied\n/copied/b.tar\n/gz\n/gz/pkg\n/gz/pkg/g.txt\n/tar\n/tar/pkg\n"
            "/tar/pkg/f.txt\nin gz\nin tar\nplain\n");
}

TEST_F(E2EBuildCopyTest, AddOfAUrlIsRefusedWithAClearMessage) {
  std::string ctx = Context();
  Put(ctx, "Dockerfile", "FROM busybox\nADD https://example.com/x.tar.gz /x/\n");
  CliResult r = Build(ctx, {"-t", "url:1"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("Error: Dockerfile:2: ADD https://example.com/x.tar.gz: downloading "
                       "needs the network"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find(" 2 | ADD https://example.com/x.tar.gz /x/\n"), std::string::npos);
  EXPECT_FALSE(ImageExists("url:1"));
  // COPY never takes a URL (BuildKit's message).
  Put(ctx, "Dockerfile", "FROM busybox\nCOPY https://example.com/x /x\n");
  r = Build(ctx);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("Error: Dockerfile:2: source can't be a URL for COPY"), std::string::npos)
      << r.err;
}

TEST_F(E2EBuildCopyTest, CopyHeredocExpandsVariablesUnlessTheDelimiterIsQuoted) {
  // BuildKit expands a COPY heredoc with an unquoted delimiter (SourcesAndDest.ExpandRaw), with
  // the stage's ARG and ENV values, as the Dockerfile reference's `COPY <<-EOT` example shows.
  std::string ctx = Context();
  Put(ctx, "Dockerfile",
      "FROM busybox\nARG FOO=bar\n"
      "COPY <<EOT /expanded.txt\nhello ${FOO}\nEOT\n"
      "COPY <<\"EOT\" /literal.txt\nhello ${FOO}\nEOT\n");
  BuildOk(ctx, {"-t", "heredoc:1"});
  EXPECT_EQ(Sh("heredoc:1",
               "cat /expanded.txt /literal.txt; stat -c '%n %u:%g %a' "
               "/expanded.txt"),
            "hello bar\nhello ${FOO}\n/expanded.txt 0:0 644\n");
}

TEST_F(E2EBuildCopyTest, CopyChownToAnUnknownUserFails) {
  std::string ctx = Context();
  Put(ctx, "a.txt", "a\n");
  Put(ctx, "Dockerfile", "FROM busybox\nCOPY --chown=ghost a.txt /a\n");
  CliResult r = Build(ctx, {"-t", "ghost:1"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("Error: Dockerfile:2: unable to find user ghost: no matching entries in "
                       "passwd file"),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(ImageExists("ghost:1"));
}

// ---------------------------------------------------------------------------------------------
// .dockerignore

TEST_F(E2EBuildCopyTest, DockerignoreLeavesExcludedFilesOut) {
  std::string ctx = Context();
  Put(ctx, "app.txt", "app\n");
  Put(ctx, "secret.env", "TOKEN=x\n");
  Put(ctx, "notes.md", "n\n");
  Put(ctx, "README.md", "r\n");
  Put(ctx, "docs/guide.md", "g\n");  // "*.md" matches at the top only
  Put(ctx, "tmp/cache.bin", "c\n");
  Put(ctx, ".dockerignore", "# comment\n*.env\n*.md\n!README.md\ntmp\n");
  Put(ctx, "Dockerfile", "FROM busybox\nCOPY . /ctx/\n");
  BuildOk(ctx, {"-t", "ign:1"});
  EXPECT_EQ(Sh("ign:1", "cd /ctx && find . | sort"),
            ".\n./.dockerignore\n./Dockerfile\n./README.md\n./app.txt\n./docs\n"
            "./docs/guide.md\n");
  // An excluded file cannot be named either.
  Put(ctx, "Dockerfile", "FROM busybox\nCOPY secret.env /s\n");
  CliResult r = Build(ctx);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("\"secret.env\": not found"), std::string::npos) << r.err;
}

TEST_F(E2EBuildCopyTest, DockerignoreExceptionInsideAnExcludedDirectory) {
  std::string ctx = Context();
  Put(ctx, "logs/a.log", "a\n");
  Put(ctx, "logs/keep.log", "keep\n");
  Put(ctx, ".dockerignore", "logs\n!logs/keep.log\n");
  Put(ctx, "Dockerfile", "FROM busybox\nCOPY . /ctx/\n");
  BuildOk(ctx, {"-t", "ign:2"});
  // Docker walks into an excluded directory when an exception may match below it.
  EXPECT_EQ(Sh("ign:2", "cd /ctx && find . | sort"),
            ".\n./.dockerignore\n./Dockerfile\n./logs\n./logs/keep.log\n");
}

// ---------------------------------------------------------------------------------------------
// Errors, and the edge of the context

TEST_F(E2EBuildCopyTest, CopyOfAMissingFileNamesIt) {
  std::string ctx = Context();
  Put(ctx, "Dockerfile", "FROM busybox\nCOPY missing.txt /x\n");
  CliResult r = Build(ctx, {"-t", "bad:1"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("Error: Dockerfile:2: failed to compute cache key: \"missing.txt\": not "
                       "found"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("\n 2 | COPY missing.txt /x\n"), std::string::npos) << r.err;
  EXPECT_FALSE(ImageExists("bad:1"));
}

TEST_F(E2EBuildCopyTest, ADotDotSourceCannotReadOutsideTheContext) {
  std::string ctx = Context();
  Put(scratch_, "outside.txt", "OUTSIDE-SECRET\n");
  Put(ctx, "Dockerfile", "FROM busybox\nCOPY ../outside.txt /x\n");
  CliResult r = Build(ctx, {"-t", "esc:1"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("not found"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("OUTSIDE-SECRET"), std::string::npos);
  EXPECT_FALSE(ImageExists("esc:1"));
}

TEST_F(E2EBuildCopyTest, ADotDotSourceMeansTheContextRoot) {
  // BuildKit cleans a source path against "/" (system.NormalizePath("/", src)): "../shared.txt"
  // is the context's own shared.txt (moby/buildkit#2131), never the file beside the context.
  std::string ctx = Context();
  Put(scratch_, "shared.txt", "OUTSIDE-SECRET\n");
  Put(ctx, "shared.txt", "from the context\n");
  Put(ctx, "Dockerfile", "FROM busybox\nCOPY ../shared.txt /x\n");
  BuildOk(ctx, {"-t", "esc:2"});
  if (ImageExists("esc:2")) {
    EXPECT_EQ(Sh("esc:2", "cat /x"), "from the context\n");
  }
}

TEST_F(E2EBuildCopyTest, ASymlinkSourcePointingOutsideTheContextIsNotFollowedOut) {
  std::string ctx = Context();
  Put(scratch_, "secret.txt", "OUTSIDE-SECRET\n");
  std::filesystem::create_symlink(scratch_ + "/secret.txt", ctx + "/abs-link.txt");
  std::filesystem::create_symlink("../secret.txt", ctx + "/rel-link.txt");
  for (const std::string link : {"abs-link.txt", "rel-link.txt"}) {
    Put(ctx, "Dockerfile", "FROM busybox\nCOPY " + link + " /x\n");
    CliResult r = Build(ctx, {"-t", "esc:1"});
    EXPECT_EQ(r.exit_code, 1) << link;
    EXPECT_NE(r.err.find("not found"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("OUTSIDE-SECRET"), std::string::npos);
    if (ImageExists("esc:1")) {
      EXPECT_EQ(Sh("esc:1", "cat /x 2>/dev/null; echo end"), "end\n") << link;
    }
  }
}

TEST_F(E2EBuildCopyTest, ASymlinkInsideACopiedDirectoryStaysALink) {
  std::string ctx = Context();
  Put(scratch_, "secret.txt", "OUTSIDE-SECRET\n");
  Put(ctx, "d/real.txt", "real\n");
  std::filesystem::create_symlink(scratch_ + "/secret.txt", ctx + "/d/evil");
  std::filesystem::create_symlink("real.txt", ctx + "/d/good");
  Put(ctx, "Dockerfile", "FROM busybox\nCOPY d /d\n");
  BuildOk(ctx, {"-t", "links:1"});
  EXPECT_EQ(Sh("links:1",
               "readlink /d/evil; readlink /d/good; cat /d/good; cat /d/evil 2>/dev/null; "
               "echo end"),
            scratch_ + "/secret.txt\nreal.txt\nreal\nend\n");
}

}  // namespace layerlab::testing::build
