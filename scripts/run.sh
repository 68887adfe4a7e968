#!/usr/bin/env bash
# The main job: set up what is missing (system packages, libpdfium, ...), build the `quire` CLI and run it
# over sample-docs/ (or the paths given). Idempotent; quick once everything is installed and built.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
"$here/scripts/setup.sh"
cargo build --quiet --release -p quire-cli
if [ "$#" -eq 0 ]; then
  mapfile -t files < <(find sample-docs -type f ! -name '*.json' | sort)
  set -- "${files[@]}"
fi
# The samples are English, German and French.
exec ./target/release/quire --ocr-lang "${QUIRE_OCR_LANG:-eng+deu+fra}" read "$@"
