#!/usr/bin/env bash
# Builds the wirekv DPDK shim (libwirekv_dpdk_shim.so) against the installed DPDK.
#
#   build-shim.sh <source-dir> <build-dir> <classes-dir>
#
# Writes <build-dir>/native/libwirekv_dpdk_shim.so and copies it to
# <classes-dir>/native/linux-x86_64/ (so it ships in the jar; io.wirekv.nativebindings.dpdk.DpdkShim
# extracts it from there, or loads it from -Dwirekv.native.dir).
#
# Never fails the build when the tools or DPDK are missing: it prints a warning and skips, and the
# Java side then says at run time which Debian packages to install. A compile error in the shim
# itself (DPDK present, code broken) does fail the build.
set -u

src_dir=${1:?source dir}
build_dir=${2:?build dir}
classes_dir=${3:?classes dir}
name=libwirekv_dpdk_shim.so
out_dir="$build_dir/native"
arch_dir="$classes_dir/native/linux-$(uname -m | sed 's/^amd64$/x86_64/')"

skip()
{
    echo "[WARNING] wirekv DPDK shim not built: $1. The DPDK backend will be unavailable at run time" \
         "(install Debian packages dpdk and libdpdk-dev, then rebuild)." >&2
    rm -f "$arch_dir/$name"
    exit 0
}

[ "$(uname -s)" = Linux ] || skip "not Linux"
command -v gcc >/dev/null 2>&1 || skip "gcc not found"
command -v pkg-config >/dev/null 2>&1 || skip "pkg-config not found"
pkg-config --exists libdpdk 2>/dev/null || skip "pkg-config cannot find libdpdk"

mkdir -p "$out_dir" "$arch_dir" || exit 1

# Rebuild when the source, this script or the DPDK version changed (keeps incremental builds quick).
version=$(pkg-config --modversion libdpdk)
stamp="$out_dir/$name.dpdk-version"
if [ ! -f "$out_dir/$name" ] || [ "$src_dir/wirekv_dpdk_shim.c" -nt "$out_dir/$name" ] \
    || [ "$0" -nt "$out_dir/$name" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$version" ]; then
    # shellcheck disable=SC2046
    if ! gcc -O2 -g -fPIC -shared -fvisibility=hidden -Wall -Wextra \
        $(pkg-config --cflags libdpdk) \
        -o "$out_dir/$name.tmp" "$src_dir/wirekv_dpdk_shim.c" \
        -Wl,-soname,$name $(pkg-config --libs libdpdk); then
        echo "[ERROR] wirekv DPDK shim does not compile against DPDK $version: adapt" \
             "src/main/c/wirekv_dpdk_shim.c (and DpdkLayout) to it, or build without the DPDK backend" \
             "with -Dwirekv.dpdk.skipShim=true." >&2
        exit 1
    fi
    mv -f "$out_dir/$name.tmp" "$out_dir/$name" || exit 1
    echo "$version" > "$stamp"
    echo "[INFO] wirekv DPDK shim built against DPDK $version: $out_dir/$name"
fi
cp -f "$out_dir/$name" "$arch_dir/$name" || exit 1
