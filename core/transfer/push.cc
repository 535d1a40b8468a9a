// `push`: each layer gzipped (the diff id stays in the config), checked with HEAD, mounted from
// another repository of the same registry when the image is tagged there too, else uploaded;
// then the config and an OCI manifest.
#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "layer/fs_util.h"
#include "layerlab/registry.h"
#include "transfer/registry_client.h"

namespace layerlab {

using transfer::HttpRequest;
using transfer::HttpResponse;
using transfer::RegistryClient;

namespace {

// gzip of a file, deterministic (no name, mtime 0), so the same layer always has one digest.
Status GzipFile(const std::string& in_path, const std::string& out_path) {
  fsutil::Fd in(open(in_path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!in.ok()) return Status::FromErrno(fmt::format("open `{}`", in_path), errno);
  fsutil::Fd out(open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!out.ok()) return Status::FromErrno(fmt::format("create `{}`", out_path), errno);
  z_stream z{};
  if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
      Z_OK) {
    return Status::Internal("deflateInit2 failed");
  }
  std::vector<unsigned char> ibuf(1 << 16), obuf(1 << 16);
  Status st;
  for (bool done = false; !done && st.ok();) {
    ssize_t n = read(in.get(), ibuf.data(), ibuf.size());
    if (n < 0) {
      st = Status::FromErrno(fmt::format("read `{}`", in_path), errno);
      break;
    }
    done = n == 0;
    z.next_in = ibuf.data();
    z.avail_in = static_cast<uInt>(n);
    do {
      z.next_out = obuf.data();
      z.avail_out = static_cast<uInt>(obuf.size());
      deflate(&z, done ? Z_FINISH : Z_NO_FLUSH);
      size_t have = obuf.size() - z.avail_out;
      if (have > 0 && write(out.get(), obuf.data(), have) != static_cast<ssize_t>(have)) {
        st = Status::FromErrno(fmt::format("write `{}`", out_path), errno);
        break;
      }
    } while (z.avail_out == 0);
  }
  deflateEnd(&z);
  return st;
}

std::string Host(const Reference& ref) {
  return ref.domain == "docker.io" ? "registry-1.docker.io" : ref.domain;
}

}  // namespace

Result<std::string> Push(Store* store, Images* images, const std::string& name,
                         const RegistryOptions& options) {
  auto say = [&](const std::string& s) {
    if (options.progress) options.progress(s);
  };
  auto parsed = ParseNormalizedTagged(name);
  if (!parsed.ref) return Status::InvalidArgument(parsed.message);
  const Reference ref = *parsed.ref;
  if (ref.digested()) return Status::InvalidArgument("cannot push a digest reference");
  auto id = images->Resolve(ref.String());
  if (!id) {
    return Status::NotFound(
        fmt::format("An image does not exist locally with the tag: {}", ref.FamiliarName()));
  }
  LL_ASSIGN_OR_RETURN(ImageRecord img, images->Get(*id));
  LL_ASSIGN_OR_RETURN(std::string config, store->blobs().Get(img.id));
  say(fmt::format("The push refers to repository [{}]", ref.FamiliarName()));
  RegistryClient client(Host(ref), ref.path, options);
  // Other repositories of the same registry that hold this image: blobs can be mounted from them.
  std::vector<std::string> mount_from;
  for (const auto& t : img.tags) {
    auto other = ParseNormalizedNamed(t.name);
    if (other.ref && other.ref->domain == ref.domain && other.ref->path != ref.path) {
      mount_from.push_back(other.ref->path);
    }
  }
  nlohmann::ordered_json layers = nlohmann::ordered_json::array();
  std::vector<std::string> lines;
  for (const auto& layer : img.layers) {
    std::string gz = store->blobs().NewTmpPath("push.gz");
    Status st = GzipFile(store->blobs().PathOf(layer.diff_id), gz);
    auto cleanup = [&] { unlink(gz.c_str()); };
    if (!st.ok()) {
      cleanup();
      return st;
    }
    auto digest = Sha256File(gz);
    struct stat sb;
    if (!digest || stat(gz.c_str(), &sb) != 0) {
      cleanup();
      return digest ? Status::FromErrno("stat", errno) : digest.error();
    }
    std::string line = fmt::format("{}: ", ShortId(layer.diff_id));
    auto exists = client.BlobExists(*digest);
    if (!exists) {
      cleanup();
      return exists.error();
    }
    if (*exists) {
      line += "Layer already exists";
    } else {
      bool mounted = false;
      for (const auto& from : mount_from) {
        auto m = client.Mount(*digest, from);
        if (m && *m) {
          line += "Mounted from " + from;
          mounted = true;
          break;
        }
      }
      if (!mounted) {
        std::string id = ShortId(layer.diff_id);
        RegistryClient::Progress bar;
        if (options.bytes) {
          bar = [&](int64_t done, int64_t total) { options.bytes(id, "Pushing", done, total); };
        }
        st = client.UploadBlob(gz, *digest, sb.st_size, bar);
        if (!st.ok()) {
          cleanup();
          return st;
        }
        line += "Pushed";
      }
    }
    cleanup();
    say(line);
    layers.push_back({{"mediaType", "application/vnd.oci.image.layer.v1.tar+gzip"},
                      {"digest", *digest},
                      {"size", sb.st_size}});
  }
  LL_ASSIGN_OR_RETURN(bool config_there, client.BlobExists(img.id));
  if (!config_there) {
    LL_RETURN_IF_ERROR(client.UploadBlob(store->blobs().PathOf(img.id), img.id,
                                         static_cast<int64_t>(config.size())));
  }
  nlohmann::ordered_json m;
  m["schemaVersion"] = 2;
  m["mediaType"] = kMediaTypeManifest;
  m["config"] = {{"mediaType", kMediaTypeConfig}, {"digest", img.id}, {"size", config.size()}};
  m["layers"] = layers;
  std::string manifest = m.dump();
  HttpRequest put;
  put.method = "PUT";
  put.url = client.Url("manifests/" + ref.tag);
  put.body = manifest;
  put.headers = {fmt::format("Content-Type: {}", kMediaTypeManifest)};
  LL_ASSIGN_OR_RETURN(HttpResponse r, client.Do(put));
  if (r.status != 201) {
    return Status::Internal(fmt::format("push manifest {}: HTTP {}: {}", ref.FamiliarString(),
                                        r.status, r.body));
  }
  std::string digest = Sha256Digest(manifest);
  say(fmt::format("{}: digest: {} size: {}", ref.tag, digest, manifest.size()));
  LL_RETURN_IF_ERROR(store->AddRepoDigest(ref.Name(), digest, img.id));
  return digest;
}

}  // namespace layerlab
