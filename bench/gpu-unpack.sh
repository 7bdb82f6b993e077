#!/bin/bash
# A copy of ../shared/gpu/unpack.sh (the project's GPU-machine recipe), kept here so a clean clone packs without ../shared.
# Runs on the GPU machine, from the project root: installs the carried Vulkan/GL libraries, node and
# node_modules, and sets the variables Dawn needs to find the NVIDIA Vulkan driver.
# Usage there:  source .gpu-carry/unpack.sh && node your-script.mjs
for f in .gpu-carry/debs/*.deb; do dpkg -x "$f" /; done; ldconfig
export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
export __EGL_VENDOR_LIBRARY_FILENAMES=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
export XDG_RUNTIME_DIR=/tmp
mkdir -p /tmp/nodebin && xz -dc .gpu-carry/node.xz > /tmp/nodebin/node && chmod +x /tmp/nodebin/node
export PATH=/tmp/nodebin:$PATH
[ -d node_modules ] || xz -dc .gpu-carry/node_modules.tar.xz | tar xf -
node --version
