#!/usr/bin/env bash
# Side-by-side text-layer throughput and field accuracy of Quire and invoice2data on the same documents
# (issue 4, section 5): invoice2data's compare set (text-layer PDFs; the scan saeco.pdf is left out) with
# invoice2data's own templates, and the same templates imported into Quire. Prints figures, asserts nothing.
#
# Idempotent: creates a venv under target/bench-venv/invoice2data with a pinned invoice2data[dateparser]
# (invoice2data reads PDFs through `pdftotext` from poppler-utils, which scripts/setup.sh installs) and
# builds the release `quire`. Environment: ROUNDS (in-process rounds, default 5), CLI_ROUNDS (per-call
# rounds, default 2), QUIRE_PASSES (passes over the documents per in-process Quire round, default 5),
# QUIRE_BIN (a quire binary to use instead of building), I2D_CORPUS (default ../shared/eval/invoice2data).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$here"

INVOICE2DATA_VERSION="1.0.1"
log() { printf '\033[1;34m[bench]\033[0m %s\n' "$*" >&2; }

corpus="${I2D_CORPUS:-$here/../shared/eval/invoice2data}"
if [[ ! -d "$corpus/compare" || ! -d "$corpus/templates_reference" ]]; then
  log "skipping: $corpus (compare/ and templates_reference/) is absent; it comes from ../shared/eval"
  exit 0
fi
if ! command -v pdftotext >/dev/null; then
  log "pdftotext is missing (poppler-utils): run scripts/setup.sh"
  exit 1
fi

venv="$here/target/bench-venv/invoice2data"
if [[ ! -x "$venv/bin/python" ]]; then
  log "creating $venv"
  python3 -m venv "$venv"
fi
installed="$("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("invoice2data"))' 2>/dev/null || true)"
if [[ "$installed" != "$INVOICE2DATA_VERSION" ]] || ! "$venv/bin/python" -c 'import dateparser' 2>/dev/null; then
  log "installing invoice2data[dateparser]==$INVOICE2DATA_VERSION"
  "$venv/bin/pip" install --quiet "invoice2data[dateparser]==$INVOICE2DATA_VERSION"
fi

quire="${QUIRE_BIN:-}"
if [[ -z "$quire" ]]; then
  log "building the release quire (cargo build --release -p quire-cli)"
  cargo build --release -p quire-cli
  quire="$here/target/release/quire"
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
log "importing invoice2data's templates into Quire"
"$quire" templates import-invoice2data "$corpus"/templates_reference/*/* --out "$work/templates" >/dev/null

"$venv/bin/python" "$here/scripts/bench/invoice2data_bench.py" \
  --corpus "$corpus" \
  --quire "$quire" \
  --quire-templates "$work/templates" \
  --work "$work" \
  --rounds "${ROUNDS:-5}" \
  --cli-rounds "${CLI_ROUNDS:-2}" \
  --quire-passes "${QUIRE_PASSES:-5}"
