// Storing a layer that came from outside (an archive, a registry): possibly compressed,
// verified against its blob digest and its diff id, kept uncompressed under the diff id.
#pragma once

#include <set>
#include <string>

#include "layerlab/store.h"

namespace layerlab {

// Reads the (gzip, zstd, xz or plain) layer at `path`; when `blob_digest` is given the file must
// hash to it; its uncompressed content must hash to `diff_id`. Stores it, adds the digest to
// `added` when the store did not have it, and returns it with Docker's size. `shown` names the
// layer in errors.
Result<NewLayer> IngestLayer(Store* store, const std::string& path, const std::string& shown,
                             const std::string& blob_digest, const std::string& diff_id,
                             std::set<std::string>* added);

}  // namespace layerlab
