"""Side-by-side benchmark of Quire and invoice2data on invoice2data's compare set (text-layer PDFs).

Run by scripts/bench/invoice2data.sh inside the venv that holds invoice2data. Measures, in one run:
  1. invoice2data in-process: its Python API, templates loaded once, extract_data per document;
  2. invoice2data per CLI call: `invoice2data --input-reader pdftotext ... FILE` once per document;
  3. Quire in-process: `quire bench extract` (templates loaded once, read + classify + extract per document);
  4. Quire per CLI call: `quire extract --templates-dir DIR --no-einvoice --json FILE` once per document.
Field accuracy of both tools is computed by one scorer: each tool's output is converted to plain
`{fields, line_items}` and scored by `quire eval --predictions`, Quire's comparison rules (numbers as
decimals, dates as dates, text normalised; line items matched one-to-one).
"""

from __future__ import annotations

import argparse
import datetime
import json
import logging
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

SCAN_DOCUMENTS = {"saeco.pdf"}  # a scan: not part of the text-layer comparison


def plain_value(value: Any) -> str | None:
    """A scalar of invoice2data's output as the string the scorer compares (dates in ISO form)."""
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (int, float, str)):
        return str(value)
    return None


def invoice2data_prediction(result: dict[str, Any]) -> dict[str, Any] | None:
    """invoice2data's result dict as a prediction (`{}` from invoice2data means no template matched)."""
    if not result:
        return None
    fields: dict[str, str] = {}
    for key, value in result.items():
        text = plain_value(value)
        if text is not None:
            fields[key] = text
    # The line items: `lines`, else the first list of objects (as the ground truth is read by
    # quire_extract::eval::invoice2data_lines).
    lists = [v for v in result.values() if isinstance(v, list) and v and all(isinstance(i, dict) for i in v)]
    lines = result["lines"] if isinstance(result.get("lines"), list) else (lists[0] if lists else [])
    line_items = []
    for line in lines:
        if isinstance(line, dict):
            row = {k: plain_value(v) for k, v in line.items()}
            line_items.append({k: v for k, v in row.items() if v is not None})
    return {"fields": fields, "line_items": line_items}


def clear_document_caches() -> None:
    """Empties invoice2data's per-document memo caches (text per file, word boxes per file, parsed date
    strings), so every timed round does the work a batch of new documents needs. Compiled regexes stay
    cached, like Quire's templates loaded once."""
    from invoice2data import input as input_package
    from invoice2data.extract import _dates
    from invoice2data.input import pdftotext

    input_package._cached_to_text.cache_clear()
    pdftotext._words.cache_clear()
    _dates.parse_date.cache_clear()


def in_process_rounds(
    documents: list[Path], templates_dir: Path, rounds: int, quire_command: list[str], quire_passes: int
) -> tuple[dict[str, Any], list[float], float, dict[str, Any], list[dict[str, Any]]]:
    """Both tools in-process and warm, their rounds interleaved (an invoice2data round, then a Quire round,
    ...) so that both see the same machine load. invoice2data runs in this process (templates loaded
    once); Quire runs as one `quire bench extract --rounds-on-stdin` process (templates loaded once, an
    untimed warm-up round) that times one round each time it is asked, so both stay warm as a long batch
    runs. A Quire round goes over the documents `quire_passes` times, so that it lasts about as long as an
    invoice2data round: each tool then runs for a similar stretch between switches (a switch costs the
    next round the processor caches the other tool filled), as in a batch of that many documents."""
    from invoice2data import extract_data
    from invoice2data.extract.loader import read_templates

    logging.disable(logging.CRITICAL)
    started = time.perf_counter()
    templates = read_templates(str(templates_dir))
    load_ms = (time.perf_counter() - started) * 1000
    predictions: dict[str, Any] = {}
    for document in documents:  # warm-up round, untimed: also the outputs that are scored
        result = extract_data(str(document), templates=templates, input_module="pdftotext")
        predictions[document.name] = invoice2data_prediction(result)
    quire = subprocess.Popen(quire_command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert quire.stdin is not None and quire.stdout is not None
    quire_ready = json.loads(quire.stdout.readline())
    rates = []
    quire_rounds = []
    for _ in range(rounds):
        clear_document_caches()
        started = time.perf_counter()
        for document in documents:
            extract_data(str(document), templates=templates, input_module="pdftotext")
        rates.append(len(documents) / (time.perf_counter() - started))
        quire.stdin.write(f"{quire_passes}\n")
        quire.stdin.flush()
        quire_rounds.append(json.loads(quire.stdout.readline()))
    quire.stdin.close()
    if quire.wait() != 0:
        sys.exit(f"failed ({quire.returncode}): {' '.join(quire_command)}")
    return predictions, rates, load_ms, quire_ready, quire_rounds


def per_call(commands: list[list[str]], rounds: int, env: dict[str, str] | None = None) -> list[float]:
    """Documents per second running one process per document, `rounds` times over."""
    rates = []
    for _ in range(rounds):
        started = time.perf_counter()
        for command in commands:
            completed = subprocess.run(command, capture_output=True, text=True, env=env)
            if completed.returncode != 0:
                sys.exit(f"failed ({completed.returncode}): {' '.join(command)}\n{completed.stderr}")
        rates.append(len(commands) / (time.perf_counter() - started))
    return rates


def score(quire: str, corpus: Path, predictions: Path) -> dict[str, Any]:
    completed = subprocess.run(
        [quire, "eval", "--corpus", str(corpus), "--predictions", str(predictions), "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(completed.stdout)["summary"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--quire", required=True)
    parser.add_argument("--quire-templates", type=Path, required=True)
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--cli-rounds", type=int, default=2)
    parser.add_argument("--quire-passes", type=int, default=5,
                        help="passes over the documents per in-process Quire round (see in_process_rounds)")
    args = parser.parse_args()

    compare = args.corpus / "compare"
    documents = sorted(p for p in compare.glob("*.pdf") if p.name not in SCAN_DOCUMENTS)
    skipped = sorted(p.name for p in compare.iterdir() if p.suffix in (".pdf", ".txt") and p not in documents)
    print(f"documents: {len(documents)} text-layer PDFs of {compare} (left out: {', '.join(skipped)})")
    templates_dir = args.corpus / "templates_reference"
    import invoice2data  # noqa: F401  (the venv's)
    from importlib.metadata import version

    quire_version = subprocess.run([args.quire, "--version"], capture_output=True, text=True).stdout.strip()
    print(f"invoice2data {version('invoice2data')} (pdftotext reader), {quire_version} ({args.quire})")
    print(f"rounds: {args.rounds} in-process, interleaved (after a warm-up; {args.quire_passes} passes over the "
          f"documents per Quire round), {args.cli_rounds} per CLI call; "
          "one thread each")
    print(f"load average before: {os.getloadavg()[0]:.2f}")

    quire_path = args.work / "quire-predictions.json"
    quire_bench = [args.quire, "bench", "extract", "--templates-dir", str(args.quire_templates), "--no-einvoice",
                   "--rounds-on-stdin", "--predictions-out", str(quire_path)] + [str(d) for d in documents]
    i2d_predictions, i2d_rates, i2d_load_ms, quire_ready, quire_rounds = in_process_rounds(
        documents, templates_dir, args.rounds, quire_bench, args.quire_passes
    )
    i2d_path = args.work / "invoice2data-predictions.json"
    i2d_path.write_text(json.dumps(i2d_predictions, indent=1))
    quire_rates = [figures["docs_per_second"] for figures in quire_rounds]

    def mean_of(key: str) -> float:
        return statistics.mean(figures[key] for figures in quire_rounds)

    quire_figures = {
        "median_docs_per_second": statistics.median(quire_rates),
        "docs_per_second": quire_rates,
        "template_load_ms": quire_ready["template_load_ms"],
        "n_templates": quire_ready["n_templates"],
        "read_ms": mean_of("read_ms"),
        "classify_ms": mean_of("classify_ms"),
        "extract_ms": mean_of("extract_ms"),
        "pdfium_ms": mean_of("pdfium_ms"),
    }

    i2d_cli = str(Path(sys.executable).parent / "invoice2data")
    i2d_cli_rates = per_call(
        [[i2d_cli, "--input-reader", "pdftotext", "--exclude-built-in-templates", "--template-folder",
          str(templates_dir), str(d)] for d in documents],
        args.cli_rounds,
    )
    quire_commands = [[args.quire, "extract", "--templates-dir", str(args.quire_templates), "--no-einvoice",
                       "--json", str(d)] for d in documents]
    # As a user runs it: OMP_THREAD_LIMIT unset.
    user_env = {k: v for k, v in os.environ.items() if k != "OMP_THREAD_LIMIT"}
    quire_cli_rates = per_call(quire_commands, args.cli_rounds, user_env)

    i2d_score = score(args.quire, args.corpus, i2d_path)
    quire_score = score(args.quire, args.corpus, quire_path)

    def median(rates: list[float]) -> float:
        return statistics.median(rates)

    rows = [
        ("invoice2data, in-process (Python API)", median(i2d_rates)),
        ("invoice2data, one CLI call per document", median(i2d_cli_rates)),
        ("Quire, in-process (quire bench extract)", quire_figures["median_docs_per_second"]),
        ("Quire, one CLI call per document", median(quire_cli_rates)),
    ]
    print()
    print(f"{'measure':<42} {'docs/s':>9} {'ms/doc':>9}")
    for label, rate in rows:
        print(f"{label:<42} {rate:>9.1f} {1000 / rate:>9.2f}")
    print(f"ratio Quire / invoice2data, in-process:    {rows[2][1] / rows[0][1]:.1f}x")
    print(f"ratio Quire / invoice2data, per CLI call:  {rows[3][1] / rows[1][1]:.1f}x")
    n_template_files = sum(1 for p in templates_dir.rglob("*") if p.suffix in (".yml", ".yaml", ".json"))
    print(f"template loading: invoice2data {i2d_load_ms:.0f} ms ({n_template_files} files), Quire "
          f"{quire_figures['template_load_ms']:.0f} ms ({quire_figures['n_templates']} templates incl. built-ins)")
    print(f"Quire per document: read {quire_figures['read_ms']:.2f} ms, classify {quire_figures['classify_ms']:.2f} ms, "
          f"extract + validate {quire_figures['extract_ms']:.2f} ms")
    i2d_ms = 1000 / rows[0][1]
    print(f"PDFium alone (document, pages and their text loaded, nothing else): {quire_figures['pdfium_ms']:.2f} ms "
          f"per document; 10x invoice2data in-process allows {i2d_ms / 10:.2f} ms per document")
    print("rounds (docs/s): invoice2data " + ", ".join(f"{r:.1f}" for r in i2d_rates)
          + "; quire " + ", ".join(f"{r:.1f}" for r in quire_figures["docs_per_second"]))
    print()
    print("field accuracy (one scorer: quire eval --predictions):")
    for label, summary in (("invoice2data", i2d_score), ("Quire", quire_score)):
        print(f"  {label:<13} fields {summary['n_fields_correct']}/{summary['n_fields']} = "
              f"{100 * summary['field_accuracy']:.1f}%, line items P {summary['item_precision']:.3f} "
              f"R {summary['item_recall']:.3f} F1 {summary['item_f1']:.3f}, "
              f"{summary['n_errors']} documents without a result")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
