// Docker's output conventions, ported from go-units and text/tabwriter.
#include "cli/format.h"

#include <gtest/gtest.h>

namespace layerlab::cli {
namespace {

TEST(FormatTest, HumanSizeUsesDecimalUnitsAndThreeDigits) {
  EXPECT_EQ(HumanSize(0), "0B");
  EXPECT_EQ(HumanSize(999), "999B");
  EXPECT_EQ(HumanSize(1000), "1kB");
  EXPECT_EQ(HumanSize(1234), "1.23kB");
  EXPECT_EQ(HumanSize(4261550), "4.26MB");
  EXPECT_EQ(HumanSize(2150000), "2.15MB");
  EXPECT_EQ(HumanSize(72800000), "72.8MB");
  EXPECT_EQ(HumanSize(1500000000), "1.5GB");
}

TEST(FormatTest, HumanDurationMatchesDocker) {
  EXPECT_EQ(HumanDuration(0), "Less than a second");
  EXPECT_EQ(HumanDuration(1), "1 second");
  EXPECT_EQ(HumanDuration(45), "45 seconds");
  EXPECT_EQ(HumanDuration(90), "About a minute");
  EXPECT_EQ(HumanDuration(120), "2 minutes");
  EXPECT_EQ(HumanDuration(3600), "About an hour");
  EXPECT_EQ(HumanDuration(5 * 3600), "5 hours");
  EXPECT_EQ(HumanDuration(3 * 86400), "3 days");
  EXPECT_EQ(HumanDuration(20 * 86400), "2 weeks");
  EXPECT_EQ(HumanDuration(90 * 86400), "3 months");
  EXPECT_EQ(HumanDuration(800 * 86400), "2 years");
  EXPECT_EQ(Ago(100, 220), "2 minutes ago");
}

TEST(FormatTest, GoTimeIsUtc) { EXPECT_EQ(GoTime(0), "1970-01-01 00:00:00 +0000 UTC"); }

TEST(FormatTest, EllipsisCutsAtMaxCharacters) {
  EXPECT_EQ(Ellipsis("short", 10), "short");
  EXPECT_EQ(Ellipsis("abcdefghijk", 5), "abcd…");
  EXPECT_EQ(Ellipsis("ééééééé", 3), "éé…");
}

TEST(FormatTest, TableAlignsLikeTabwriter) {
  Table t;
  t.AddRow({"REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE"});
  t.AddRow({"busybox", "latest", "1825ee034048", "6 months ago", "1.98MB"});
  EXPECT_EQ(t.Render(),
            "REPOSITORY   TAG       IMAGE ID       CREATED        SIZE\n"
            "busybox      latest    1825ee034048   6 months ago   1.98MB\n");
}

TEST(FormatTest, TemplateRendersFieldsAndHeaders) {
  Template t("table {{.Repository}}:{{.Tag}}\\t{{ .ID }}");
  EXPECT_TRUE(t.is_table());
  std::string err;
  EXPECT_EQ(t.Render({{"Repository", "a"}, {"Tag", "b"}, {"ID", "c"}}, &err), "a:b\tc");
  EXPECT_EQ(t.Header({{"Repository", "REPOSITORY"}, {"Tag", "TAG"}, {"ID", "IMAGE ID"}}),
            "REPOSITORY:TAG\tIMAGE ID");
  Template bad("{{.Nope}}");
  bad.Render({{"ID", "c"}}, &err);
  EXPECT_EQ(err, "template: can't evaluate field Nope");
}

TEST(FormatTest, JsonFormatEscapesLikeGo) {
  Template t("json");
  std::string err;
  EXPECT_EQ(t.Render({{"Repository", "<none>"}, {"Tag", "x"}}, &err),
            "{\"Repository\":\"\\u003cnone\\u003e\",\"Tag\":\"x\"}");
}

TEST(InspectTemplateTest, FieldsJsonIndexAndLenPrintAsGoDoes) {
  auto obj = nlohmann::json::parse(R"({"Id":"sha256:ab","State":{"Status":"running","Pid":42},
      "RootFS":{"Layers":["sha256:1","sha256:2"]},"Config":{"Cmd":["sh","-c","x"],
      "Labels":{"b":"2","a":"1"}},"Empty":null})");
  std::string error;
  EXPECT_EQ(RenderInspectTemplate("{{.Id}}", obj, &error), "sha256:ab");
  EXPECT_EQ(RenderInspectTemplate("{{.State.Status}}/{{.State.Pid}}", obj, &error), "running/42");
  EXPECT_EQ(RenderInspectTemplate("{{ .Config.Cmd }}", obj, &error), "[sh -c x]");
  EXPECT_EQ(RenderInspectTemplate("{{json .Config.Cmd}}", obj, &error), R"(["sh","-c","x"])");
  EXPECT_EQ(RenderInspectTemplate("{{.Config.Labels}}", obj, &error), "map[a:1 b:2]");
  EXPECT_EQ(RenderInspectTemplate("{{index .RootFS.Layers 1}}", obj, &error), "sha256:2");
  EXPECT_EQ(RenderInspectTemplate("{{index .Config.Labels \"b\"}}", obj, &error), "2");
  EXPECT_EQ(RenderInspectTemplate("n={{len .RootFS.Layers}}", obj, &error), "n=2");
  EXPECT_EQ(RenderInspectTemplate("{{.Missing.Field}} {{.Empty}}", obj, &error),
            "<no value> <no value>");
  EXPECT_EQ(error, "");
}

TEST(InspectTemplateTest, MistakesNameTheAction) {
  auto obj = nlohmann::json::parse(R"({"RootFS":{"Layers":["a"]}})");
  std::string error;
  EXPECT_EQ(RenderInspectTemplate("{{index .RootFS.Layers 3}}", obj, &error), "");
  EXPECT_EQ(error, "template: {{index .RootFS.Layers 3}}: index out of range: 3");
  error.clear();
  RenderInspectTemplate("{{range .RootFS.Layers}}", obj, &error);
  EXPECT_EQ(error, "template: {{range .RootFS.Layers}}: unsupported (layerlab knows .Field, json, "
                   "index and len)");
  error.clear();
  RenderInspectTemplate("{{.Id", obj, &error);
  EXPECT_EQ(error, "template parsing error: unclosed action in `{{.Id`");
}

}  // namespace
}  // namespace layerlab::cli
