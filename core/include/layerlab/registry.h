// Push and pull with a registry that speaks the OCI distribution API (v2), e.g. Docker's
// `registry:2` (Debian's docker-registry): blob HEAD checks, monolithic and chunked uploads,
// cross-repository mounts, manifests with content negotiation (OCI manifest and index, Docker
// schema 2 manifest and manifest list: the linux/amd64 entry is taken), gzip layers on push,
// every digest verified on pull. Bearer-token and basic auth; credentials from `login`.
// Not thread-safe.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "layerlab/images.h"
#include "layerlab/store.h"

namespace layerlab {

struct RegistryOptions {
  // Registries reached over plain http. localhost and 127.0.0.1 always are.
  std::vector<std::string> insecure_registries;
  // Where `login` keeps credentials (0600): default $LAYERLAB_AUTH_FILE, else
  // $XDG_CONFIG_HOME/layerlab/auth.json, else ~/.config/layerlab/auth.json.
  std::string auth_file;
  int64_t chunk_size = 8 << 20;  // blobs bigger than this are uploaded in PATCH chunks
  // Progress lines as Docker prints them ("5f70bf18a086: Pushed").
  std::function<void(const std::string&)> progress;
  // Bytes moving for one layer (its short id, "Pushing" or "Downloading", done, total): what a
  // terminal shows as a progress bar. Optional.
  std::function<void(const std::string&, const std::string&, int64_t, int64_t)> bytes;
};

std::string DefaultAuthFile();

// `push NAME[:TAG]`. Prints Docker's lines through options.progress; returns the manifest digest.
Result<std::string> Push(Store* store, Images* images, const std::string& name,
                         const RegistryOptions& options);

// `pull NAME[:TAG|@DIGEST]`. Returns the image id.
Result<std::string> Pull(Store* store, Images* images, const std::string& name,
                         const RegistryOptions& options);

// `login [-u USER] [-p PASS] SERVER`: checks the credentials against SERVER's /v2/ and stores
// them. `logout SERVER` forgets them.
Status Login(const std::string& server, const std::string& user, const std::string& password,
             const RegistryOptions& options);
Status Logout(const std::string& server, const RegistryOptions& options);

}  // namespace layerlab
