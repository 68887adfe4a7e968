#!/usr/bin/env python3
"""Checks sample-docs/ against its ground truth.

- Arithmetic: invoice and receipt totals add up, line items sum to the totals, statement balances run
  from the opening to the closing balance.
- Text-layer pages: every ground-truth word is in `pdftotext -layout` output (a word that -layout glues to its
  neighbour, e.g. '7 %' printed as '7%', is looked up in `pdftotext -raw` output instead).
- Scanned and photographed pages: Tesseract (at the image's own resolution, after its orientation detection)
  recognises at least --min-recall of the ground-truth words. A token that is two or three ground-truth words
  written together ('19%' for '19 %') counts for those words; the strict recall is reported as well.

Needs poppler-utils and tesseract-ocr with eng, deu, fra and osd. Usage: verify.py [--docs DIR] [--min-recall R]
"""

from __future__ import annotations

import argparse
import collections
import concurrent.futures
import json
import os
import re
import subprocess
import sys
import tempfile
from decimal import Decimal
from pathlib import Path

from PIL import Image

REPOSITORY = Path(__file__).resolve().parents[2]
TESSERACT_LANGUAGES = {"de-DE": "deu", "fr-FR": "fra"}


def run(command: list[str]) -> str:
    environment = dict(os.environ, OMP_THREAD_LIMIT="1")
    return subprocess.run(command, check=True, capture_output=True, text=True, env=environment).stdout


def word_recall(expected: list[str], found: list[str]) -> tuple[int, collections.Counter]:
    """How many expected words (counted with multiplicity) are among the found ones, and which are missing."""
    expected_counts = collections.Counter(expected)
    missing = expected_counts - collections.Counter(found)
    return sum(expected_counts.values()) - sum(missing.values()), missing


def split_glued(expected: list[str], found: list[str]) -> list[str]:
    """Found words with each unexpected token that is 2-3 consecutive expected words written together
    ('19%' for '19 %', '3:x' is not) replaced by those words: the reader saw them, only the spacing differs."""
    glued = {}
    for size in (2, 3):
        for start in range(len(expected) - size + 1):
            glued.setdefault("".join(expected[start : start + size]), expected[start : start + size])
    extra = collections.Counter(found) - collections.Counter(expected)
    result = [word for word in found if word not in extra]
    for word in found:
        if word in extra:
            result.extend(glued.get(word, [word]))
    return result


# ---- arithmetic -----------------------------------------------------------------------------------------


def check_arithmetic(truth: dict) -> list[str]:
    problems = []
    fields = truth["fields"]

    def amount(value: str) -> Decimal:
        return Decimal(value) if value else Decimal(0)

    if truth["document_type"] in ("invoice", "receipt"):
        if amount(fields["netAmount"]) + amount(fields["taxAmount"]) != amount(fields["totalAmount"]):
            problems.append("net + tax != total")
    if truth["document_type"] == "invoice":
        items = truth["line_items"]
        for key, field in (
            ("netAmount", "netAmount"),
            ("taxAmount", "taxAmount"),
            ("discountAmount", "discountAmount"),
            ("totalAmount", "totalAmount"),
        ):
            if sum((amount(i[key]) for i in items), Decimal(0)) != amount(fields[field]):
                problems.append(f"line {key} do not sum to {field}")
        for item in items:
            gross = (Decimal(item["quantity"]) * Decimal(item["unitPrice"])).quantize(Decimal("0.01"))
            if gross - amount(item["discountAmount"]) != amount(item["netAmount"]):
                problems.append(f"line {item['description'][:30]!r}: quantity x price - discount != net")
            if amount(item["netAmount"]) + amount(item["taxAmount"]) != amount(item["totalAmount"]):
                problems.append(f"line {item['description'][:30]!r}: net + tax != total")
    if truth["document_type"] == "receipt":
        total = sum((amount(i["totalAmount"]) for i in truth["line_items"]), Decimal(0))
        total -= amount(fields["discountAmount"])
        if fields["currencyCode"] == "USD":
            total += amount(fields["taxAmount"])  # sales tax is added on top
        if total != amount(fields["totalAmount"]):
            problems.append("line amounts - discount (+ sales tax) != total")
    if truth["document_type"] == "bank_statement":
        balance = amount(fields["openingBalance"])
        for item in truth["line_items"]:
            balance += amount(item["creditAmount"]) - amount(item["debitAmount"])
            if balance != amount(item["balanceAmount"]):
                problems.append(f"running balance wrong at {item['date']} {item['description'][:30]!r}")
                break
        if balance != amount(fields["closingBalance"]):
            problems.append("opening balance + transactions != closing balance")
    return problems


# ---- text layer -------------------------------------------------------------------------------------------


def check_text_page(path: Path, page_number: int, words: list[str]) -> tuple[int, list[str], list[str]]:
    """(words found, words found only through -raw, words missing)."""
    pages = ["-f", str(page_number), "-l", str(page_number)]
    layout_words = run(["pdftotext", "-layout", *pages, str(path), "-"]).split()
    found, missing = word_recall(words, layout_words)
    if not missing:
        return found, [], []
    raw_words = run(["pdftotext", "-raw", *pages, str(path), "-"]).split()
    _, still_missing = word_recall(list(missing.elements()), raw_words)
    only_raw = sorted((missing - still_missing).elements())
    return found + len(only_raw), only_raw, sorted(still_missing.elements())


# ---- OCR ----------------------------------------------------------------------------------------------------


def page_images(path: Path, truth: dict, workdir: Path) -> dict[int, Path]:
    """The stored image of every scanned/photographed page, at its native resolution."""
    images = {}
    suffix = path.suffix.lower()
    for number, rendering in enumerate(truth["page_renderings"], start=1):
        if rendering == "text_layer":
            continue
        if suffix == ".pdf":
            prefix = workdir / f"{path.stem}-p{number}"
            run(["pdfimages", "-j", "-f", str(number), "-l", str(number), str(path), str(prefix)])
            (extracted,) = sorted(workdir.glob(f"{prefix.name}-*"))
            images[number] = extracted
        elif suffix in (".tif", ".tiff"):
            with Image.open(path) as tiff:
                tiff.seek(number - 1)
                target = workdir / f"{path.stem}-p{number}.png"
                tiff.save(target, dpi=tiff.info.get("dpi", (300, 300)))
                images[number] = target
        else:
            images[number] = path
    return images


def detected_rotation(image: Path) -> int:
    """Tesseract's orientation detection: degrees the page is rotated clockwise as stored."""
    try:
        output = run(["tesseract", str(image), "-", "--psm", "0"])
    except subprocess.CalledProcessError:
        return 0
    match = re.search(r"Rotate: (\d+)", output)
    return int(match.group(1)) if match else 0


def ocr_page(image: Path, language: str, workdir: Path) -> tuple[list[str], int]:
    rotation = detected_rotation(image)
    source = image
    if rotation:
        with Image.open(image) as original:
            upright = original.rotate(-rotation, expand=True)
            source = workdir / f"{image.stem}-upright.png"
            upright.save(source, dpi=original.info.get("dpi", (300, 300)))
    return run(["tesseract", str(source), "-", "-l", language]).split(), rotation


# ---- main ---------------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=Path, default=REPOSITORY / "sample-docs")
    parser.add_argument("--min-recall", type=float, default=0.95)
    args = parser.parse_args()

    truths = sorted(args.docs.glob("*/*.json"))
    if not truths:
        print(f"no ground truth found under {args.docs}")
        return 1
    failures = 0
    ocr_jobs = []
    with tempfile.TemporaryDirectory() as temporary, concurrent.futures.ThreadPoolExecutor(2) as pool:
        workdir = Path(temporary)
        for truth_path in truths:
            truth = json.loads(truth_path.read_text(encoding="utf-8"))
            path = truth_path.with_name(truth["file"])
            name = f"{path.parent.name}/{path.name}"
            for problem in check_arithmetic(truth):
                print(f"FAIL {name}: {problem}")
                failures += 1
            if len(truth["pages"]) != truth["n_pages"] or len(truth["page_renderings"]) != truth["n_pages"]:
                print(f"FAIL {name}: page counts disagree")
                failures += 1
            for number, rendering in enumerate(truth["page_renderings"], start=1):
                words = truth["pages"][number - 1]["words"]
                if rendering == "text_layer":
                    found, only_raw, missing = check_text_page(path, number, words)
                    note = f" (glued by -layout, found by -raw: {' '.join(only_raw)})" if only_raw else ""
                    status = "ok  " if not missing else "FAIL"
                    failures += bool(missing)
                    print(
                        f"{status} {name} p{number} text layer: {found}/{len(words)} words{note}"
                        + (f" MISSING {missing}" if missing else "")
                    )
            language = TESSERACT_LANGUAGES.get(truth["locale"], "eng")
            for number, image in page_images(path, truth, workdir).items():
                expected_rotation = truth["page_rotation"][number - 1]
                words = truth["pages"][number - 1]["words"]
                ocr_jobs.append(
                    (name, number, words, expected_rotation, language, pool.submit(ocr_page, image, language, workdir))
                )
        for name, number, words, expected_rotation, language, job in ocr_jobs:
            ocr_words, rotation = job.result()
            strict_found, _ = word_recall(words, ocr_words)
            found, missing = word_recall(words, split_glued(words, ocr_words))
            recall = found / len(words)
            ok = recall >= args.min_recall and rotation == expected_rotation
            failures += not ok
            print(
                f"{'ok  ' if ok else 'FAIL'} {name} p{number} OCR ({language}, orientation {rotation}°, "
                f"expected {expected_rotation}°): recall {recall:.1%} ({found}/{len(words)}; "
                f"{strict_found / len(words):.1%} before splitting glued words); "
                f"missed: {' '.join(sorted(missing.elements()))}"
            )
    print(f"{len(truths)} documents checked, {failures} problem(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
