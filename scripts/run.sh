#!/usr/bin/env bash
# The main job: set up what is missing (system packages, libpdfium, ...), build the `quire` CLI, read the
# sample documents (printing, per page, where the text came from and the layout text), then process them as
# a batch (classify, extract, validate, store in a history database) and export the results to XLSX.
# Idempotent: the demo's history lives in target/demo/ and is started afresh on every run.
# Quick once everything is installed and built. Pass files or folders to use those instead of sample-docs/.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
"$here/scripts/setup.sh"
cargo build --quiet --release -p quire-cli
quire=./target/release/quire
# The samples are English, German and French: the default OCR language (`auto`) reads each scanned page
# in its own language; QUIRE_OCR_LANG overrides it.
lang=(--ocr-lang "${QUIRE_OCR_LANG:-auto}")
if [ "$#" -eq 0 ]; then
  set -- sample-docs
fi
mapfile -t files < <(find "$@" -type f ! -name '*.json' ! -name '*.md' | sort)

"$quire" "${lang[@]}" read "${files[@]}"

demo="$here/target/demo"
rm -rf "$demo"
mkdir -p "$demo"
echo
"$quire" "${lang[@]}" process "${files[@]}" --db "$demo/history.sqlite" --export "$demo/sample-docs.xlsx"
echo "history: $demo/history.sqlite   export: $demo/sample-docs.xlsx"
