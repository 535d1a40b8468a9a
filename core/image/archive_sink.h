// libarchive's write callback into any byte sink (a BlobWriter, a file), shared by the layer tar
// writer, export and import.
#pragma once

#include <archive.h>

#include <cstdint>
#include <functional>

#include "layerlab/status.h"

namespace layerlab {

struct ArchiveSink {
  std::function<Status(const void*, size_t)> write;
  Status status;     // the first write error, which libarchive itself cannot carry
  int64_t size = 0;  // bytes written
};

inline la_ssize_t ArchiveSinkWrite(struct archive*, void* client, const void* buf, size_t n) {
  auto* sink = static_cast<ArchiveSink*>(client);
  Status st = sink->write(buf, n);
  if (!st.ok()) {
    sink->status = st;
    return -1;
  }
  sink->size += static_cast<int64_t>(n);
  return static_cast<la_ssize_t>(n);
}

}  // namespace layerlab
