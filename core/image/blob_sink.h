// libarchive's write callback into a BlobWriter, shared by the layer tar writer and import.
#pragma once

#include <archive.h>

#include "layerlab/blob_store.h"

namespace layerlab {

struct BlobSink {
  BlobWriter* writer;
  Status status;  // the first write error, which libarchive itself cannot carry
};

inline la_ssize_t BlobSinkWrite(struct archive*, void* client, const void* buf, size_t n) {
  auto* sink = static_cast<BlobSink*>(client);
  Status st = sink->writer->Write(buf, n);
  if (!st.ok()) {
    sink->status = st;
    return -1;
  }
  return static_cast<la_ssize_t>(n);
}

}  // namespace layerlab
