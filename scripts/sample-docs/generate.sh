#!/usr/bin/env bash
# Regenerates sample-docs/ (invoices, receipts, bank statements + ground truth JSON) from the seeded generator.
# Creates the pinned virtualenv .venv-samples at the repository root on first use. Arguments are passed on to
# generate.py (e.g. --seed N, --out DIR). The same seed and pins give byte-identical files.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repository="$(cd "$here/../.." && pwd)"
venv="$repository/.venv-samples"
requirements="$here/requirements.txt"
python="${PYTHON:-python3.11}"

if ! command -v "$python" >/dev/null 2>&1; then
    echo "generate.sh: $python not found (set PYTHON to a Python 3.11 interpreter)" >&2
    exit 1
fi

# (Re)install when the venv is missing or requirements.txt changed since the last install.
stamp="$venv/.requirements.sha256"
wanted="$(sha256sum "$requirements" | cut -d' ' -f1)"
if [[ ! -x "$venv/bin/python" || ! -f "$stamp" || "$(cat "$stamp")" != "$wanted" ]]; then
    echo "generate.sh: preparing $venv" >&2
    "$python" -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements"
    echo "$wanted" > "$stamp"
fi

PYTHONDONTWRITEBYTECODE=1 exec "$venv/bin/python" "$here/generate.py" "$@"
