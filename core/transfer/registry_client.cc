// The registry API calls and its auth (distribution spec; Docker's token auth spec).
#include "transfer/registry_client.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "layerlab/digest.h"

namespace layerlab::transfer {

using json = nlohmann::json;

std::string StoredCredentials(const std::string& auth_file, const std::string& host) {
  std::ifstream in(auth_file);
  if (!in) return "";
  std::stringstream ss;
  ss << in.rdbuf();
  json j = json::parse(ss.str(), nullptr, false);
  if (!j.is_object() || !j.contains("auths") || !j["auths"].contains(host)) return "";
  return j["auths"][host].value("auth", "");
}

RegistryClient::RegistryClient(std::string host, std::string repository,
                               const RegistryOptions& options)
    : host_(std::move(host)), repo_(std::move(repository)), options_(options) {
  std::string bare = host_.substr(0, host_.rfind(':') == std::string::npos ? host_.size()
                                                                            : host_.rfind(':'));
  bool insecure = bare == "localhost" || bare == "127.0.0.1" || bare == "[::1]" ||
                  std::find(options_.insecure_registries.begin(),
                            options_.insecure_registries.end(),
                            host_) != options_.insecure_registries.end();
  scheme_ = insecure ? "http" : "https";
  credentials_ = StoredCredentials(
      options_.auth_file.empty() ? DefaultAuthFile() : options_.auth_file, host_);
}

std::string RegistryClient::BaseUrl() const { return fmt::format("{}://{}/v2/", scheme_, host_); }

std::string RegistryClient::Url(const std::string& path) const {
  return fmt::format("{}://{}/v2/{}/{}", scheme_, host_, repo_, path);
}

std::string RegistryClient::Describe(const HttpResponse& r) const {
  json j = json::parse(r.body, nullptr, false);
  if (j.is_object() && j.contains("errors") && j["errors"].is_array() && !j["errors"].empty()) {
    const auto& e = j["errors"][0];
    return fmt::format("{}: {}", e.value("code", "ERROR"), e.value("message", ""));
  }
  return fmt::format("HTTP {}", r.status);
}

Status RegistryClient::Authenticate(const HttpResponse& challenge) {
  std::string www = challenge.Header("www-authenticate");
  std::string scheme = www.substr(0, www.find(' '));
  std::transform(scheme.begin(), scheme.end(), scheme.begin(), ::tolower);
  if (scheme == "basic") {
    if (credentials_.empty()) {
      return Status::InvalidArgument(fmt::format(
          "unauthorized: authentication required (run `layerlab login {}`)", host_));
    }
    auth_header_ = "Authorization: Basic " + credentials_;
    return Status::Ok();
  }
  if (scheme != "bearer") {
    return Status::Unsupported(fmt::format("{}: unsupported authentication \"{}\"", host_, www));
  }
  auto params = ParseAuthParams(www);
  std::string url = params["realm"];
  std::string sep = url.find('?') == std::string::npos ? "?" : "&";
  if (!params["service"].empty()) {
    url += sep + "service=" + UrlEncode(params["service"]);
    sep = "&";
  }
  std::string scope = params.count("scope") ? params["scope"]
                      : repo_.empty()        ? ""
                                             : fmt::format("repository:{}:pull,push", repo_);
  if (!scope.empty()) url += sep + "scope=" + UrlEncode(scope);
  HttpRequest req;
  req.url = url;
  if (!credentials_.empty()) req.headers.push_back("Authorization: Basic " + credentials_);
  LL_ASSIGN_OR_RETURN(HttpResponse r, Perform(req));
  if (r.status != 200) {
    return Status::InvalidArgument(fmt::format("{}: token request refused: {}", host_,
                                               Describe(r)));
  }
  json j = json::parse(r.body, nullptr, false);
  std::string token = j.is_object() ? j.value("token", j.value("access_token", "")) : "";
  if (token.empty()) return Status::Corrupt(fmt::format("{}: token response has no token", host_));
  auth_header_ = "Authorization: Bearer " + token;
  return Status::Ok();
}

Result<HttpResponse> RegistryClient::Do(HttpRequest req) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    HttpRequest r = req;
    if (!auth_header_.empty()) r.headers.push_back(auth_header_);
    LL_ASSIGN_OR_RETURN(HttpResponse resp, Perform(r));
    if (resp.status != 401 || attempt == 1) {
      if (resp.status == 401) {
        return Status::InvalidArgument(fmt::format(
            "unauthorized: {} (run `layerlab login {}`)", Describe(resp), host_));
      }
      return resp;
    }
    LL_RETURN_IF_ERROR(Authenticate(resp));
  }
  return Status::Internal("unreachable");
}

Result<bool> RegistryClient::BlobExists(const std::string& digest) {
  HttpRequest req;
  req.method = "HEAD";
  req.url = Url("blobs/" + digest);
  LL_ASSIGN_OR_RETURN(HttpResponse r, Do(req));
  if (r.status == 200) return true;
  if (r.status == 404) return false;
  return Status::Internal(fmt::format("HEAD {}: HTTP {}", req.url, r.status));
}

Result<bool> RegistryClient::Mount(const std::string& digest, const std::string& from) {
  HttpRequest req;
  req.method = "POST";
  req.url = Url(fmt::format("blobs/uploads/?mount={}&from={}", digest, UrlEncode(from)));
  LL_ASSIGN_OR_RETURN(HttpResponse r, Do(req));
  if (r.status == 201) return true;
  if (r.status == 202) {
    // Not mountable: the registry opened an upload instead; cancel it.
    std::string loc = r.Header("location");
    if (!loc.empty()) {
      HttpRequest del;
      del.method = "DELETE";
      del.url = loc.rfind("http", 0) == 0 ? loc : fmt::format("{}://{}{}", scheme_, host_, loc);
      (void)Do(del);
    }
    return false;
  }
  return Status::Internal(fmt::format("mount {} from {}: {}", ShortId(digest), from, Describe(r)));
}

Status RegistryClient::UploadBlob(const std::string& path, const std::string& digest,
                                  int64_t size, const Progress& progress) {
  HttpRequest start;
  start.method = "POST";
  start.url = Url("blobs/uploads/");
  LL_ASSIGN_OR_RETURN(HttpResponse r, Do(start));
  if (r.status != 202) {
    return Status::Internal(fmt::format("start upload of {}: {}", ShortId(digest), Describe(r)));
  }
  auto absolute = [&](const std::string& loc) {
    return loc.rfind("http", 0) == 0 ? loc : fmt::format("{}://{}{}", scheme_, host_, loc);
  };
  std::string location = absolute(r.Header("location"));
  int64_t offset = 0;
  if (size > options_.chunk_size) {
    // Chunked: PATCH each chunk with its Content-Range; the registry says where to go next.
    while (offset < size) {
      int64_t n = std::min<int64_t>(options_.chunk_size, size - offset);
      HttpRequest patch;
      patch.method = "PATCH";
      patch.url = location;
      patch.body_file = path;
      patch.offset = offset;
      patch.length = n;
      if (progress) {
        patch.on_progress = [&, base = offset](int64_t done, int64_t) {
          progress(base + done, size);
        };
      }
      patch.headers = {"Content-Type: application/octet-stream",
                       fmt::format("Content-Range: {}-{}", offset, offset + n - 1),
                       fmt::format("Content-Length: {}", n)};
      LL_ASSIGN_OR_RETURN(HttpResponse pr, Do(patch));
      if (pr.status != 202) {
        return Status::Internal(fmt::format("upload chunk of {}: {}", ShortId(digest),
                                            Describe(pr)));
      }
      location = absolute(pr.Header("location"));
      offset += n;
    }
  }
  HttpRequest put;
  put.method = "PUT";
  put.url = location + (location.find('?') == std::string::npos ? "?" : "&") + "digest=" +
            UrlEncode(digest);
  put.headers = {"Content-Type: application/octet-stream"};
  if (offset < size) {
    put.body_file = path;
    put.offset = offset;
    if (progress) {
      put.on_progress = [&, base = offset](int64_t done, int64_t) { progress(base + done, size); };
    }
  }
  LL_ASSIGN_OR_RETURN(HttpResponse pr, Do(put));
  if (pr.status != 201) {
    return Status::Internal(fmt::format("finish upload of {}: {}", ShortId(digest), Describe(pr)));
  }
  return Status::Ok();
}

Status RegistryClient::FetchBlob(const std::string& digest, const std::string& path,
                                 const Progress& progress) {
  HttpRequest req;
  req.url = Url("blobs/" + digest);
  req.output_file = path;
  if (progress) req.on_progress = progress;
  LL_ASSIGN_OR_RETURN(HttpResponse r, Do(req));
  if (r.status != 200) {
    return Status::NotFound(fmt::format("blob {}: HTTP {}", ShortId(digest), r.status));
  }
  LL_ASSIGN_OR_RETURN(std::string got, Sha256File(path));
  if (got != digest) {
    return Status::Corrupt(fmt::format("blob {} from {}: content is {}", digest, host_, got));
  }
  return Status::Ok();
}

}  // namespace layerlab::transfer
