#!/usr/bin/env bash
# Headless smoke test of the Quire desktop app: builds the debug binary (a no-op when it is up to date),
# starts Xvfb on a free display and tauri-driver on free ports, then runs smoke.mjs, which opens the app
# over WebDriver, checks the version, the backend status and the listing of real files read through the
# `read_files` command, and a real X11 drag-and-drop of two files onto the window (drag-source.py +
# xdotool), and saves a screenshot to target/desktop-smoke.png.
#
# Needs (scripts/setup.sh installs them): Xvfb, WebKitWebDriver, ImageMagick, tauri-driver, Node 20,
# libpdfium.so and Tesseract; the drag-and-drop part also needs xdotool and python3-gi with GTK 3
# (`--no-drag-drop` leaves it out).
#
# Usage: tests/desktop/smoke.sh [--no-drag-drop] [--no-build]
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"

drag_drop=1
build=1
for arg in "$@"; do
  case "$arg" in
    --no-drag-drop) drag_drop=0 ;;
    --no-build) build=0 ;;
    *) echo "usage: $0 [--no-drag-drop] [--no-build]" >&2; exit 2 ;;
  esac
done

log() { printf '\033[1;34m[desktop-smoke]\033[0m %s\n' "$*" >&2; }

for tool in Xvfb /usr/bin/WebKitWebDriver /usr/bin/import tauri-driver node cargo; do
  command -v "$tool" >/dev/null 2>&1 || { echo "missing $tool: run scripts/setup.sh" >&2; exit 1; }
done
if [ "$drag_drop" = 1 ]; then
  command -v xdotool >/dev/null 2>&1 \
    || { echo "missing xdotool for the drag-and-drop test: apt-get install xdotool (or pass --no-drag-drop)" >&2; exit 1; }
  /usr/bin/python3 -c 'import gi; gi.require_version("Gtk", "3.0")' 2>/dev/null \
    || { echo "missing python3-gi / gir1.2-gtk-3.0 for the drag-and-drop test (or pass --no-drag-drop)" >&2; exit 1; }
fi

target_dir="${CARGO_TARGET_DIR:-$root/target}"
app="$target_dir/debug/quire-desktop"
if [ "$build" = 1 ]; then
  log "building the desktop app and its OCR engine, quire-ocr (debug)"
  cargo build --quiet -p quire-desktop -p quire-cli
fi
[ -x "$app" ] || { echo "no binary at $app: build it with cargo build -p quire-desktop" >&2; exit 1; }

version="$(cargo metadata --no-deps --format-version 1 --offline \
  | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const p=JSON.parse(s).packages.find(p=>p.name==="quire-desktop");process.stdout.write(p.version)})')"

work="$(mktemp -d -t quire-desktop-smoke.XXXXXX)"
pids=()
smoke_pid=""
cleanup() {
  local status=$?
  if [ -n "$smoke_pid" ]; then kill -TERM "$smoke_pid" 2>/dev/null || true; fi
  # Each helper runs in its own process group (setsid), so this also ends what it started:
  # tauri-driver's WebKitWebDriver and the app, the drag source.
  for pid in "${pids[@]}"; do
    kill -TERM -- "-$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$pid" 2>/dev/null || true
  done
  if [ "$status" -ne 0 ] && [ -d "$work" ]; then
    for logfile in "$work"/*.log; do
      [ -s "$logfile" ] && { echo "--- $logfile" >&2; tail -n 40 "$logfile" >&2; }
    done
  fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{process.stdout.write(String(s.address().port));s.close()})'
}

# Xvfb picks a free display itself and writes its number to the file behind -displayfd.
log "starting Xvfb"
# Wide enough for the app window (at 0,0: there is no window manager) and the drag source beside it.
setsid Xvfb -displayfd 3 -screen 0 1600x900x24 -nolisten tcp 3>"$work/display" >"$work/xvfb.log" 2>&1 &
pids+=("$!")
for _ in $(seq 1 100); do [ -s "$work/display" ] && break; sleep 0.1; done
[ -s "$work/display" ] || { echo "Xvfb did not start" >&2; exit 1; }
export DISPLAY=":$(head -n 1 "$work/display")"
log "Xvfb on $DISPLAY"

port="$(free_port)"
native_port="$(free_port)"
while [ "$native_port" = "$port" ]; do native_port="$(free_port)"; done
log "starting tauri-driver on port $port (WebKitWebDriver on $native_port)"
setsid tauri-driver --port "$port" --native-port "$native_port" --native-driver /usr/bin/WebKitWebDriver \
  >"$work/tauri-driver.log" 2>&1 &
pids+=("$!")
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for _ in $(seq 1 100); do
  listening "$port" && listening "$native_port" && break
  sleep 0.1
done
listening "$port" && listening "$native_port" || { echo "tauri-driver did not start" >&2; exit 1; }

smoke_args=()
if [ "$drag_drop" = 1 ]; then smoke_args+=(--drag-drop); fi
# In the background with `wait`, so that a TERM/INT to this script runs the cleanup at once.
node "$root/tests/desktop/smoke.mjs" \
  --driver "http://127.0.0.1:$port" \
  --app "$app" \
  --version "$version" \
  --work-dir "$work/fixtures" \
  --sample-docs "$root/sample-docs" \
  --screenshot "$target_dir/desktop-smoke.png" \
  "${smoke_args[@]}" &
smoke_pid=$!
wait "$smoke_pid"
