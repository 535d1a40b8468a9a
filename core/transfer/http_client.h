// A small HTTP client over libcurl for the registry API: one request at a time, bodies from
// memory or a file range, responses into memory or a file. Private to core/transfer.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "layerlab/status.h"

namespace layerlab::transfer {

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
  std::string body;                  // sent when body_file is empty
  std::string body_file;             // upload this file's bytes [offset, offset+length)
  int64_t offset = 0, length = -1;   // length -1: to the end
  std::string output_file;           // write the response body here instead of `body`
  bool follow_redirects = true;      // blobs are often served from a redirect
  // Called as bytes move (uploaded or downloaded so far, total or 0 when unknown).
  std::function<void(int64_t done, int64_t total)> on_progress;
};

struct HttpResponse {
  long status = 0;
  std::map<std::string, std::string> headers;  // names lowercased; the last value wins
  std::string body;
  std::string Header(const std::string& name) const;
};

// Performs the request. Errors are transport failures (connection refused, TLS); HTTP error
// statuses are returned as responses.
Result<HttpResponse> Perform(const HttpRequest& request);

// "realm=\"x\",service=\"y\"" -> {realm: x, service: y} (WWW-Authenticate parameters).
std::map<std::string, std::string> ParseAuthParams(const std::string& header);

std::string Base64(const std::string& in);
std::string UrlEncode(const std::string& in);

}  // namespace layerlab::transfer
