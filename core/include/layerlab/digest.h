// SHA-256 digests in the OCI form "sha256:<64 lowercase hex>", over buffers, files and streams
// (OpenSSL EVP). A Sha256 hasher is not thread-safe; the free functions are.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "layerlab/status.h"

namespace layerlab {

inline constexpr std::string_view kSha256Prefix = "sha256:";

// Incremental hasher.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void Update(const void* data, size_t n);
  void Update(std::string_view s) { Update(s.data(), s.size()); }
  // "sha256:<hex>". The hasher must not be used after this.
  std::string Finish();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// "sha256:<hex>" of a buffer.
std::string Sha256Digest(std::string_view data);
// "sha256:<hex>" of a file's contents; NotFound or Io on failure.
Result<std::string> Sha256File(const std::string& path);

// True when d is "sha256:" followed by exactly 64 lowercase hex digits.
bool IsValidDigest(std::string_view d);
// The hex part of a digest ("sha256:abc" -> "abc"); d must be valid.
std::string DigestHex(std::string_view d);
// First 12 hex digits, as Docker's IMAGE ID column shows them.
std::string ShortId(std::string_view digest);

// ChainID per the OCI image spec: ChainID(L1) = DiffID(L1);
// ChainID(L1..Ln) = sha256(ChainID(L1..Ln-1) + " " + DiffID(Ln)).
std::string ChainId(std::string_view parent_chain, std::string_view diff_id);

}  // namespace layerlab
