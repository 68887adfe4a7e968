#!/usr/bin/env bash
# Installs libpdfium.so into Quire's per-user data dir (~/.local/share/quire/lib), taken from the pinned
# pypdfium2 wheel on PyPI with its SHA-256 checked by pip. Idempotent.
set -euo pipefail
PYPDFIUM2_VERSION=5.15.2
PYPDFIUM2_SHA256=dc31aea5b0fb9fefc9b537a65f4113980b2c40798445736a7e6565bc85161e37
dest="${XDG_DATA_HOME:-$HOME/.local/share}/quire/lib"
stamp="$dest/libpdfium.source"
if [ -f "$dest/libpdfium.so" ] && [ "$(cat "$stamp" 2>/dev/null)" = "pypdfium2==$PYPDFIUM2_VERSION" ]; then
  exit 0
fi
printf '\033[1;34m[setup]\033[0m %s\n' "fetching libpdfium.so from pypdfium2==$PYPDFIUM2_VERSION" >&2
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
echo "pypdfium2==$PYPDFIUM2_VERSION --hash=sha256:$PYPDFIUM2_SHA256" > "$tmp/req.txt"
python3 -m pip download --quiet --no-deps --only-binary=:all: --require-hashes \
  --platform manylinux_2_17_x86_64 --python-version 3.11 -r "$tmp/req.txt" -d "$tmp"
python3 - "$tmp" <<'PY'
import sys, zipfile, glob, os
tmp = sys.argv[1]
whl = glob.glob(os.path.join(tmp, "pypdfium2-*.whl"))[0]
with zipfile.ZipFile(whl) as z:
    z.extract("pypdfium2_raw/libpdfium.so", tmp)
PY
mkdir -p "$dest"
install -m 0644 "$tmp/pypdfium2_raw/libpdfium.so" "$dest/libpdfium.so.tmp"
mv "$dest/libpdfium.so.tmp" "$dest/libpdfium.so"
echo "pypdfium2==$PYPDFIUM2_VERSION" > "$stamp"
