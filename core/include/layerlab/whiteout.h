// On-disk conventions of layers, in one place: the OCI/Docker tar whiteout names and the
// overlayfs forms they become when a layer is unpacked for the kernel.
#pragma once

#include <string_view>

namespace layerlab {

// Tar form (OCI image spec, "Whiteouts"): a deleted NAME is the empty file `.wh.NAME`; a
// directory whose lower contents are hidden holds `.wh..wh..opq`.
inline constexpr std::string_view kWhiteoutPrefix = ".wh.";
inline constexpr std::string_view kWhiteoutMetaPrefix = ".wh..wh.";
inline constexpr std::string_view kOpaqueMarker = ".wh..wh..opq";

// overlayfs forms. A whiteout is a char device 0/0 (or, where mknod is refused, an empty file
// with the overlay.whiteout xattr); an opaque dir has overlay.opaque = "y". We mount with
// `userxattr`, so we write the user.* names and read both.
inline constexpr std::string_view kUserOverlayOpaque = "user.overlay.opaque";
inline constexpr std::string_view kTrustedOverlayOpaque = "trusted.overlay.opaque";
inline constexpr std::string_view kUserOverlayWhiteout = "user.overlay.whiteout";
inline constexpr std::string_view kTrustedOverlayWhiteout = "trusted.overlay.whiteout";
inline constexpr std::string_view kUserOverlayPrefix = "user.overlay.";
inline constexpr std::string_view kTrustedOverlayPrefix = "trusted.overlay.";

// overlayfs stacks at most this many lower layers (fs/overlayfs/params.h: OVL_MAX_STACK).
inline constexpr int kOverlayMaxLowerLayers = 500;

}  // namespace layerlab
