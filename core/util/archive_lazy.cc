// libarchive, loaded on first use. Most commands (run, ps, images, ...) never read or write a tar,
// and libarchive pulls in a dozen libraries (libxml2 and ICU among them) whose loading took about
// 3 ms of every command's start. Each function layerlab calls is defined here with libarchive's
// own prototype (the compiler checks it against archive.h) and forwards to the real one, found
// with dlsym in libarchive.so.13 the first time. Regenerate the list when a new archive_*
// function is used: the build fails with an undefined reference until it is added.
#include <archive.h>
#include <archive_entry.h>
#include <dlfcn.h>

#include <cstdio>
#include <cstdlib>

namespace {

void* Resolve(const char* name) {
  static void* handle = [] {
    void* h = dlopen("libarchive.so.13", RTLD_NOW | RTLD_LOCAL);
    if (h == nullptr) {
      std::fprintf(stderr, "layerlab: cannot load libarchive.so.13 (apt-get install libarchive13): %s\n",
                   dlerror());
      std::abort();
    }
    return h;
  }();
  void* fn = dlsym(handle, name);
  if (fn == nullptr) {
    std::fprintf(stderr, "layerlab: libarchive.so.13 has no %s: %s\n", name, dlerror());
    std::abort();
  }
  return fn;
}

}  // namespace

#define LL_LAZY(ret, name, params, args)                                      \
  extern "C" ret name params {                                                \
    static auto* fn = reinterpret_cast<decltype(&name)>(Resolve(#name));      \
    return fn args;                                                           \
  }

LL_LAZY(__LA_MODE_T, archive_entry_filetype, (struct archive_entry * a0), (a0))
LL_LAZY(void, archive_entry_free, (struct archive_entry * a0), (a0))
LL_LAZY(la_int64_t, archive_entry_gid, (struct archive_entry * a0), (a0))
LL_LAZY(const char *, archive_entry_hardlink, (struct archive_entry * a0), (a0))
LL_LAZY(time_t, archive_entry_mtime, (struct archive_entry * a0), (a0))
LL_LAZY(struct archive_entry *, archive_entry_new, (void), ())
LL_LAZY(const char *, archive_entry_pathname, (struct archive_entry * a0), (a0))
LL_LAZY(__LA_MODE_T, archive_entry_perm, (struct archive_entry * a0), (a0))
LL_LAZY(dev_t, archive_entry_rdevmajor, (struct archive_entry * a0), (a0))
LL_LAZY(dev_t, archive_entry_rdevminor, (struct archive_entry * a0), (a0))
LL_LAZY(void, archive_entry_set_filetype, (struct archive_entry * a0, unsigned int a1), (a0, a1))
LL_LAZY(void, archive_entry_set_gid, (struct archive_entry * a0, la_int64_t a1), (a0, a1))
LL_LAZY(void, archive_entry_set_hardlink, (struct archive_entry * a0, const char * a1), (a0, a1))
LL_LAZY(void, archive_entry_set_mtime, (struct archive_entry * a0, time_t a1, long a2), (a0, a1, a2))
LL_LAZY(void, archive_entry_set_pathname, (struct archive_entry * a0, const char * a1), (a0, a1))
LL_LAZY(void, archive_entry_set_perm, (struct archive_entry * a0, __LA_MODE_T a1), (a0, a1))
LL_LAZY(void, archive_entry_set_rdevmajor, (struct archive_entry * a0, dev_t a1), (a0, a1))
LL_LAZY(void, archive_entry_set_rdevminor, (struct archive_entry * a0, dev_t a1), (a0, a1))
LL_LAZY(void, archive_entry_set_size, (struct archive_entry * a0, la_int64_t a1), (a0, a1))
LL_LAZY(void, archive_entry_set_symlink, (struct archive_entry * a0, const char * a1), (a0, a1))
LL_LAZY(void, archive_entry_set_uid, (struct archive_entry * a0, la_int64_t a1), (a0, a1))
LL_LAZY(la_int64_t, archive_entry_size, (struct archive_entry * a0), (a0))
LL_LAZY(const char *, archive_entry_symlink, (struct archive_entry * a0), (a0))
LL_LAZY(la_int64_t, archive_entry_uid, (struct archive_entry * a0), (a0))
LL_LAZY(void, archive_entry_xattr_add_entry, (struct archive_entry * a0, const char * a1, const void * a2, size_t a3), (a0, a1, a2, a3))
LL_LAZY(int, archive_entry_xattr_next, (struct archive_entry * a0, const char ** a1, const void ** a2, size_t * a3), (a0, a1, a2, a3))
LL_LAZY(int, archive_entry_xattr_reset, (struct archive_entry * a0), (a0))
LL_LAZY(const char *, archive_error_string, (struct archive * a0), (a0))
LL_LAZY(la_ssize_t, archive_read_data, (struct archive * a0, void * a1, size_t a2), (a0, a1, a2))
LL_LAZY(int, archive_read_data_block, (struct archive * a0, const void ** a1, size_t * a2, la_int64_t * a3), (a0, a1, a2, a3))
LL_LAZY(int, archive_read_free, (struct archive * a0), (a0))
LL_LAZY(struct archive *, archive_read_new, (void), ())
LL_LAZY(int, archive_read_next_header, (struct archive * a0, struct archive_entry ** a1), (a0, a1))
LL_LAZY(int, archive_read_open_fd, (struct archive * a0, int a1, size_t a2), (a0, a1, a2))
LL_LAZY(int, archive_read_open_filename, (struct archive * a0, const char * a1, size_t a2), (a0, a1, a2))
LL_LAZY(int, archive_read_support_filter_all, (struct archive * a0), (a0))
LL_LAZY(int, archive_read_support_format_all, (struct archive * a0), (a0))
LL_LAZY(int, archive_read_support_format_gnutar, (struct archive * a0), (a0))
LL_LAZY(int, archive_read_support_format_raw, (struct archive * a0), (a0))
LL_LAZY(int, archive_read_support_format_tar, (struct archive * a0), (a0))
LL_LAZY(int, archive_write_close, (struct archive * a0), (a0))
LL_LAZY(la_ssize_t, archive_write_data, (struct archive * a0, const void * a1, size_t a2), (a0, a1, a2))
LL_LAZY(int, archive_write_free, (struct archive * a0), (a0))
LL_LAZY(int, archive_write_header, (struct archive * a0, struct archive_entry * a1), (a0, a1))
LL_LAZY(struct archive *, archive_write_new, (void), ())
LL_LAZY(int, archive_write_open2, (struct archive * a0, void * a1, archive_open_callback * a2, archive_write_callback * a3, archive_close_callback * a4, archive_free_callback * a5), (a0, a1, a2, a3, a4, a5))
LL_LAZY(int, archive_write_set_bytes_per_block, (struct archive * a0, int a1), (a0, a1))
LL_LAZY(int, archive_write_set_format_pax_restricted, (struct archive * a0), (a0))

