// Images in and out of the store as files other tools read: `docker save` archives (a
// manifest.json for old readers and an OCI layout in the same tar, as Docker 25+ writes them) and
// plain OCI image layout directories. Loading accepts Docker <= 24 archives, Docker >= 25
// archives, OCI archives and layouts, with gzip- or zstd-compressed layers, and verifies every
// digest before anything is committed. Not thread-safe.
#pragma once

#include <string>
#include <vector>

#include "layerlab/images.h"
#include "layerlab/store.h"

namespace layerlab {

enum class ArchiveFormat {
  kDockerArchive,  // a tar: manifest.json + repositories + oci-layout/index.json/blobs
  kOciDir,         // a directory: oci-layout, index.json, blobs/sha256/...
};

// Writes the named images (references or ids) to `out`: a file path, "-" for stdout (the tar
// formats), or a directory (kOciDir, created if missing). Layers are written uncompressed, so
// `tar -xf` shows each layer's files. Failure: NotFound for an unknown image, Io.
Status SaveImages(Store* store, Images* images, const std::vector<std::string>& names,
                  const std::string& out, ArchiveFormat format);

struct LoadedImage {
  std::string id;
  std::vector<std::string> tags;  // familiar names ("app:v1")
};

// Reads an archive (`in`: a file path or "-" for stdin) or, with kOciDir, a layout directory
// (`tag` names the image when its index has no name). Every blob is checked against its digest
// and every layer against the config's diff_ids; any failure (missing blob, wrong digest, path
// traversal, a manifest naming layers that are not there, a truncated tar) is an error naming
// what is wrong, and leaves nothing behind in the store.
Result<std::vector<LoadedImage>> LoadImages(Store* store, Images* images, const std::string& in,
                                            ArchiveFormat format, const std::string& tag = {});

}  // namespace layerlab
