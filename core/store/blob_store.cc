// Content-addressed blobs: staged in tmp/, fsynced, renamed into blobs/sha256/, verified on read.
#include "layerlab/blob_store.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <random>

#include <fmt/format.h>

namespace layerlab {

Status MakeDirs(const std::string& path) {
  // The common case first: the parent exists (one mkdir), or the whole path does.
  if (mkdir(path.c_str(), 0755) == 0) return Status::Ok();
  int err = errno;
  if (err == ENOENT) {
    size_t slash = path.find_last_not_of('/');
    slash = slash == std::string::npos ? std::string::npos : path.rfind('/', slash);
    if (slash != std::string::npos && slash > 0) {
      LL_RETURN_IF_ERROR(MakeDirs(path.substr(0, slash)));
      if (mkdir(path.c_str(), 0755) == 0) return Status::Ok();
      err = errno;
    }
  }
  struct stat st;
  if (err == EEXIST && stat(path.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) return Status::Ok();
    err = ENOTDIR;
  }
  return Status::FromErrno(fmt::format("create directory `{}`", path), err);
}

Result<std::string> ReadFileToString(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::FromErrno(fmt::format("open `{}`", path), errno);
  std::string out;
  char buf[1 << 16];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      close(fd);
      return Status::FromErrno(fmt::format("read `{}`", path), err);
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  return out;
}

Status SyncDir(const std::string& dir) {
  int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Status::FromErrno(fmt::format("open directory `{}`", dir), errno);
  int rc = fsync(fd);
  int err = errno;
  close(fd);
  if (rc != 0) return Status::FromErrno(fmt::format("fsync `{}`", dir), err);
  return Status::Ok();
}

static Status WriteAll(int fd, const char* p, size_t n, const std::string& path) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return Status::FromErrno(fmt::format("write `{}`", path), errno);
    }
    p += w;
    n -= static_cast<size_t>(w);
  }
  return Status::Ok();
}

static std::string DirName(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, std::max<size_t>(slash, 1));
}

static std::string RandomSuffix() {
  static std::atomic<unsigned> counter{0};
  std::random_device rd;
  return fmt::format("{:08x}{:x}", rd(), counter++);
}

Status WriteFileAtomic(const std::string& tmp_dir, const std::string& path, std::string_view data) {
  std::string tmp = fmt::format("{}/{}.{}.file", tmp_dir, getpid(), RandomSuffix());
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return Status::FromErrno(fmt::format("create `{}`", tmp), errno);
  Status st = WriteAll(fd, data.data(), data.size(), tmp);
  if (st.ok() && fsync(fd) != 0) st = Status::FromErrno(fmt::format("fsync `{}`", tmp), errno);
  close(fd);
  if (st.ok() && rename(tmp.c_str(), path.c_str()) != 0) {
    st = Status::FromErrno(fmt::format("rename `{}` to `{}`", tmp, path), errno);
  }
  if (!st.ok()) {
    unlink(tmp.c_str());
    return st;
  }
  return SyncDir(DirName(path));
}

BlobStore::BlobStore(std::string root, Tracer tracer)
    : root_(std::move(root)),
      blob_dir_(root_ + "/blobs/sha256"),
      tmp_dir_(root_ + "/tmp"),
      tracer_(tracer) {}

Status BlobStore::Init() {
  LL_RETURN_IF_ERROR(MakeDirs(blob_dir_));
  return MakeDirs(tmp_dir_);
}

std::string BlobStore::PathOf(const std::string& digest) const {
  return fmt::format("{}/{}", blob_dir_, DigestHex(digest));
}

std::string BlobStore::NewTmpPath(std::string_view suffix) const {
  return fmt::format("{}/{}.{}.{}", tmp_dir_, getpid(), RandomSuffix(), suffix);
}

Result<std::unique_ptr<BlobWriter>> BlobStore::NewWriter() {
  std::string tmp = NewTmpPath("blob");
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return Status::FromErrno(fmt::format("create `{}`", tmp), errno);
  return std::unique_ptr<BlobWriter>(new BlobWriter(this, fd, tmp));
}

BlobWriter::BlobWriter(BlobStore* store, int fd, std::string tmp_path)
    : store_(store), fd_(fd), tmp_path_(std::move(tmp_path)) {}

BlobWriter::~BlobWriter() {
  if (fd_ >= 0) close(fd_);
  if (!tmp_path_.empty()) unlink(tmp_path_.c_str());
}

Status BlobWriter::Write(const void* data, size_t n) {
  hash_.Update(data, n);
  size_ += static_cast<int64_t>(n);
  return WriteAll(fd_, static_cast<const char*>(data), n, tmp_path_);
}

std::string BlobWriter::Finish() {
  if (!done_) {
    digest_ = hash_.Finish();
    done_ = true;
  }
  return digest_;
}

Result<std::string> BlobWriter::Commit(std::string_view expected) {
  std::string digest = Finish();
  if (!expected.empty() && expected != digest) {
    return Status::Corrupt(fmt::format("digest mismatch: expected {}, content hashes to {}",
                                       expected, digest));
  }
  std::string final_path = store_->PathOf(digest);
  if (access(final_path.c_str(), F_OK) == 0) {
    store_->tracer_.Emit(TraceKind::kBlobExists, digest,
                         "a blob with this content is already stored", size_);
    return digest;  // the destructor removes our copy
  }
  if (fsync(fd_) != 0) return Status::FromErrno(fmt::format("fsync `{}`", tmp_path_), errno);
  close(fd_);
  fd_ = -1;
  if (rename(tmp_path_.c_str(), final_path.c_str()) != 0) {
    return Status::FromErrno(fmt::format("rename `{}` to `{}`", tmp_path_, final_path), errno);
  }
  tmp_path_.clear();
  LL_RETURN_IF_ERROR(SyncDir(store_->blob_dir_));
  store_->tracer_.Emit(TraceKind::kBlobWritten, digest, "new content", size_);
  return digest;
}

Result<std::string> BlobStore::Put(std::string_view data) {
  LL_ASSIGN_OR_RETURN(auto w, NewWriter());
  LL_RETURN_IF_ERROR(w->Write(data));
  return w->Commit();
}

Result<std::string> BlobStore::Get(const std::string& digest) const {
  if (!IsValidDigest(digest)) return Status::InvalidArgument(fmt::format("bad digest `{}`", digest));
  auto read = ReadFileToString(PathOf(digest));
  if (!read) {
    if (read.error().os_errno() == ENOENT) {
      return Status::NotFound(fmt::format("blob {} is missing", digest));
    }
    return read.error();
  }
  std::string out = std::move(*read);
  std::string actual = Sha256Digest(out);
  if (actual != digest) {
    return Status::Corrupt(
        fmt::format("blob {} is corrupt: its content hashes to {}", digest, actual));
  }
  return out;
}

Status BlobStore::Verify(const std::string& digest) const {
  auto actual = Sha256File(PathOf(digest));
  if (!actual) {
    if (actual.error().code() == Code::kNotFound) {
      return Status::NotFound(fmt::format("blob {} is missing", digest));
    }
    return actual.error();
  }
  if (*actual != digest) {
    return Status::Corrupt(
        fmt::format("blob {} is corrupt: its content hashes to {}", digest, *actual));
  }
  return Status::Ok();
}

bool BlobStore::Exists(const std::string& digest) const {
  return IsValidDigest(digest) && access(PathOf(digest).c_str(), F_OK) == 0;
}

Result<int64_t> BlobStore::Size(const std::string& digest) const {
  struct stat st;
  if (stat(PathOf(digest).c_str(), &st) != 0) {
    return Status::FromErrno(fmt::format("stat blob {}", digest), errno);
  }
  return static_cast<int64_t>(st.st_size);
}

Status BlobStore::Remove(const std::string& digest) {
  if (unlink(PathOf(digest).c_str()) != 0 && errno != ENOENT) {
    return Status::FromErrno(fmt::format("remove blob {}", digest), errno);
  }
  return Status::Ok();
}

Result<std::vector<std::string>> BlobStore::List() const {
  DIR* d = opendir(blob_dir_.c_str());
  if (d == nullptr) return Status::FromErrno(fmt::format("open `{}`", blob_dir_), errno);
  std::vector<std::string> out;
  while (struct dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    out.push_back(std::string(kSha256Prefix) + name);
  }
  closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace layerlab
