#!/bin/bash
# Packs what bench/gpu-machine.sh needs on the GPU machine into .gpu-carry/ (git-ignored), within
# the device tool's 64 MiB for the checkout and what it carries: this machine's node binary, the
# PRODUCTION node_modules only (npm ls --omit=dev; no source maps, no other platforms' Dawn builds,
# no native build intermediates), and Debian's Vulkan loader and GL dispatch libraries (the NVIDIA
# Vulkan driver there needs libglvnd). Same layout as ../shared/gpu/pack.sh, whose unpack.sh it
# uses; that one packs every dev dependency too (64 MiB on its own). Run `npm run build` first:
# dist/ travels beside it (carry both).
#   bash bench/gpu-pack.sh
set -euo pipefail
root=$(git rev-parse --show-toplevel); cd "$root"
[ -f dist/bench/gpu.js ] || { echo "bench/gpu-pack.sh: run npm run build first (dist/ travels with .gpu-carry)" >&2; exit 2; }
rm -rf .gpu-carry && mkdir -p .gpu-carry/debs
xz -T2 -6 -c "$(readlink -f "$(command -v node)")" > .gpu-carry/node.xz
npm ls --omit=dev --parseable --all 2>/dev/null | sed "s#^$root/##" | grep '^node_modules/' | sort -u > .gpu-carry/packages.txt
tar cf - --exclude='*.map' --exclude='*.ts' --exclude='node_modules/webgpu/dist/darwin-*' --exclude='node_modules/webgpu/dist/win32-*' \
  --exclude='node_modules/webgpu/dist/linux-arm64' --exclude='node_modules/better-sqlite3/deps' --exclude='node_modules/better-sqlite3/src' \
  --exclude='node_modules/better-sqlite3/build/Release/obj*' --exclude='node_modules/better-sqlite3/build/deps' \
  --no-recursion -T <(while read -r d; do find "$d" -path "$d/node_modules" -prune -o -print; done < .gpu-carry/packages.txt) \
  | xz -T2 -6 > .gpu-carry/node_modules.tar.xz
o='-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/amd64'
mkdir -p /tmp/amd64/partial; apt-get $o update -qq
(cd .gpu-carry/debs && apt-get $o download libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2 2>/dev/null)
cp bench/gpu-unpack.sh .gpu-carry/unpack.sh
du -sh .gpu-carry dist
