// Opening the store lazily, and printing errors the way Docker does.
#include "cli/context.h"

#include <cstdlib>

#include <fmt/format.h>

namespace layerlab::cli {

Result<Store*> Context::store() {
  if (!store_) {
    LL_ASSIGN_OR_RETURN(auto store, Store::Open(options_.root, tracer_));
    auto images = std::make_unique<Images>(store.get());
    BaseImageOptions base;
    if (const char* bb = std::getenv("LAYERLAB_BUSYBOX"); bb && *bb) base.busybox_path = bb;
    LL_RETURN_IF_ERROR(images->EnsureBaseImage(base));
    store_ = std::move(store);
    images_ = std::move(images);
  }
  return store_.get();
}

Result<Images*> Context::images() {
  auto s = store();
  if (!s) return s.error();
  return images_.get();
}

Result<Containers*> Context::containers() {
  if (!containers_) {
    LL_ASSIGN_OR_RETURN(StorageDriver driver, ParseStorageDriver(options_.storage_driver));
    LL_ASSIGN_OR_RETURN(Images * images, this->images());
    containers_ = std::make_unique<Containers>(store_.get(), images, driver);
  }
  return containers_.get();
}

void Context::Close() {
  containers_.reset();
  images_.reset();
  store_.reset();
}

int Fail(const Status& status) { return Fail(status.message()); }

int Fail(const std::string& message) {
  fmt::print(stderr, "Error: {}\n", message);
  return 1;
}

int UsageError(const std::string& verb, const std::string& message) {
  fmt::print(stderr, "{}\nSee 'layerlab {} --help'.\n", message, verb);
  return 125;
}

}  // namespace layerlab::cli
