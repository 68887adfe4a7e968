// The Quire window: shows the version and the reading backends' status, reads the files dropped on the
// window through the Rust `read_files` command, and lists each file's pages as the engine finishes it.
// Presentation logic lives in model.js; this module only touches the DOM and Tauri.

import {
  BACKEND_NAMES,
  activityLabel,
  applyReport,
  backendView,
  confidenceLabel,
  countLabel,
  mimeLabel,
  pendingEntries,
  previewText,
  sourceView,
  summarize,
  summaryLabel,
} from './model.js';

const tauri = window.__TAURI__;

const ui = {
  version: document.getElementById('app-version'),
  dropZone: document.getElementById('drop-zone'),
  activity: document.getElementById('drop-activity'),
  summary: document.getElementById('results-summary'),
  empty: document.getElementById('results-empty'),
  list: document.getElementById('results-list'),
  clear: document.getElementById('clear-results'),
};

const state = {
  /** List entries, newest batch first: pending `{ key, status: 'reading', path, file_name }` or reports. */
  entries: [],
  /** Batches waiting for the one being read: `{ id, paths }`. */
  queue: [],
  /** The batch being read, with how many of its files are done. */
  current: null,
  nextBatchId: 1,
  /** Counter of batches read by other callers of `read_files`, whose files are listed as they come. */
  nextOutsideBatch: 0,
};

/** The DOM node of each rendered entry, reused while the entry object is unchanged. */
const renderedEntries = new Map();

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

// --- header: version and backends -------------------------------------------------------------------------

function showBackend(name, backendState) {
  const card = document.getElementById(`backend-${name}`);
  const view = backendView(backendState);
  card.dataset.state = view.state;
  card.querySelector('.backend-state').textContent = view.label;
  card.querySelector('.backend-detail').textContent = view.detail;
  const fix = card.querySelector('.backend-fix');
  fix.hidden = view.fix === '';
  fix.querySelector('.fix-text').textContent = view.fix;
}

async function showAppInfo() {
  try {
    const info = await tauri.core.invoke('app_info');
    ui.version.textContent = info.version;
    for (const name of Object.keys(BACKEND_NAMES)) showBackend(name, info.backends[name]);
  } catch (error) {
    const message = error?.message ?? String(error);
    for (const name of Object.keys(BACKEND_NAMES)) {
      showBackend(name, { state: 'missing', reason: `could not check the backend: ${message}`, fix: '' });
    }
  }
}

// --- the list of read files -------------------------------------------------------------------------------

function pageItem(page, isFirst) {
  const item = element('li', 'page');
  const details = element('details');
  details.open = isFirst;
  const summary = element('summary');
  const source = sourceView(page.source);
  summary.append(
    element('span', 'page-number', `Page ${page.number}`),
    element('span', `chip ${source.className}`, source.label),
    element('span', 'page-meta', `${countLabel(page.n_words, 'word')} · ${confidenceLabel(page)}`),
  );
  details.append(summary, element('pre', 'preview', previewText(page.preview, page.preview_truncated)));
  item.append(details);
  return item;
}

function fileCard(entry) {
  const card = element('li', 'file-card');
  card.dataset.status = entry.status;
  card.dataset.key = entry.key;

  const header = element('header', 'file-header');
  const title = element('div', 'file-title');
  title.append(element('span', 'file-name', entry.file_name));
  header.append(title);

  if (entry.status === 'read') {
    title.append(element('span', 'badge', mimeLabel(entry.mime)));
    header.append(element('span', 'file-pages', countLabel(entry.n_pages, 'page')));
  } else if (entry.status === 'failed') {
    title.append(element('span', 'badge badge-error', 'Could not read'));
  } else {
    header.append(element('span', 'file-reading', 'Reading…'));
  }
  card.append(header, element('p', 'file-path', entry.path));

  if (entry.status === 'read') {
    const pages = element('ol', 'page-list');
    entry.pages.forEach((page, index) => pages.append(pageItem(page, index === 0)));
    card.append(pages);
  } else if (entry.status === 'failed') {
    const error = element('p', 'file-error');
    error.append(element('span', 'file-error-message', entry.error.message));
    error.append(element('span', 'file-error-code', entry.error.code));
    card.append(error);
  }
  return card;
}

function render() {
  const keys = new Set(state.entries.map((entry) => entry.key));
  for (const key of renderedEntries.keys()) {
    if (!keys.has(key)) renderedEntries.delete(key);
  }
  const nodes = state.entries.map((entry) => {
    const rendered = renderedEntries.get(entry.key);
    if (rendered && rendered.entry === entry) return rendered.node;
    const node = fileCard(entry);
    renderedEntries.set(entry.key, { entry, node });
    return node;
  });
  ui.list.replaceChildren(...nodes);

  const counts = summarize(state.entries);
  ui.summary.textContent = summaryLabel(counts);
  ui.empty.hidden = counts.n_files > 0;
  ui.clear.hidden = counts.n_files === counts.n_reading;
  const current = state.current;
  ui.activity.textContent = current ? activityLabel(current.n_done, current.paths.length, state.queue.length) : '';
  ui.dropZone.classList.toggle('is-busy', current !== null);
  document.body.classList.toggle('has-results', counts.n_files > 0);
}

// --- reading batches --------------------------------------------------------------------------------------

/** Lists the files as pending at once, then reads them after any batch already being read. */
function enqueue(paths) {
  if (paths.length === 0) return;
  const batch = { id: state.nextBatchId++, paths, n_done: 0 };
  state.entries = [...pendingEntries(batch.id, paths), ...state.entries];
  state.queue.push(batch);
  render();
  readNextBatch();
}

async function readNextBatch() {
  if (state.current !== null || state.queue.length === 0) return;
  const batch = state.queue.shift();
  state.current = batch;
  render();
  try {
    const reports = await tauri.core.invoke('read_files', { paths: batch.paths });
    // Progress events normally filled every entry already; this covers any that were missed.
    reports.forEach((report, index) => settle(`${batch.id}:${index}`, report));
  } catch (error) {
    const body = { code: error?.code ?? 'invoke_failed', message: error?.message ?? String(error) };
    batch.paths.forEach((path, index) => settle(`${batch.id}:${index}`, { path, file_name: path, status: 'failed', error: body }));
  } finally {
    state.current = null;
    render();
    readNextBatch();
  }
}

function settle(key, report, afterKey = null) {
  const entry = state.entries.find((candidate) => candidate.key === key);
  if (entry && entry.status !== 'reading') return;
  state.entries = applyReport(state.entries, key, report, afterKey);
}

/**
 * A file finished: fill its pending entry, or, for a batch that did not start from the drop zone (another
 * caller of `read_files`), list it as new, keeping that batch's files in order.
 */
function onReadProgress({ index, report }) {
  const batch = state.current;
  if (batch !== null && batch.paths[index] === report.path) {
    batch.n_done = Math.max(batch.n_done, index + 1);
    settle(`${batch.id}:${index}`, report);
  } else {
    if (index === 0) state.nextOutsideBatch += 1;
    const prefix = `outside-${state.nextOutsideBatch}`;
    settle(`${prefix}:${index}`, report, index > 0 ? `${prefix}:${index - 1}` : null);
  }
  render();
}

// --- drag and drop ----------------------------------------------------------------------------------------

function onDragDrop(event) {
  const { type } = event.payload;
  if (type === 'enter' || type === 'over') {
    ui.dropZone.classList.add('is-hovering');
  } else if (type === 'leave') {
    ui.dropZone.classList.remove('is-hovering');
  } else if (type === 'drop') {
    ui.dropZone.classList.remove('is-hovering');
    enqueue(event.payload.paths ?? []);
  }
}

ui.clear.addEventListener('click', () => {
  state.entries = state.entries.filter((entry) => entry.status === 'reading');
  render();
});

async function start() {
  render();
  await tauri.event.listen('read-progress', (event) => onReadProgress(event.payload));
  await tauri.webview.getCurrentWebview().onDragDropEvent(onDragDrop);
  await showAppInfo();
}

start();
