#!/usr/bin/env bash
# Make sure the Debian packages ccada builds and tests with are installed.
# As root: installs what is missing with apt-get (after apt-get update).
# Otherwise: prints the exact apt-get line to run and exits 1.
# --fuzz adds what `make fuzz` needs (clang, with libFuzzer and the sanitizer runtimes).
set -euo pipefail

# libcbor-dev: the CCA token's CBOR. python3-cbor2, python3-cryptography: the tests'
# independent token checker (/usr/bin/python3; see tests/kat).
# libjansson-dev, libmicrohttpd-dev: the Key Broker (src/relying).
# liblwip-dev: the Realm's TCP/IP stack (src/realm/net.c).
# libslirp-dev: the host's user-mode network backend (src/host/net_slirp.c).
PKGS=(gcc make cmake pkg-config libcmocka-dev libssl-dev libcbor-dev libjansson-dev libmicrohttpd-dev python3
      python3-cbor2 python3-cryptography liblwip-dev libslirp-dev)
if [ "${1:-}" = "--fuzz" ]; then
        PKGS+=(clang libclang-rt-14-dev)
fi

missing=()
for p in "${PKGS[@]}"; do
        if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
                missing+=("$p")
        fi
done

[ ${#missing[@]} -eq 0 ] && exit 0

line="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
        echo "ccada: missing Debian packages: ${missing[*]}" >&2
        echo "ccada: run as root:  apt-get update && $line" >&2
        exit 1
fi
echo "ccada: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
$line
