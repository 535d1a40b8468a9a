// The OCI image config and manifest: building them as canonical JSON and reading them back.
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "layerlab/status.h"

namespace layerlab {

inline constexpr std::string_view kMediaTypeManifest = "application/vnd.oci.image.manifest.v1+json";
inline constexpr std::string_view kMediaTypeConfig = "application/vnd.oci.image.config.v1+json";
inline constexpr std::string_view kMediaTypeLayer = "application/vnd.oci.image.layer.v1.tar";

struct HistoryEntry {
  std::string created;  // RFC 3339
  std::string created_by;
  std::string author;
  std::string comment;
  bool empty_layer = false;
};

// HEALTHCHECK, as Docker records it (durations in nanoseconds; 0 = the default).
struct Healthcheck {
  std::vector<std::string> test;  // ["CMD-SHELL", "cmd"], ["CMD", ...] or ["NONE"]
  int64_t interval = 0, timeout = 0, start_period = 0, start_interval = 0;
  int retries = 0;
};

struct ImageConfig {
  std::string created;  // RFC 3339, UTC
  std::string author;
  std::string architecture = "amd64";
  std::string os = "linux";
  std::vector<std::string> env;
  std::optional<std::vector<std::string>> cmd;
  std::optional<std::vector<std::string>> entrypoint;
  std::string working_dir;
  std::string user;
  std::string stop_signal;
  std::map<std::string, std::string> labels;
  std::vector<std::string> exposed_ports;  // "80/tcp"
  std::vector<std::string> volumes;
  std::optional<Healthcheck> healthcheck;
  std::vector<std::string> on_build;  // ONBUILD triggers, run when a build starts FROM this image
  std::vector<std::string> shell;     // SHELL (empty = ["/bin/sh", "-c"])
  std::vector<std::string> diff_ids;
  std::vector<HistoryEntry> history;
};

// Canonical JSON (fixed key order, no whitespace): the same config always gives the same bytes,
// and so the same image ID.
std::string ConfigToJson(const ImageConfig& config);
// Parses an OCI or Docker image config. `what` names the source in errors.
Result<ImageConfig> ParseConfig(const std::string& json, const std::string& what);

struct ManifestLayer {
  std::string digest;
  int64_t size = 0;
  std::string media_type = std::string(kMediaTypeLayer);
};
std::string ManifestToJson(const std::string& config_digest, int64_t config_size,
                           const std::vector<ManifestLayer>& layers);

// RFC 3339 "2026-11-28T01:13:09Z" <-> unix seconds (fractional seconds and offsets accepted).
std::string FormatRfc3339(int64_t unix_seconds);
// With nanoseconds, as Docker stamps `created`: "2026-11-28T01:13:09.123456789Z".
std::string FormatRfc3339Nano(int64_t unix_seconds, int64_t nanos);
// Now, with nanoseconds.
std::string NowRfc3339Nano();
Result<int64_t> ParseRfc3339(const std::string& s);

}  // namespace layerlab
