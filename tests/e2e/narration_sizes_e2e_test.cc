// --explain on the commands that read sizes (images, ps -s, system df) and on diff and commit:
// what each number means in layer terms, and why the SIZE column doesn't add up. Golden lines
// in English and French (the lessons quote them), and the JSON events behind them.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "e2e/cli_harness.h"

namespace layerlab::testing {
namespace {

class E2ENarrationSizesTest : public CliTest {
 protected:
  // busybox under two names, and a container that changed, deleted and added a file.
  void SetUp() override {
    CliTest::SetUp();
    Ok({"tag", "busybox", "mybox:1"});
    Ok({"run", "--name", "changer", "busybox", "sh", "-c",
        "echo hi >> /etc/passwd; rm /bin/ls; echo new > /new.txt"});
    busybox_ = Trim(Ok({"images", "-q", "busybox"}));
    layer_ = LayerOf("busybox", 0);
  }
  std::string Explain(const std::string& lang, std::vector<std::string> args) {
    args.insert(args.begin(), {"--explain", "--lang", lang});
    CliResult r = Run(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.err;
  }
  std::string LayerOf(const std::string& image, int n) {
    return nlohmann::json::parse(Ok({"inspect", image}))[0]["RootFS"]["Layers"][n];
  }
  std::string busybox_, layer_;
};

TEST_F(E2ENarrationSizesTest, ImagesSaysWhySizesDoNotAddUp) {
  std::string en = Explain("en", {"images"});
  EXPECT_NE(en.find("[explain] size      image " + busybox_ +
                    " (busybox:latest, mybox:1): SIZE 1.98MB is its virtual size, the sum of its "
                    "layers — 1 layer(s): 0B shared with other images, 1.98MB its own\n"),
            std::string::npos)
      << en;
  // Two rows of 1.98MB, one layer on disk.
  EXPECT_NE(en.find("[explain] size      1 image(s) listed, 1.98MB of layers on disk — the SIZE "
                    "column adds up to 3.96MB, but the 1 distinct layer(s) take 1.98MB on disk: "
                    "a layer shared by several images, or an image listed under several names, "
                    "is stored once\n"),
            std::string::npos)
      << en;
  std::string fr = Explain("fr", {"images"});
  EXPECT_NE(fr.find("la colonne SIZE fait 3.96MB au total, mais les 1 couche(s) distinctes "
                    "n'occupent que 1.98MB sur le disque"),
            std::string::npos)
      << fr;
  Ok({"rmi", "mybox:1"});
  EXPECT_NE(Explain("en", {"images"}).find("nothing is counted twice: the SIZE column adds up "
                                           "to 1.98MB, what the 1 layer(s) take on disk"),
            std::string::npos);
}

TEST_F(E2ENarrationSizesTest, PsSizeIsTheWritableLayerAndVirtualAddsTheImage) {
  Ok({"create", "--name", "idle", "busybox"});
  std::string size = Columns(Lines(Ok({"ps", "-a", "-s", "--filter", "name=changer"}))[1]).back();
  std::string writable = size.substr(0, size.find(' '));
  std::string en = Explain("en", {"ps", "-a", "-s", "--filter", "name=changer"});
  EXPECT_NE(en.find("(changer): SIZE " + writable + " is its writable layer only — virtual "),
            std::string::npos)
      << en;
  EXPECT_NE(en.find(" writable + 1.98MB of read-only image layers, shared with 1 other "
                    "container(s) of the same image\n"),
            std::string::npos)
      << en;
  EXPECT_EQ(en.find("(idle)"), std::string::npos) << "only the listed containers: " << en;
  std::string fr = Explain("fr", {"ps", "-a", "-s"});
  EXPECT_NE(fr.find("(changer) : SIZE " + writable + " n'est que sa couche inscriptible"),
            std::string::npos)
      << fr;
  EXPECT_NE(fr.find("[explain] size      2 conteneur(s) : " + writable + " écrits en tout"),
            std::string::npos)
      << fr;
}

TEST_F(E2ENarrationSizesTest, DiffNamesTheLayerEachChangeHides) {
  std::string en = Explain("en", {"diff", "changer"});
  std::string from = "from layer 1 (" + layer_.substr(7, 12) + ")";
  EXPECT_NE(en.find("[explain] diff      C /etc/passwd, over the version " + from),
            std::string::npos)
      << en;
  EXPECT_NE(en.find("— the writable layer holds a whole copy, made on the first write "
                    "(copy-up), that hides the image's version\n"),
            std::string::npos);
  EXPECT_NE(en.find("[explain] diff      D /bin/ls, over the version " + from), std::string::npos);
  EXPECT_NE(en.find("— a whiteout in the writable layer hides it; the image layer is not "
                    "changed\n"),
            std::string::npos);
  EXPECT_NE(en.find("[explain] diff      A /new.txt — only the writable layer has it; no image "
                    "layer does\n"),
            std::string::npos)
      << en;
  std::string fr = Explain("fr", {"diff", "changer"});
  EXPECT_NE(fr.find("[explain] diff      D /bin/ls, par-dessus la version de la couche 1 ("),
            std::string::npos)
      << fr;
  EXPECT_NE(fr.find("— un whiteout dans la couche inscriptible le cache ; la couche de l'image "
                    "ne change pas\n"),
            std::string::npos);
}

TEST_F(E2ENarrationSizesTest, CommitTurnsTheWritableLayerIntoOneLayer) {
  std::string trace = scratch_ + "/commit.jsonl";
  CliResult r = Run({"--explain=json:" + trace, "commit", "changer", "changed:1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string committed;
  std::vector<std::string> kinds;
  for (const auto& e : ReadTrace(trace)) {
    kinds.push_back(e["kind"]);
    if (e["kind"] == "layer_committed") {
      EXPECT_EQ(e["subject"].get<std::string>().substr(0, 12),
                Trim(Ok({"ps", "-aq", "--filter", "name=changer"})));
      EXPECT_EQ(e["detail"], "1 added, 3 changed, 1 deleted");  // /new.txt; /bin /etc /etc/passwd; /bin/ls
      committed = e["layer"];
    }
  }
  ASSERT_FALSE(committed.empty());
  // The committed layer is the new image's top layer; the base layer is shared, not copied.
  EXPECT_EQ(LayerOf("changed:1", 1), committed);
  auto at = [&](const std::string& k) {
    return std::find(kinds.begin(), kinds.end(), k) - kinds.begin();
  };
  EXPECT_LT(at("layer_committed"), at("layer_shared"));
  EXPECT_LT(at("layer_shared"), at("image_created"));
  EXPECT_LT(at("image_created"), at("tag_added"));
  std::string fr = Explain("fr", {"commit", "changer", "changed:2"});
  EXPECT_NE(fr.find(" : 1 ajouté(s), 3 modifié(s), 1 supprimé(s))"), std::string::npos) << fr;
  EXPECT_NE(fr.find("les changements de la couche inscriptible deviennent une nouvelle couche "
                    "au-dessus des 1 couche(s) de l'image, partagées et non copiées"),
            std::string::npos)
      << fr;
}

TEST_F(E2ENarrationSizesTest, SystemDfExplainsWhatIsReclaimable) {
  std::string en = Explain("en", {"system", "df"});
  EXPECT_NE(en.find("[explain] size      reclaimable: "), std::string::npos) << en;
  EXPECT_NE(en.find("(1 active image(s), 0 running container(s)) — 0B of layers, all but those "
                    "that only images used by a container hold (Docker's rule: a layer an unused "
                    "image shares counts too), and "),
            std::string::npos)
      << en;
  std::string fr = Explain("fr", {"system", "df"});
  EXPECT_NE(fr.find("(1 image(s) utilisée(s), 0 conteneur(s) en marche) — 0B de couches, toutes "
                    "sauf celles que seules des images utilisées par un conteneur ont (règle de "
                    "Docker : une couche partagée avec une image inutilisée compte aussi), et "),
            std::string::npos)
      << fr;
}

}  // namespace
}  // namespace layerlab::testing
