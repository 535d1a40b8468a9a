// libcurl, driven one easy handle per request (the registry client is sequential).
#include "transfer/http_client.h"

#include <curl/curl.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <unistd.h>

#include <cctype>
#include <cstring>
#include <cstdio>
#include <memory>
#include <mutex>

#include <fmt/format.h>

namespace layerlab::transfer {

namespace {

// libcurl is opened on first use rather than linked: it brings some twenty libraries whose
// loading would cost every `layerlab` command (a container start included) several
// milliseconds, while only push, pull and login need it.
struct CurlApi {
  CURLcode (*global_init)(long) = nullptr;
  CURL* (*easy_init)() = nullptr;
  void (*easy_cleanup)(CURL*) = nullptr;
  CURLcode (*easy_setopt)(CURL*, CURLoption, ...) = nullptr;
  CURLcode (*easy_perform)(CURL*) = nullptr;
  CURLcode (*easy_getinfo)(CURL*, CURLINFO, ...) = nullptr;
  const char* (*easy_strerror)(CURLcode) = nullptr;
  struct curl_slist* (*slist_append)(struct curl_slist*, const char*) = nullptr;
  void (*slist_free_all)(struct curl_slist*) = nullptr;
  std::string error;
};

const CurlApi& Curl() {
  static CurlApi api = [] {
    CurlApi a;
    void* h = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (h == nullptr) {
      a.error = fmt::format("cannot load libcurl ({}): apt-get install libcurl4", dlerror());
      return a;
    }
    auto sym = [&](auto& fn, const char* name) {
      fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(dlsym(h, name));
      if (fn == nullptr && a.error.empty()) a.error = fmt::format("libcurl has no {}", name);
    };
    sym(a.global_init, "curl_global_init");
    sym(a.easy_init, "curl_easy_init");
    sym(a.easy_cleanup, "curl_easy_cleanup");
    sym(a.easy_setopt, "curl_easy_setopt");
    sym(a.easy_perform, "curl_easy_perform");
    sym(a.easy_getinfo, "curl_easy_getinfo");
    sym(a.easy_strerror, "curl_easy_strerror");
    sym(a.slist_append, "curl_slist_append");
    sym(a.slist_free_all, "curl_slist_free_all");
    if (a.error.empty()) a.global_init(CURL_GLOBAL_DEFAULT);
    return a;
  }();
  return api;
}

struct Upload {
  int fd = -1;
  int64_t remaining = 0;
  const std::string* body = nullptr;
  size_t pos = 0;
};

size_t ReadCallback(char* buf, size_t size, size_t n, void* user) {
  auto* up = static_cast<Upload*>(user);
  size_t want = size * n;
  if (up->body) {
    size_t left = up->body->size() - up->pos;
    size_t k = std::min(want, left);
    std::memcpy(buf, up->body->data() + up->pos, k);
    up->pos += k;
    return k;
  }
  if (up->remaining <= 0) return 0;
  size_t k = static_cast<size_t>(std::min<int64_t>(static_cast<int64_t>(want), up->remaining));
  ssize_t r = read(up->fd, buf, k);
  if (r < 0) return CURL_READFUNC_ABORT;
  up->remaining -= r;
  return static_cast<size_t>(r);
}

struct Download {
  std::string* body = nullptr;
  int fd = -1;
  bool failed = false;
};

size_t WriteCallback(char* data, size_t size, size_t n, void* user) {
  auto* d = static_cast<Download*>(user);
  size_t len = size * n;
  if (d->fd >= 0) {
    size_t off = 0;
    while (off < len) {
      ssize_t w = write(d->fd, data + off, len - off);
      if (w < 0) {
        d->failed = true;
        return 0;
      }
      off += static_cast<size_t>(w);
    }
    return len;
  }
  d->body->append(data, len);
  return len;
}

int ProgressCallback(void* user, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                     curl_off_t ulnow) {
  const auto* fn = static_cast<const std::function<void(int64_t, int64_t)>*>(user);
  if (ultotal > 0 || ulnow > 0) {
    (*fn)(ulnow, ultotal);
  } else {
    (*fn)(dlnow, dltotal);
  }
  return 0;
}

size_t HeaderCallback(char* data, size_t size, size_t n, void* user) {
  auto* h = static_cast<std::map<std::string, std::string>*>(user);
  std::string line(data, size * n);
  if (line.rfind("HTTP/", 0) == 0) h->clear();  // a new response (after a redirect)
  size_t colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = line.substr(0, colon);
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string value = line.substr(colon + 1);
    while (!value.empty() && std::isspace(static_cast<unsigned char>(value.front()))) {
      value.erase(0, 1);
    }
    while (!value.empty() && std::isspace(static_cast<unsigned char>(value.back()))) {
      value.pop_back();
    }
    (*h)[name] = value;
  }
  return size * n;
}

}  // namespace

std::string HttpResponse::Header(const std::string& name) const {
  auto it = headers.find(name);
  return it == headers.end() ? "" : it->second;
}

Result<HttpResponse> Perform(const HttpRequest& req) {
  const CurlApi& api = Curl();
  if (!api.error.empty()) return Status::Unsupported(api.error);
  std::unique_ptr<CURL, void (*)(CURL*)> curl(api.easy_init(), api.easy_cleanup);
  if (!curl) return Status::Internal("curl_easy_init failed");
  CURL* c = curl.get();
  HttpResponse resp;
  api.easy_setopt(c, CURLOPT_URL, req.url.c_str());
  api.easy_setopt(c, CURLOPT_FOLLOWLOCATION, req.follow_redirects ? 1L : 0L);
  api.easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  api.easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
  api.easy_setopt(c, CURLOPT_USERAGENT, "layerlab/0.1");
  struct curl_slist* headers = nullptr;
  for (const auto& h : req.headers) headers = api.slist_append(headers, h.c_str());
  Upload up;
  int in_fd = -1;
  bool has_body = !req.body.empty() || !req.body_file.empty();
  if (!req.body_file.empty()) {
    in_fd = open(req.body_file.c_str(), O_RDONLY | O_CLOEXEC);
    if (in_fd < 0) {
      api.slist_free_all(headers);
      return Status::FromErrno(fmt::format("open `{}`", req.body_file), errno);
    }
    off_t end = lseek(in_fd, 0, SEEK_END);
    up.fd = in_fd;
    up.remaining = req.length >= 0 ? req.length : end - req.offset;
    lseek(in_fd, req.offset, SEEK_SET);
  } else {
    up.body = &req.body;
  }
  if (req.method == "HEAD") {
    api.easy_setopt(c, CURLOPT_NOBODY, 1L);
  } else if (req.method == "PUT" || req.method == "PATCH" || req.method == "POST") {
    api.easy_setopt(c, CURLOPT_UPLOAD, 1L);
    api.easy_setopt(c, CURLOPT_READFUNCTION, ReadCallback);
    api.easy_setopt(c, CURLOPT_READDATA, &up);
    curl_off_t size = has_body ? (req.body_file.empty() ? static_cast<curl_off_t>(req.body.size())
                                                        : up.remaining)
                               : 0;
    api.easy_setopt(c, CURLOPT_INFILESIZE_LARGE, size);
    api.easy_setopt(c, CURLOPT_CUSTOMREQUEST, req.method.c_str());
    headers = api.slist_append(headers, "Expect:");
  } else if (req.method != "GET") {
    api.easy_setopt(c, CURLOPT_CUSTOMREQUEST, req.method.c_str());
  }
  api.easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  Download down;
  down.body = &resp.body;
  int out_fd = -1;
  if (!req.output_file.empty()) {
    out_fd = open(req.output_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (out_fd < 0) {
      api.slist_free_all(headers);
      if (in_fd >= 0) close(in_fd);
      return Status::FromErrno(fmt::format("create `{}`", req.output_file), errno);
    }
    down.fd = out_fd;
  }
  api.easy_setopt(c, CURLOPT_WRITEFUNCTION, WriteCallback);
  api.easy_setopt(c, CURLOPT_WRITEDATA, &down);
  if (req.on_progress) {
    api.easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    api.easy_setopt(c, CURLOPT_XFERINFOFUNCTION, ProgressCallback);
    api.easy_setopt(c, CURLOPT_XFERINFODATA, &req.on_progress);
  }
  api.easy_setopt(c, CURLOPT_HEADERFUNCTION, HeaderCallback);
  api.easy_setopt(c, CURLOPT_HEADERDATA, &resp.headers);
  CURLcode rc = api.easy_perform(c);
  api.easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp.status);
  api.slist_free_all(headers);
  if (in_fd >= 0) close(in_fd);
  // Only a successful body goes to the file; an error body is kept for its message.
  if (out_fd >= 0) {
    close(out_fd);
  }
  if (rc != CURLE_OK) {
    return Status::Unsupported(fmt::format("{} {}: {}", req.method, req.url,
                                           api.easy_strerror(rc)));
  }
  if (down.failed) return Status::FromErrno(fmt::format("write `{}`", req.output_file), errno);
  return resp;
}

std::map<std::string, std::string> ParseAuthParams(const std::string& header) {
  std::map<std::string, std::string> out;
  size_t i = header.find(' ');
  if (i == std::string::npos) return out;
  std::string s = header.substr(i + 1);
  size_t p = 0;
  while (p < s.size()) {
    while (p < s.size() && (s[p] == ' ' || s[p] == ',')) ++p;
    size_t eq = s.find('=', p);
    if (eq == std::string::npos) break;
    std::string key = s.substr(p, eq - p);
    std::string value;
    p = eq + 1;
    if (p < s.size() && s[p] == '"') {
      size_t end = s.find('"', p + 1);
      value = s.substr(p + 1, end - p - 1);
      p = end == std::string::npos ? s.size() : end + 1;
    } else {
      size_t end = s.find(',', p);
      value = s.substr(p, end - p);
      p = end == std::string::npos ? s.size() : end;
    }
    out[key] = value;
  }
  return out;
}

std::string Base64(const std::string& in) {
  static const char* k = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t v = (static_cast<uint8_t>(in[i]) << 16) | (static_cast<uint8_t>(in[i + 1]) << 8) |
                 static_cast<uint8_t>(in[i + 2]);
    out += k[v >> 18];
    out += k[(v >> 12) & 63];
    out += k[(v >> 6) & 63];
    out += k[v & 63];
  }
  if (i < in.size()) {
    uint32_t v = static_cast<uint8_t>(in[i]) << 16;
    if (i + 1 < in.size()) v |= static_cast<uint8_t>(in[i + 1]) << 8;
    out += k[v >> 18];
    out += k[(v >> 12) & 63];
    out += i + 1 < in.size() ? k[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::string UrlEncode(const std::string& in) {
  std::string out;
  for (unsigned char c : in) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == '/' || c == ':') {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

}  // namespace layerlab::transfer
