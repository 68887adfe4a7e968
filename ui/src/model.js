// Pure presentation logic of the Quire window: turns what the Rust commands return into labels, classes
// and list entries. No DOM and no Tauri here, so it is unit-tested under Node (see ui/test/).

/** Display names of the two reading backends, keyed as in the `backends` object of `app_info`. */
export const BACKEND_NAMES = Object.freeze({
  pdfium: 'PDFium',
  tesseract: 'Tesseract',
});

/**
 * How one backend's state is shown: `state` is `{ state: 'found', detail }` or
 * `{ state: 'missing', reason, fix }` (the engine's BackendState), or undefined while checking.
 */
export function backendView(state) {
  if (state === undefined || state === null) {
    return { state: 'checking', label: 'Checking…', detail: '', fix: '' };
  }
  if (state.state === 'found') {
    return { state: 'found', label: 'Found', detail: state.detail ?? '', fix: '' };
  }
  if (state.state === 'missing') {
    return { state: 'missing', label: 'Not found', detail: state.reason ?? '', fix: state.fix ?? '' };
  }
  return { state: 'missing', label: 'Unknown', detail: `unexpected backend state ${JSON.stringify(state)}`, fix: '' };
}

/** Label and CSS modifier of a page's text source (`text_layer` or `ocr`). */
export function sourceView(source) {
  switch (source) {
    case 'text_layer':
      return { label: 'Text layer', className: 'chip-text-layer' };
    case 'ocr':
      return { label: 'OCR', className: 'chip-ocr' };
    default:
      return { label: String(source), className: 'chip-unknown' };
  }
}

/** `1 page`, `3 pages`, `0 words`. */
export function countLabel(count, singular, plural = `${singular}s`) {
  return `${count} ${count === 1 ? singular : plural}`;
}

/** Short name of a media type for a badge: `application/pdf` → `PDF`. */
export function mimeLabel(mime) {
  const labels = {
    'application/pdf': 'PDF',
    'image/png': 'PNG',
    'image/jpeg': 'JPEG',
    'image/tiff': 'TIFF',
    'image/bmp': 'BMP',
    'image/webp': 'WebP',
  };
  return labels[mime] ?? mime;
}

/** Mean OCR confidence as a whole percentage; text-layer pages are exact, so they say so. */
export function confidenceLabel(page) {
  if (page.source === 'text_layer') return 'exact text';
  if (page.n_words === 0) return 'no words recognised';
  return `${Math.round(page.mean_confidence)}% confidence`;
}

/**
 * The preview text to show for a page: blank lines at the start and end dropped, trailing spaces of
 * each line dropped (leading spaces are layout and stay), and an ellipsis line when the engine cut it.
 */
export function previewText(preview, truncated) {
  const lines = String(preview ?? '')
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => line.replace(/\s+$/, ''));
  while (lines.length > 0 && lines[0] === '') lines.shift();
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  if (lines.length === 0) return truncated ? '…' : '(no text on this page)';
  const text = lines.join('\n');
  return truncated ? `${text}\n…` : text;
}

/** The last component of a path, for either separator. */
export function fileNameOf(path) {
  const parts = String(path).split(/[\\/]/).filter((part) => part !== '');
  return parts.length > 0 ? parts[parts.length - 1] : String(path);
}

/**
 * A list entry per path of a new batch, shown as "reading" until its report arrives. `batchId` makes
 * the keys unique when the same file is dropped twice.
 */
export function pendingEntries(batchId, paths) {
  return paths.map((path, index) => ({
    key: `${batchId}:${index}`,
    status: 'reading',
    path,
    file_name: fileNameOf(path),
  }));
}

/** The list entry for a finished file: the engine's report plus a key. */
export function entryFromReport(key, report) {
  return { ...report, key };
}

/**
 * Puts a file's report into the list: into its pending entry when the key matches one still reading
 * for the same path; else as a new entry right after the entry keyed `afterKey` when there is one (the
 * previous file of the same batch), else at the top. Returns a new array; the input is not modified.
 */
export function applyReport(entries, key, report, afterKey = null) {
  const position = entries.findIndex((entry) => entry.key === key);
  if (position !== -1 && entries[position].path === report.path) {
    const updated = entries.slice();
    updated[position] = entryFromReport(key, report);
    return updated;
  }
  const previous = afterKey === null ? -1 : entries.findIndex((entry) => entry.key === afterKey);
  const updated = entries.slice();
  updated.splice(previous + 1, 0, entryFromReport(key, report));
  return updated;
}

/** Counts for the summary line above the list. */
export function summarize(entries) {
  let n_read = 0;
  let n_failed = 0;
  let n_reading = 0;
  let n_pages = 0;
  let n_ocr_pages = 0;
  for (const entry of entries) {
    if (entry.status === 'read') {
      n_read += 1;
      n_pages += entry.n_pages;
      n_ocr_pages += entry.pages.filter((page) => page.source === 'ocr').length;
    } else if (entry.status === 'failed') {
      n_failed += 1;
    } else {
      n_reading += 1;
    }
  }
  return { n_files: entries.length, n_read, n_failed, n_reading, n_pages, n_ocr_pages };
}

/**
 * The summary line: `2 files · 5 pages (1 by OCR) · 1 failed · 1 reading`; pages only once a file was read.
 * Empty for an empty list.
 */
export function summaryLabel(counts) {
  if (counts.n_files === 0) return '';
  const parts = [countLabel(counts.n_files, 'file')];
  if (counts.n_read > 0) {
    const ocr = counts.n_ocr_pages > 0 ? ` (${counts.n_ocr_pages} by OCR)` : '';
    parts.push(`${countLabel(counts.n_pages, 'page')}${ocr}`);
  }
  if (counts.n_failed > 0) parts.push(`${counts.n_failed} failed`);
  if (counts.n_reading > 0) parts.push(`${counts.n_reading} reading`);
  return parts.join(' · ');
}

/** What the drop zone says while a batch is being read: `Reading 2 of 5…`. */
export function activityLabel(n_done, n_total, n_queued) {
  if (n_total === 0) return '';
  const current = Math.min(n_done + 1, n_total);
  const queued = n_queued > 0 ? ` (${countLabel(n_queued, 'more batch', 'more batches')} queued)` : '';
  return `Reading ${current} of ${n_total}…${queued}`;
}
