"""Quire's sample-document generator: invoices, receipts and bank statements with ground truth.

Modules:
- ``money``: exact decimal amounts and locale formatting (numbers, dates, currencies, percentages).
- ``identifiers``: check-digit-valid IBANs, VAT ids and similar identifiers.
- ``drawing``: a display list of pages (text, lines, boxes) that records every drawn word, plus tables
  that wrap cells and continue on the next page.
- ``invoices``, ``receipts``, ``statements``: the document content and their layouts.
- ``rendering``: turns display lists into text-layer PDFs, scanned-looking image PDFs, photos and TIFFs.
- ``catalogue``: the list of documents that end up in ``sample-docs/``.
"""
