// One repository on one registry: URLs, the auth dance (401 -> token or basic -> retry), and
// the blob and manifest calls push and pull are made of. Private to core/transfer.
#pragma once

#include <string>

#include "layerlab/registry.h"
#include "transfer/http_client.h"

namespace layerlab::transfer {

class RegistryClient {
 public:
  RegistryClient(std::string host, std::string repository, const RegistryOptions& options);

  const std::string& host() const { return host_; }
  const std::string& repository() const { return repo_; }
  // scheme://host/v2/<repository>/<path>
  std::string Url(const std::string& path) const;
  std::string BaseUrl() const;

  // Sends the request (a URL from Url(), or absolute), authenticating on a 401 and retrying.
  Result<HttpResponse> Do(HttpRequest req);

  Result<bool> BlobExists(const std::string& digest);
  // Cross-repository mount: true when the registry mounted it from `from`.
  Result<bool> Mount(const std::string& digest, const std::string& from);
  // Uploads a file as blob `digest` (chunked above options.chunk_size).
  // `progress(done, total)` as bytes go.
  using Progress = std::function<void(int64_t, int64_t)>;
  Status UploadBlob(const std::string& path, const std::string& digest, int64_t size,
                    const Progress& progress = nullptr);
  // Fetches a blob into `path` and checks its digest.
  Status FetchBlob(const std::string& digest, const std::string& path,
                   const Progress& progress = nullptr);

 private:
  Status Authenticate(const HttpResponse& challenge);
  std::string Describe(const HttpResponse& r) const;

  std::string host_;
  std::string repo_;
  const RegistryOptions& options_;
  std::string scheme_;
  std::string auth_header_;  // "Authorization: ..." once known
  std::string credentials_;  // base64 "user:pass" from the auth file, or ""
};

// The stored credentials for `host` (base64 "user:pass"), or "".
std::string StoredCredentials(const std::string& auth_file, const std::string& host);

}  // namespace layerlab::transfer
