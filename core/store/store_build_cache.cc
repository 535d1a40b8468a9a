// Store: the build cache table (see README.md, schema v3).
#include <fmt/format.h>

#include "database.h"
#include "layerlab/store.h"

namespace layerlab {

using store::Statement;

namespace {

constexpr const char* kCols = "parent_id,key,instruction,sources,args,image_id,created";

BuildCacheRow ReadRow(const Statement& st) {
  return {st.ColumnText(0), st.ColumnText(1), st.ColumnText(2), st.ColumnText(3),
          st.ColumnText(4), st.ColumnText(5), st.ColumnInt(6)};
}

}  // namespace

Result<std::optional<BuildCacheRow>> Store::FindBuildCache(const std::string& parent_id,
                                                           const std::string& key) {
  LL_ASSIGN_OR_RETURN(Statement st,
                      db_->Prepare(fmt::format("SELECT {} FROM build_cache WHERE parent_id=? "
                                               "AND key=? AND image_id IN (SELECT id FROM images)",
                                               kCols)));
  st.Bind(1, parent_id).Bind(2, key);
  LL_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return std::optional<BuildCacheRow>();
  return std::optional<BuildCacheRow>(ReadRow(st));
}

Result<std::vector<BuildCacheRow>> Store::BuildCacheOf(const std::string& parent_id) {
  LL_ASSIGN_OR_RETURN(
      Statement st,
      db_->Prepare(fmt::format(
          "SELECT {} FROM build_cache WHERE parent_id=? ORDER BY created DESC, rowid DESC", kCols)));
  st.Bind(1, parent_id);
  std::vector<BuildCacheRow> out;
  for (;;) {
    LL_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    out.push_back(ReadRow(st));
  }
  return out;
}

Status Store::PutBuildCache(const BuildCacheRow& row) {
  LL_ASSIGN_OR_RETURN(
      Statement st,
      db_->Prepare(fmt::format("INSERT OR REPLACE INTO build_cache({}) VALUES(?,?,?,?,?,?,?)",
                               kCols)));
  st.Bind(1, row.parent_id).Bind(2, row.key).Bind(3, row.instruction).Bind(4, row.sources);
  st.Bind(5, row.args).Bind(6, row.image_id).Bind(7, row.created);
  return st.Run();
}

Status Store::MarkBuilt(const std::string& image_id) {
  LL_ASSIGN_OR_RETURN(Statement st, db_->Prepare("INSERT OR IGNORE INTO built(image_id) VALUES(?)"));
  st.Bind(1, image_id);
  return st.Run();
}

Result<bool> Store::IsIntermediate(const std::string& image_id) {
  LL_ASSIGN_OR_RETURN(Statement st,
                      db_->Prepare("SELECT 1 FROM build_cache WHERE image_id=? AND image_id NOT "
                                   "IN (SELECT image_id FROM built) LIMIT 1"));
  st.Bind(1, image_id);
  return st.Step();
}

}  // namespace layerlab
