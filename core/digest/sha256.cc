// SHA-256 over buffers and files through OpenSSL's SHA-256.
//
// OpenSSL 3's EVP interface finds the digest through its provider machinery: the first
// EVP_MD_fetch reads openssl.cnf and registers every algorithm's names, about 1 ms of each
// command's start-up (a digest is checked whenever an image config is read, so on every `run`).
// The SHA256_* functions call the same assembly directly; OpenSSL 3 marks them deprecated in
// favour of EVP but keeps them (and their speed: same code as EVP's, 1.6 GiB/s here).
#define OPENSSL_SUPPRESS_DEPRECATED
#include <fcntl.h>
#include <openssl/sha.h>
#include <unistd.h>

#include <cerrno>

#include <fmt/format.h>

#include "layerlab/digest.h"

namespace layerlab {

struct Sha256::Impl {
  SHA256_CTX ctx;
};

Sha256::Sha256() : impl_(std::make_unique<Impl>()) { SHA256_Init(&impl_->ctx); }

Sha256::~Sha256() = default;

void Sha256::Update(const void* data, size_t n) { SHA256_Update(&impl_->ctx, data, n); }

std::string Sha256::Finish() {
  unsigned char md[SHA256_DIGEST_LENGTH];
  SHA256_Final(md, &impl_->ctx);
  std::string out(kSha256Prefix);
  static const char* kHex = "0123456789abcdef";
  for (unsigned char b : md) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 15]);
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
