// Tests of the window's presentation logic (ui/src/model.js): backend status, page chips, previews, list
// entries and summaries, fed the JSON shapes the Rust commands return.
import { describe, expect, it } from 'vitest';

import {
  activityLabel,
  applyReport,
  backendView,
  confidenceLabel,
  countLabel,
  fileNameOf,
  mimeLabel,
  pendingEntries,
  previewText,
  sourceView,
  summarize,
  summaryLabel,
} from '../src/model.js';

const invoiceReport = {
  path: '/home/clerk/in/invoice-042.pdf',
  file_name: 'invoice-042.pdf',
  status: 'read',
  mime: 'application/pdf',
  n_pages: 2,
  pages: [
    { number: 1, source: 'text_layer', n_words: 120, mean_confidence: 100, preview: 'Invoice', preview_truncated: false },
    { number: 2, source: 'ocr', n_words: 40, mean_confidence: 87.6, preview: 'Total', preview_truncated: false },
  ],
};

const emptyFileReport = {
  path: '/home/clerk/in/empty.pdf',
  file_name: 'empty.pdf',
  status: 'failed',
  error: { code: 'empty_file', message: '/home/clerk/in/empty.pdf: the file is empty' },
};

describe('backendView', () => {
  it('shows a found backend as green "Found" with its detail and no fix', () => {
    expect(backendView({ state: 'found', detail: 'PDFium 159.0.8149.0 at /opt/lib/libpdfium.so' })).toEqual({
      state: 'found',
      label: 'Found',
      detail: 'PDFium 159.0.8149.0 at /opt/lib/libpdfium.so',
      fix: '',
    });
  });

  it('shows a missing backend as "Not found" with the reason and the fix text', () => {
    const view = backendView({ state: 'missing', reason: 'libpdfium.so not found', fix: 'run scripts/setup.sh' });
    expect(view.state).toBe('missing');
    expect(view.label).toBe('Not found');
    expect(view.detail).toBe('libpdfium.so not found');
    expect(view.fix).toBe('run scripts/setup.sh');
  });

  it('shows "Checking…" before the status has arrived', () => {
    expect(backendView(undefined).state).toBe('checking');
    expect(backendView(undefined).label).toBe('Checking…');
  });

  it('treats an unknown state as a problem instead of as found', () => {
    const view = backendView({ state: 'sleeping' });
    expect(view.state).toBe('missing');
    expect(view.detail).toContain('sleeping');
  });
});

describe('page labels', () => {
  it('labels text-layer and OCR pages with distinct chips', () => {
    expect(sourceView('text_layer')).toEqual({ label: 'Text layer', className: 'chip-text-layer' });
    expect(sourceView('ocr')).toEqual({ label: 'OCR', className: 'chip-ocr' });
    expect(sourceView('fax').className).toBe('chip-unknown');
  });

  it('pluralises counts', () => {
    expect(countLabel(1, 'page')).toBe('1 page');
    expect(countLabel(0, 'page')).toBe('0 pages');
    expect(countLabel(3, 'batch', 'batches')).toBe('3 batches');
  });

  it('rounds OCR confidence and calls text-layer pages exact', () => {
    expect(confidenceLabel(invoiceReport.pages[1])).toBe('88% confidence');
    expect(confidenceLabel(invoiceReport.pages[0])).toBe('exact text');
    expect(confidenceLabel({ source: 'ocr', n_words: 0, mean_confidence: 0 })).toBe('no words recognised');
  });

  it('names media types briefly and passes unknown ones through', () => {
    expect(mimeLabel('application/pdf')).toBe('PDF');
    expect(mimeLabel('image/jpeg')).toBe('JPEG');
    expect(mimeLabel('text/plain')).toBe('text/plain');
  });
});

describe('previewText', () => {
  it('keeps leading layout spaces but drops blank edge lines and trailing spaces', () => {
    const preview = '\n\n   ACME Ltd        Invoice   \n   Total           12.50  \n\n';
    expect(previewText(preview, false)).toBe('   ACME Ltd        Invoice\n   Total           12.50');
  });

  it('marks a preview the engine cut with an ellipsis line', () => {
    expect(previewText('Line one\nLine two', true)).toBe('Line one\nLine two\n…');
  });

  it('says so when a page has no text', () => {
    expect(previewText('  \n \n', false)).toBe('(no text on this page)');
    expect(previewText('', false)).toBe('(no text on this page)');
  });

  it('normalises Windows line endings', () => {
    expect(previewText('a\r\nb', false)).toBe('a\nb');
  });
});

describe('list entries', () => {
  it('takes the file name from either path separator', () => {
    expect(fileNameOf('/home/clerk/in/invoice-042.pdf')).toBe('invoice-042.pdf');
    expect(fileNameOf('C:\\Users\\clerk\\receipt.png')).toBe('receipt.png');
  });

  it('lists a dropped batch as reading, one entry per file with a unique key', () => {
    const entries = pendingEntries(7, ['/a/one.pdf', '/b/two.png']);
    expect(entries).toEqual([
      { key: '7:0', status: 'reading', path: '/a/one.pdf', file_name: 'one.pdf' },
      { key: '7:1', status: 'reading', path: '/b/two.png', file_name: 'two.png' },
    ]);
  });

  it('fills the pending entry of a finished file in place', () => {
    const entries = pendingEntries(1, [invoiceReport.path, emptyFileReport.path]);
    const updated = applyReport(entries, '1:1', emptyFileReport);
    expect(updated).toHaveLength(2);
    expect(updated[0].status).toBe('reading');
    expect(updated[1]).toEqual({ ...emptyFileReport, key: '1:1' });
    expect(entries[1].status).toBe('reading');
  });

  it('adds a report for an unknown key or another path as a new entry at the top', () => {
    const entries = pendingEntries(1, ['/elsewhere/other.pdf']);
    const withOutside = applyReport(entries, 'outside-1:0', invoiceReport);
    expect(withOutside.map((entry) => entry.key)).toEqual(['outside-1:0', '1:0']);
    const mismatched = applyReport(entries, '1:0', invoiceReport);
    expect(mismatched).toHaveLength(2);
    expect(mismatched[1].status).toBe('reading');
  });

  it('keeps the files of a batch from elsewhere in their order, after the previous one', () => {
    let entries = pendingEntries(1, ['/elsewhere/other.pdf']);
    entries = applyReport(entries, 'outside-1:0', invoiceReport);
    entries = applyReport(entries, 'outside-1:1', emptyFileReport, 'outside-1:0');
    expect(entries.map((entry) => entry.key)).toEqual(['outside-1:0', 'outside-1:1', '1:0']);
  });
});

describe('summaries', () => {
  it('counts files, pages, OCR pages, failures and files still reading', () => {
    const entries = [
      { ...invoiceReport, key: 'a' },
      { ...emptyFileReport, key: 'b' },
      ...pendingEntries(3, ['/x/receipt.jpg']),
    ];
    const counts = summarize(entries);
    expect(counts).toEqual({ n_files: 3, n_read: 1, n_failed: 1, n_reading: 1, n_pages: 2, n_ocr_pages: 1 });
    expect(summaryLabel(counts)).toBe('3 files · 2 pages (1 by OCR) · 1 failed · 1 reading');
  });

  it('leaves out the page count while no file has been read', () => {
    const counts = summarize([{ ...emptyFileReport, key: 'b' }, ...pendingEntries(3, ['/x/receipt.jpg'])]);
    expect(summaryLabel(counts)).toBe('2 files · 1 failed · 1 reading');
  });

  it('is empty for an empty list', () => {
    expect(summaryLabel(summarize([]))).toBe('');
  });

  it('describes batch progress and the queue', () => {
    expect(activityLabel(0, 5, 0)).toBe('Reading 1 of 5…');
    expect(activityLabel(5, 5, 0)).toBe('Reading 5 of 5…');
    expect(activityLabel(1, 2, 1)).toBe('Reading 2 of 2… (1 more batch queued)');
    expect(activityLabel(0, 0, 0)).toBe('');
  });
});
