// SHA-256 over buffers and files through OpenSSL's EVP interface.
#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <cerrno>

#include <fmt/format.h>

#include "layerlab/digest.h"

namespace layerlab {

struct Sha256::Impl {
  EVP_MD_CTX* ctx = nullptr;
};

Sha256::Sha256() : impl_(std::make_unique<Impl>()) {
  impl_->ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(impl_->ctx, EVP_sha256(), nullptr);
}

Sha256::~Sha256() { EVP_MD_CTX_free(impl_->ctx); }

void Sha256::Update(const void* data, size_t n) { EVP_DigestUpdate(impl_->ctx, data, n); }

std::string Sha256::Finish() {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(impl_->ctx, md, &len);
  std::string out(kSha256Prefix);
  static const char* kHex = "0123456789abcdef";
  for (unsigned int i = 0; i < len; ++i) {
    out.push_back(kHex[md[i] >> 4]);
    out.push_back(kHex[md[i] & 15]);
  }
  return out;
}

std::string Sha256Digest(std::string_view data) {
  Sha256 h;
  h.Update(data);
  return h.Finish();
}

Result<std::string> Sha256File(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    if (err == ENOENT) return Status::NotFound(fmt::format("`{}`: no such file", path));
    return Status::FromErrno(fmt::format("open `{}`", path), err);
  }
  Sha256 h;
  char buf[1 << 16];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      close(fd);
      return Status::FromErrno(fmt::format("read `{}`", path), err);
    }
    if (n == 0) break;
    h.Update(buf, static_cast<size_t>(n));
  }
  close(fd);
  return h.Finish();
}

bool IsValidDigest(std::string_view d) {
  if (d.size() != kSha256Prefix.size() + 64 || d.substr(0, kSha256Prefix.size()) != kSha256Prefix)
    return false;
  for (char c : d.substr(kSha256Prefix.size())) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

std::string DigestHex(std::string_view d) {
  if (d.substr(0, kSha256Prefix.size()) == kSha256Prefix) d.remove_prefix(kSha256Prefix.size());
  return std::string(d);
}

std::string ShortId(std::string_view digest) { return DigestHex(digest).substr(0, 12); }

std::string ChainId(std::string_view parent_chain, std::string_view diff_id) {
  if (parent_chain.empty()) return std::string(diff_id);
  return Sha256Digest(fmt::format("{} {}", parent_chain, diff_id));
}

}  // namespace layerlab
