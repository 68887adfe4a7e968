#!/usr/bin/env python3
"""Generates Quire's sample documents (invoices, receipts, bank statements) with ground truth JSON.

Usage: generate.py [--seed N] [--out DIR] [--only TEXT]. Same seed, same pinned packages -> byte-identical files.
See README.md next to this file.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import random
import shutil
import sys
from pathlib import Path

import numpy as np

sys.dont_write_bytecode = True  # no __pycache__ folders in the repository tree

from samplegen import rendering  # noqa: E402
from samplegen.drawing import Page  # noqa: E402
from samplegen.invoice_catalogue import invoices  # noqa: E402
from samplegen.invoices import layout_invoice  # noqa: E402
from samplegen.receipts import layout_receipt, receipts  # noqa: E402
from samplegen.rendering import ImagePage, PdfInfo, PhotoLook, ScanLook  # noqa: E402
from samplegen.statements import layout_statement, statements  # noqa: E402

DEFAULT_SEED = 20250815
REPOSITORY = Path(__file__).resolve().parents[2]


@dataclasses.dataclass(frozen=True)
class Rendering:
    """How a document is turned into a file."""

    kind: str  # text | scan-pdf | tiff | mixed | photo
    extension: str = "pdf"
    dpi: int = 0
    angle: float = 0.0  # skew of scans and photos, degrees counter-clockwise
    upside_down: bool = False
    jpeg_quality: int = 60
    noise_sigma: float = 4.5
    blur_radius: float | None = None  # None: the look's default (scan 0.55 px, photo 0.8 px)


TEXT = Rendering("text")

# Documents that are not plain text-layer PDFs.
RENDERINGS: dict[str, Rendering] = {
    "invoice-07-scan-200dpi": Rendering("scan-pdf", dpi=200, angle=-0.8),
    "invoice-08-scan-300dpi": Rendering("scan-pdf", dpi=300, angle=0.9, noise_sigma=3.5),
    "invoice-09-scan-2page": Rendering("tiff", extension="tif", dpi=300, angle=0.6),
    "invoice-10-mixed": Rendering("mixed", dpi=250, angle=-0.6, noise_sigma=3.5),
    "invoice-11-scan-upside-down": Rendering(
        "scan-pdf", dpi=300, angle=-0.7, upside_down=True, jpeg_quality=55, noise_sigma=4.0
    ),
    "receipt-02-photo": Rendering("photo", extension="jpg", dpi=200, angle=2.2, jpeg_quality=70, noise_sigma=4.0),
    "receipt-03-photo": Rendering("photo", extension="png", dpi=200, angle=-1.6, noise_sigma=2.5),
    "statement-04-fr-fr-scan": Rendering("scan-pdf", dpi=250, angle=0.9, jpeg_quality=55),
}

DOCUMENT_FOLDERS = {"invoice": "invoices", "receipt": "receipts", "bank_statement": "statements"}


@dataclasses.dataclass
class SampleDocument:
    stem: str
    document_type: str
    locale: str
    layout: str
    pages: list[Page]
    fields: dict[str, str]
    line_items: list[dict[str, str]]
    info: PdfInfo


class Seeds:
    """Per-document random generators derived from one seed, so documents do not disturb each other."""

    def __init__(self, seed: int):
        self.seed = seed

    def content(self, stem: str) -> random.Random:
        return random.Random(f"{self.seed}/{stem}/content")

    def imaging(self, stem: str) -> np.random.Generator:
        digest = hashlib.sha256(f"{self.seed}/{stem}/imaging".encode()).digest()
        return np.random.default_rng(int.from_bytes(digest[:8], "big"))


def collect_documents(seeds: Seeds) -> list[SampleDocument]:
    documents = []
    for invoice in invoices(seeds.content):
        documents.append(
            SampleDocument(
                invoice.stem,
                "invoice",
                invoice.locale.code,
                invoice.layout,
                layout_invoice(invoice),
                invoice.fields(),
                invoice.line_items(),
                PdfInfo(f"Invoice {invoice.number}", invoice.supplier.name, "Invoice"),
            )
        )
    for receipt in receipts(seeds.content):
        documents.append(
            SampleDocument(
                receipt.stem,
                "receipt",
                receipt.locale.code,
                receipt.layout,
                layout_receipt(receipt),
                receipt.fields(),
                receipt.line_items(),
                PdfInfo(f"Receipt {receipt.number}", receipt.shop_name, "Receipt"),
            )
        )
    for statement in statements(seeds.content):
        documents.append(
            SampleDocument(
                statement.stem,
                "bank_statement",
                statement.locale.code,
                statement.layout,
                layout_statement(statement),
                statement.fields(),
                statement.line_items(),
                PdfInfo(statement.title, statement.bank_name, "Bank statement"),
            )
        )
    return documents


def render(document: SampleDocument, how: Rendering, seeds: Seeds) -> tuple[bytes, list[str], list[int], str]:
    """The file's bytes, per-page renderings, per-page rotation as stored, and the document rendering."""
    pages = document.pages
    rotations = [page.rotate for page in pages]
    if how.kind == "text":
        return rendering.build_pdf(pages, document.info), ["text_layer"] * len(pages), rotations, "text_layer"

    rng = seeds.imaging(document.stem)
    if how.kind == "photo":
        (original,) = rendering.rasterize(pages, how.dpi)
        is_png = how.extension == "png"
        look = PhotoLook(angle=how.angle, noise_sigma=how.noise_sigma, grayscale=is_png, gray_step=4 if is_png else 1)
        if how.blur_radius is not None:
            look = dataclasses.replace(look, blur_radius=how.blur_radius)
        image = rendering.photo(original, look, rng)
        data = (
            rendering.jpeg(image, how.dpi, how.jpeg_quality)
            if how.extension == "jpg"
            else rendering.png(image, how.dpi)
        )
        return data, ["photo"], [0], "photo"

    angle = how.angle + (180.0 if how.upside_down else 0.0)
    look = ScanLook(angle=angle, noise_sigma=how.noise_sigma)
    if how.blur_radius is not None:
        look = dataclasses.replace(look, blur_radius=how.blur_radius)
    scanned_rotation = 180 if how.upside_down else 0
    if how.kind == "scan-pdf":
        originals = rendering.rasterize(pages, how.dpi)
        image_pages = [
            ImagePage(
                page.width, page.height, rendering.jpeg(rendering.scan(original, look, rng), how.dpi, how.jpeg_quality)
            )
            for page, original in zip(pages, originals)
        ]
        return (
            rendering.build_pdf(image_pages, document.info),
            ["scan"] * len(pages),
            [scanned_rotation] * len(pages),
            "scan",
        )
    if how.kind == "tiff":
        originals = rendering.rasterize(pages, how.dpi)
        scans = [
            rendering.scan(original, dataclasses.replace(look, angle=look.angle * (1 if i == 0 else -0.7)), rng)
            for i, original in enumerate(originals)
        ]
        return (
            rendering.bilevel_tiff(scans, how.dpi, rng),
            ["scan"] * len(pages),
            [scanned_rotation] * len(pages),
            "scan",
        )
    if how.kind == "mixed":
        originals = rendering.rasterize(pages[1:], how.dpi)
        mixed: list[Page | ImagePage] = [pages[0]]
        for page, original in zip(pages[1:], originals):
            mixed.append(
                ImagePage(
                    page.width,
                    page.height,
                    rendering.jpeg(rendering.scan(original, look, rng), how.dpi, how.jpeg_quality),
                )
            )
        page_renderings = ["text_layer"] + ["scan"] * (len(pages) - 1)
        return rendering.build_pdf(mixed, document.info), page_renderings, rotations, "mixed"
    raise ValueError(f"unknown rendering {how.kind}")


def ground_truth(
    document: SampleDocument, file_name: str, rendering_name: str, page_renderings: list[str], page_rotation: list[int]
) -> dict:
    return {
        "file": file_name,
        "document_type": document.document_type,
        "rendering": rendering_name,
        "locale": document.locale,
        "layout": document.layout,
        "n_pages": len(document.pages),
        "page_renderings": page_renderings,
        "page_rotation": page_rotation,
        "fields": document.fields,
        "line_items": document.line_items,
        "pages": [{"number": number, "words": page.words()} for number, page in enumerate(document.pages, start=1)],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--out", type=Path, default=REPOSITORY / "sample-docs")
    parser.add_argument("--only", help="generate only documents whose file stem contains this text")
    args = parser.parse_args()

    seeds = Seeds(args.seed)
    documents = collect_documents(seeds)
    unknown = set(RENDERINGS) - {d.stem for d in documents}
    if unknown:
        raise SystemExit(f"renderings configured for unknown documents: {sorted(unknown)}")
    if args.only:
        documents = [d for d in documents if args.only in d.stem]
    else:
        for folder in DOCUMENT_FOLDERS.values():
            shutil.rmtree(args.out / folder, ignore_errors=True)

    for document in documents:
        how = RENDERINGS.get(document.stem, TEXT)
        data, page_renderings, page_rotation, rendering_name = render(document, how, seeds)
        folder = args.out / DOCUMENT_FOLDERS[document.document_type]
        folder.mkdir(parents=True, exist_ok=True)
        file_name = f"{document.stem}.{how.extension}"
        (folder / file_name).write_bytes(data)
        truth = ground_truth(document, file_name, rendering_name, page_renderings, page_rotation)
        (folder / f"{document.stem}.json").write_text(
            json.dumps(truth, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        print(f"{folder.name}/{file_name}: {len(data):,} bytes, {len(document.pages)} page(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
