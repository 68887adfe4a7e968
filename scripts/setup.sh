#!/usr/bin/env bash
# One-time (and idempotent) set-up for Quire on Debian 12: system packages, libpdfium, npm packages,
# tauri-driver. Quick when everything is already present. Safe to run as root or through sudo.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"

log() { printf '\033[1;34m[setup]\033[0m %s\n' "$*" >&2; }

# --- system packages -------------------------------------------------------------------------------------
APT_PACKAGES=(
  # OCR build + runtime
  libtesseract-dev libleptonica-dev tesseract-ocr tesseract-ocr-eng tesseract-ocr-osd
  tesseract-ocr-deu tesseract-ocr-fra libclang-dev clang pkg-config
  # desktop (Tauri 2 / WebKitGTK 4.1)
  libwebkit2gtk-4.1-dev libgtk-3-dev libayatana-appindicator3-dev librsvg2-dev build-essential
  libssl-dev file libxdo-dev
  # headless desktop tests and fixtures
  xvfb xauth webkit2gtk-driver imagemagick poppler-utils qpdf
  # real drag-and-drop test: a GTK drag source driven by xdotool
  xdotool python3-gi gir1.2-gtk-3.0
  # python for fetching libpdfium from the pypdfium2 wheel
  python3-pip unzip curl ca-certificates
)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  log "installing system packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq -o DPkg::Lock::Timeout=900 \
    --no-install-recommends "${missing[@]}" >/dev/null
fi

# --- libpdfium.so from the pypdfium2 wheel (pinned, checksum verified) ---------------------------------------
"$here/scripts/fetch-pdfium.sh"

# --- npm packages for the UI tests and the desktop smoke test ----------------------------------------------
if [ -f ui/package-lock.json ]; then
  stamp=ui/node_modules/.quire-lock-stamp
  if [ ! -f "$stamp" ] || ! cmp -s ui/package-lock.json "$stamp"; then
    log "installing npm packages (ui/)"
    # `npm install` from the lock file rather than `npm ci`: with npm's `omit-lockfile-registry-resolved`
    # (set on some machines) `npm ci` rejects the optional per-platform packages of the lock as missing.
    (cd ui && npm install --no-audit --no-fund --loglevel=error)
    cp ui/package-lock.json "$stamp"
  fi
fi

# --- tauri-driver for the WebDriver smoke test ---------------------------------------------------------------
TAURI_DRIVER_VERSION=2.1.0
if ! command -v tauri-driver >/dev/null 2>&1 || ! cargo install --list | grep -q "^tauri-driver v$TAURI_DRIVER_VERSION:"; then
  log "installing tauri-driver $TAURI_DRIVER_VERSION (cargo install, a few minutes once)"
  cargo install --quiet tauri-driver@"$TAURI_DRIVER_VERSION" --locked
fi
