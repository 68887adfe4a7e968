#!/usr/bin/env bash
# Every test: formatting, lints, the Rust test suites (real PDFium, Tesseract and sample-docs), the UI
# tests, and the desktop smoke test under Xvfb. Installs what is missing first (scripts/setup.sh).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
step() { printf '\n\033[1;34m==> %s\033[0m\n' "$*" >&2; }

step "set-up"
"$here/scripts/setup.sh"

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy --all-targets -- -D warnings"
cargo clippy --workspace --all-targets --quiet -- -D warnings

step "cargo test"
cargo test --workspace

step "extraction accuracy on sample-docs (thresholds; figures in docs/accuracy.md)"
cargo run --quiet -p quire-cli -- eval --corpus sample-docs --min-field-accuracy 0.97 --min-item-f1 0.97
# The shared evaluation corpus (present on developer machines and in CI; a fresh clone elsewhere skips it).
shared="$here/../shared/eval"
if [ -d "$shared/zugferd" ] && [ -d "$shared/invoice2data" ]; then
  cargo run --quiet -p quire-cli -- eval --corpus "$shared/zugferd" --min-field-accuracy 0.90 --min-item-f1 0.78
  i2d_templates="$(mktemp -d)"
  cargo run --quiet -p quire-cli -- templates import-invoice2data "$shared"/invoice2data/templates_reference/*/* \
    --out "$i2d_templates" > /dev/null
  cargo run --quiet -p quire-cli -- eval --corpus "$shared/invoice2data" --templates-dir "$i2d_templates" \
    --min-field-accuracy 0.85
  rm -rf "$i2d_templates"
else
  echo "(../shared/eval not found: zugferd and invoice2data accuracy checks skipped)"
fi

step "UI tests"
(cd ui && npm test --silent)

step "desktop smoke test (Xvfb + tauri-driver)"
"$here/tests/desktop/smoke.sh"

step "all tests passed"
