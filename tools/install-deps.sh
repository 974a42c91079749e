#!/usr/bin/env bash
# Install the Debian packages Vigil needs, when missing. Needs root for apt-get;
# otherwise says what to install and fails.
set -u
missing=()
for p in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
    echo "vigil: missing packages: ${missing[*]}" >&2
    echo "vigil: run as root, or: sudo apt-get install ${missing[*]}" >&2
    exit 1
fi
echo "vigil: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer no without a prompt.
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections 2>/dev/null || true
apt-get update -q >/dev/null || { echo "vigil: apt-get update failed" >&2; exit 1; }
apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null || {
    echo "vigil: apt-get install failed for: ${missing[*]}" >&2; exit 1; }
