// Schema versions and migrations: an old store is upgraded in place, a newer one is refused.
#include "store/schema.h"

#include "layerlab/store.h"
#include "store/database.h"
#include "test_util.h"

namespace layerlab {
namespace {

using store::Database;

class SchemaTest : public testing::TempDirTest {};

int64_t CountRows(Database* db, const std::string& table) {
  auto st = db->Prepare("SELECT COUNT(*) FROM " + table);
  EXPECT_TRUE(st.has_value());
  EXPECT_TRUE(*st->Step());
  return st->ColumnInt(0);
}

TEST_F(SchemaTest, FreshDatabaseGetsTheCurrentVersion) {
  auto db = Database::Open(Path("db"));
  ASSERT_TRUE(db.has_value());
  ASSERT_OK(store::Migrate(db->get(), Tracer()));
  EXPECT_EQ(*store::SchemaVersion(db->get()), store::CurrentSchemaVersion());
  EXPECT_GE(store::CurrentSchemaVersion(), 2);
  EXPECT_EQ(CountRows(db->get(), "containers"), 0);
}

TEST_F(SchemaTest, VersionOneStoreIsMigratedKeepingItsRows) {
  {
    auto db = *Database::Open(Path("db"));
    ASSERT_OK(store::MigrateTo(db.get(), 1, Tracer()));
    EXPECT_EQ(*store::SchemaVersion(db.get()), 1);
    ASSERT_OK(db->Exec("INSERT INTO layers VALUES('sha256:l','sha256:l',NULL,5,10,0)"));
    ASSERT_OK(db->Exec("INSERT INTO images VALUES('sha256:i','sha256:m','',0,5,0)"));
    ASSERT_OK(db->Exec("INSERT INTO image_layers VALUES('sha256:i',0,'sha256:l')"));
    ASSERT_OK(db->Exec("INSERT INTO tags VALUES('docker.io/library/a:latest','a','latest',"
                       "'sha256:i',0)"));
    // v1 has no containers table yet.
    EXPECT_FALSE(db->Exec("SELECT * FROM containers").ok());
  }
  RecordingSink sink;
  auto db = *Database::Open(Path("db"));
  ASSERT_OK(store::Migrate(db.get(), Tracer(&sink)));
  EXPECT_EQ(*store::SchemaVersion(db.get()), store::CurrentSchemaVersion());
  EXPECT_EQ(CountRows(db.get(), "images"), 1);
  EXPECT_EQ(CountRows(db.get(), "tags"), 1);
  EXPECT_EQ(CountRows(db.get(), "containers"), 0);
  ASSERT_EQ(sink.events.size(), 1u);
  EXPECT_EQ(sink.events[0].kind, TraceKind::kSchemaMigrated);
  EXPECT_EQ(sink.events[0].detail, "v1 -> v" + std::to_string(store::CurrentSchemaVersion()));
}

TEST_F(SchemaTest, NewerStoreIsRefusedAndLeftAlone) {
  {
    auto db = *Database::Open(Path("db"));
    ASSERT_OK(db->Exec("PRAGMA user_version = 99"));
  }
  auto db = *Database::Open(Path("db"));
  Status st = store::Migrate(db.get(), Tracer());
  EXPECT_EQ(st.code(), Code::kUnsupported);
  EXPECT_NE(st.message().find("schema version 99, newer than this layerlab understands"),
            std::string::npos)
      << st.message();
  EXPECT_EQ(*store::SchemaVersion(db.get()), 99);
}

TEST_F(SchemaTest, StoreOpenMigratesAnOldStore) {
  std::string root = Path("root");
  std::filesystem::create_directories(root);
  {
    auto db = *Database::Open(root + "/layerlab.db");
    ASSERT_OK(store::MigrateTo(db.get(), 1, Tracer()));
  }
  auto s = Store::Open(root, Tracer());
  ASSERT_TRUE(s.has_value()) << s.error().message();
  auto db = *Database::Open(root + "/layerlab.db");
  EXPECT_EQ(*store::SchemaVersion(db.get()), store::CurrentSchemaVersion());
}

}  // namespace
}  // namespace layerlab
