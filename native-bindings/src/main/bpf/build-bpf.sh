#!/usr/bin/env bash
# Builds wirekv's XDP program (wirekv_xdp.o) with clang for the BPF target.
#
#   build-bpf.sh <source-dir> <build-dir> <classes-dir>
#
# Writes <build-dir>/native/wirekv_xdp.o and copies it to <classes-dir>/native/bpf/ (so it ships in the
# jar; io.wirekv.nativebindings.xdp.XdpObjectFile extracts it from there, or loads it from
# -Dwirekv.native.dir).
#
# Never fails the build when clang or the libbpf headers are missing: it prints a warning and skips,
# and the Java side then says at run time which Debian packages to install. A compile error in the
# program itself (tools present, code broken) does fail the build.
set -u

src_dir=${1:?source dir}
build_dir=${2:?build dir}
classes_dir=${3:?classes dir}
name=wirekv_xdp.o
out_dir="$build_dir/native"
res_dir="$classes_dir/native/bpf"

skip()
{
    echo "[WARNING] wirekv XDP program not built: $1. The xdp backend will be unavailable at run time" \
         "(install Debian packages clang and libbpf-dev, then rebuild)." >&2
    rm -f "$res_dir/$name"
    exit 0
}

[ "$(uname -s)" = Linux ] || skip "not Linux"
command -v clang >/dev/null 2>&1 || skip "clang not found"
[ -f /usr/include/bpf/bpf_helpers.h ] || skip "libbpf headers (/usr/include/bpf/bpf_helpers.h) not found"
clang -print-targets 2>/dev/null | grep -qw bpf || skip "this clang has no BPF target"

# <asm/types.h> lives in the multiarch include directory on Debian.
multiarch=$(gcc -print-multiarch 2>/dev/null || echo "$(uname -m)-linux-gnu")

mkdir -p "$out_dir" "$res_dir" || exit 1
if [ ! -f "$out_dir/$name" ] || [ "$src_dir/wirekv_xdp.c" -nt "$out_dir/$name" ] || [ "$0" -nt "$out_dir/$name" ]; then
    # -g: BTF, which libxdp needs for the run configuration and its dispatcher.
    if ! clang -O2 -g -Wall -target bpf -I"/usr/include/$multiarch" \
        -c "$src_dir/wirekv_xdp.c" -o "$out_dir/$name.tmp"; then
        echo "[ERROR] wirekv XDP program does not compile: fix src/main/bpf/wirekv_xdp.c, or build without it" \
             "with -Dwirekv.xdp.skipProgram=true." >&2
        exit 1
    fi
    mv -f "$out_dir/$name.tmp" "$out_dir/$name" || exit 1
    echo "[INFO] wirekv XDP program built: $out_dir/$name"
fi
cp -f "$out_dir/$name" "$res_dir/$name" || exit 1
