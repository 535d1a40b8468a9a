// The SQLite schema and its migrations (documented in core/store/README.md).
#pragma once

#include <string>
#include <vector>

#include "database.h"
#include "layerlab/trace.h"

namespace layerlab::store {

// Migration N (1-based) takes the schema from version N-1 to N. Never edit a released step:
// add a new one.
const std::vector<std::string>& Migrations();
inline int CurrentSchemaVersion() { return static_cast<int>(Migrations().size()); }

Result<int> SchemaVersion(Database* db);
// Applies the missing migrations in one transaction. Refuses a database newer than this binary.
Status Migrate(Database* db, const Tracer& tracer);
// Applies migrations up to `version` only (tests build an old store with this).
Status MigrateTo(Database* db, int version, const Tracer& tracer);

}  // namespace layerlab::store
