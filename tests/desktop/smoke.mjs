// Headless smoke test of the Quire desktop app, driven over the W3C WebDriver protocol (plain fetch, no
// npm packages) through tauri-driver. Started by smoke.sh, which provides Xvfb and tauri-driver:
//
//   node tests/desktop/smoke.mjs --driver http://127.0.0.1:PORT --app /abs/target/debug/quire-desktop \
//     --version 0.1.0 --work-dir /tmp/fixtures --screenshot target/desktop-smoke.png
//
// It checks that the window renders the version and the backend status, reads real files through the
// `read_files` command (a two-page PDF whose first page has a text layer and whose second page is a scan,
// a zero-byte PDF, and a PDF from sample-docs/ when there is one), that the listing shows them, and saves
// a screenshot of the screen. With --drag-drop it also drags two files from a GTK drag source
// (drag-source.py) onto the window with xdotool, a real X11 drag-and-drop, and checks the drop zone's
// hover state and that the dropped files get read and listed.

import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ELEMENT_KEY = 'element-6066-11e4-a52e-4f735466cecf';

const { values: options } = parseArgs({
  options: {
    driver: { type: 'string' },
    app: { type: 'string' },
    version: { type: 'string' },
    'work-dir': { type: 'string' },
    screenshot: { type: 'string' },
    'sample-docs': { type: 'string' },
    'drag-drop': { type: 'boolean', default: false },
  },
});
for (const required of ['driver', 'app', 'version', 'work-dir', 'screenshot']) {
  if (!options[required]) throw new Error(`missing --${required}`);
}

// --- assertions and logging -------------------------------------------------------------------------------

let n_checks = 0;

function check(condition, message, detail) {
  if (!condition) {
    const suffix = detail === undefined ? '' : `\n  got: ${JSON.stringify(detail, null, 2)}`;
    throw new Error(`check failed: ${message}${suffix}`);
  }
  n_checks += 1;
  console.log(`  ok  ${message}`);
}

function checkEqual(actual, expected, message) {
  check(JSON.stringify(actual) === JSON.stringify(expected), `${message} (${JSON.stringify(expected)})`, actual);
}

// --- a minimal W3C WebDriver client -----------------------------------------------------------------------

async function webdriver(method, path, body) {
  const response = await fetch(`${options.driver}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json; charset=utf-8' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`${method} ${path}: HTTP ${response.status}, not JSON: ${text.slice(0, 300)}`);
  }
  if (!response.ok || (json.value && json.value.error)) {
    throw new Error(`${method} ${path}: HTTP ${response.status}: ${JSON.stringify(json.value).slice(0, 600)}`);
  }
  return json.value;
}

class Session {
  static async start(application) {
    const value = await webdriver('POST', '/session', {
      capabilities: {
        alwaysMatch: { browserName: 'wry', 'tauri:options': { application } },
      },
    });
    const session = new Session(value.sessionId);
    await webdriver('POST', `/session/${session.id}/timeouts`, { script: 120_000, implicit: 0 });
    return session;
  }

  constructor(id) {
    this.id = id;
  }

  async findElement(selector) {
    const value = await webdriver('POST', `/session/${this.id}/element`, { using: 'css selector', value: selector });
    if (!value || !value[ELEMENT_KEY]) throw new Error(`no element id for ${selector}: ${JSON.stringify(value)}`);
    return value[ELEMENT_KEY];
  }

  async elementText(elementId) {
    return webdriver('GET', `/session/${this.id}/element/${elementId}/text`);
  }

  async elementAttribute(elementId, name) {
    return webdriver('GET', `/session/${this.id}/element/${elementId}/attribute/${name}`);
  }

  async execute(script, args = []) {
    return webdriver('POST', `/session/${this.id}/execute/sync`, { script, args });
  }

  async executeAsync(script, args = []) {
    return webdriver('POST', `/session/${this.id}/execute/async`, { script, args });
  }

  async end() {
    await webdriver('DELETE', `/session/${this.id}`);
  }
}

async function waitFor(description, probe, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    last = await probe();
    if (last) return last;
    await new Promise((done) => setTimeout(done, 200));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${description}`);
}

// --- fixtures ---------------------------------------------------------------------------------------------

/**
 * Writes a PDF whose page 1 has a real text layer (Helvetica text) and whose page 2 is only a JPEG
 * scan of printed text, so the engine must read page 1 from the text layer and OCR page 2.
 */
function writeMixedPdf(path, scanJpegPath, scanWidthPx, scanHeightPx) {
  const jpeg = execFileSync('cat', [scanJpegPath]);
  const textLines = [
    'INVOICE INV-2024-0042',
    'ACME Office Supplies Ltd, 1 Market Street',
    'Paper A4 500 sheets        4 x 5.25      21.00',
    'Total due                                21.00 EUR',
  ];
  const content = [
    'BT /F1 14 Tf 16 TL 56 780 Td',
    ...textLines.map((line) => `(${line}) Tj T*`),
    'ET',
  ].join('\n');
  // Page 2 is 72 pt per 200 px: the scan is shown at 200 DPI.
  const pageWidth = (scanWidthPx * 72) / 200;
  const pageHeight = (scanHeightPx * 72) / 200;
  const drawImage = `q ${pageWidth.toFixed(2)} 0 0 ${pageHeight.toFixed(2)} 0 0 cm /Scan Do Q`;

  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R 6 0 R] /Count 2 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>',
    Buffer.from(`<< /Length ${Buffer.byteLength(content)} >>\nstream\n${content}\nendstream`),
    `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${pageWidth.toFixed(2)} ${pageHeight.toFixed(2)}] /Resources << /XObject << /Scan 7 0 R >> >> /Contents 8 0 R >>`,
    Buffer.concat([
      Buffer.from(
        `<< /Type /XObject /Subtype /Image /Width ${scanWidthPx} /Height ${scanHeightPx} /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /DCTDecode /Length ${jpeg.length} >>\nstream\n`,
      ),
      jpeg,
      Buffer.from('\nendstream'),
    ]),
    Buffer.from(`<< /Length ${Buffer.byteLength(drawImage)} >>\nstream\n${drawImage}\nendstream`),
  ];

  const chunks = [Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  let offset = chunks[0].length;
  const offsets = [];
  objects.forEach((object, index) => {
    const chunk = Buffer.concat([
      Buffer.from(`${index + 1} 0 obj\n`),
      Buffer.isBuffer(object) ? object : Buffer.from(object),
      Buffer.from('\nendobj\n'),
    ]);
    offsets.push(offset);
    offset += chunk.length;
    chunks.push(chunk);
  });
  const xref = [
    'xref',
    `0 ${objects.length + 1}`,
    '0000000000 65535 f ',
    ...offsets.map((objectOffset) => `${String(objectOffset).padStart(10, '0')} 00000 n `),
    'trailer',
    `<< /Size ${objects.length + 1} /Root 1 0 R >>`,
    'startxref',
    String(offset),
    '%%EOF\n',
  ].join('\n');
  chunks.push(Buffer.from(xref));
  writeFileSync(path, Buffer.concat(chunks));
}

function makeFixtures(workDir) {
  mkdirSync(workDir, { recursive: true });
  const scanJpeg = join(workDir, 'scan.jpg');
  const [scanWidthPx, scanHeightPx] = [1400, 700];
  execFileSync('/usr/bin/convert', [
    '-size', `${scanWidthPx}x${scanHeightPx}`, 'xc:white',
    '-font', 'DejaVu-Sans', '-pointsize', '56', '-fill', 'black',
    '-annotate', '+90+180', 'RECEIPT 0042',
    '-annotate', '+90+300', 'Coffee beans 12.50',
    '-annotate', '+90+420', 'TOTAL 12.50',
    '-colorspace', 'Gray', '-quality', '92', scanJpeg,
  ]);
  const mixedPdf = join(workDir, 'invoice-and-scan.pdf');
  writeMixedPdf(mixedPdf, scanJpeg, scanWidthPx, scanHeightPx);
  const emptyPdf = join(workDir, 'empty.pdf');
  writeFileSync(emptyPdf, Buffer.alloc(0));
  return { mixedPdf, emptyPdf, scanJpeg };
}

function firstSamplePdf(sampleDocsDir) {
  if (!sampleDocsDir || !existsSync(sampleDocsDir)) return null;
  const names = readdirSync(sampleDocsDir).filter((name) => name.toLowerCase().endsWith('.pdf')).sort();
  return names.length > 0 ? join(sampleDocsDir, names[0]) : null;
}

function pdfPageCount(path) {
  const info = execFileSync('pdfinfo', [path], { encoding: 'utf8' });
  const match = info.match(/^Pages:\s+(\d+)/m);
  if (!match) throw new Error(`pdfinfo gave no page count for ${path}`);
  return Number(match[1]);
}

/**
 * Captures the window's area of the X screen once the screen has stopped changing. Under Xvfb the X window
 * can lag the DOM by a second or more, so a capture taken at once may show an earlier frame.
 */
async function captureSettledScreen(path, rect, timeoutMs = 15_000) {
  mkdirSync(dirname(path), { recursive: true });
  const geometry = `${rect.width}x${rect.height}+${Math.max(0, rect.x)}+${Math.max(0, rect.y)}`;
  // PPM has no timestamps in it, so equal bytes mean equal pixels.
  const capture = () => execFileSync('/usr/bin/import', ['-window', 'root', '-crop', geometry, '+repage', 'ppm:-'], {
      maxBuffer: 256 * 1024 * 1024,
    });
  const deadline = Date.now() + timeoutMs;
  let previous = capture();
  let n_shots = 1;
  while (Date.now() < deadline) {
    await new Promise((done) => setTimeout(done, 700));
    const current = capture();
    n_shots += 1;
    if (current.equals(previous)) {
      execFileSync('/usr/bin/convert', ['ppm:-', path], { input: current });
      return n_shots;
    }
    previous = current;
  }
  throw new Error(`the screen kept changing for ${timeoutMs} ms; no stable screenshot`);
}

// --- real drag and drop -----------------------------------------------------------------------------------

const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

function xdotool(...args) {
  execFileSync('/usr/bin/xdotool', args.map(String));
}

/** Starts drag-source.py offering `paths` and resolves with its window's geometry once it is on screen. */
function startDragSource(paths, x, y) {
  const script = join(dirname(fileURLToPath(import.meta.url)), 'drag-source.py');
  const child = spawn('/usr/bin/python3', [script, String(x), String(y), ...paths], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const ready = new Promise((done, fail) => {
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
      const match = output.match(/^ready (-?\d+) (-?\d+) (\d+) (\d+)$/m);
      if (match) done({ x: +match[1], y: +match[2], width: +match[3], height: +match[4] });
    });
    child.on('exit', (code) => fail(new Error(`drag-source.py exited (${code}) before it was ready`)));
    setTimeout(() => fail(new Error('drag-source.py did not show its window within 15 s')), 15_000).unref();
  });
  return { child, ready };
}

async function dragAndDrop(session, fixtures, workDir) {
  console.log('drag and drop (GTK drag source + xdotool)');
  const droppedPdf = join(workDir, 'dropped-invoice.pdf');
  copyFileSync(fixtures.mixedPdf, droppedPdf);
  const droppedPng = join(workDir, 'dropped-receipt.png');
  execFileSync('/usr/bin/convert', [fixtures.scanJpeg, droppedPng]);

  const windowRect = await webdriver('GET', `/session/${session.id}/window/rect`);
  const source = startDragSource([droppedPdf, droppedPng], windowRect.x + windowRect.width + 40, 120);
  try {
    const sourceRect = await source.ready;
    const zone = await session.execute(`
      const box = document.getElementById('drop-zone').getBoundingClientRect();
      return { x: box.left + box.width / 2, y: box.top + box.height / 2 };
    `);
    const from = { x: sourceRect.x + sourceRect.width / 2, y: sourceRect.y + sourceRect.height / 2 };
    const to = { x: Math.round(windowRect.x + zone.x), y: Math.round(windowRect.y + zone.y) };

    xdotool('mousemove', from.x, from.y);
    await sleep(200);
    xdotool('mousedown', 1);
    await sleep(100);
    // Past GTK's drag threshold first, then across to the drop zone in steps so each step is a motion event.
    const n_steps = 25;
    for (let step = 1; step <= n_steps; step += 1) {
      const x = Math.round(from.x + ((to.x - from.x) * step) / n_steps);
      const y = Math.round(from.y + ((to.y - from.y) * step) / n_steps);
      xdotool('mousemove', x, y);
      await sleep(40);
    }
    xdotool('mousemove', to.x + 3, to.y + 2);
    const hovering = await waitFor(
      'the drop zone hover state',
      async () => (await session.execute("return document.getElementById('drop-zone').classList.contains('is-hovering');")) || null,
      5_000,
    ).catch(() => false);
    check(hovering === true, 'drop zone shows its hover state while files are dragged over the window');
    const hoverShot = resolve(options.screenshot).replace(/\.png$/, '') + '-drag.png';
    await captureSettledScreen(hoverShot, windowRect);
    console.log(`  (hover state captured to ${hoverShot})`);
    xdotool('mouseup', 1);

    const listing = await waitFor('the dropped files in the listing', async () => {
      const cards = await session.execute(READ_LISTING);
      const dropped = cards.filter((card) => card.path === droppedPdf || card.path === droppedPng);
      return dropped.length === 2 && dropped.every((card) => card.status !== 'reading') ? dropped : null;
    });
    const pdfCard = listing.find((card) => card.path === droppedPdf);
    const pngCard = listing.find((card) => card.path === droppedPng);
    checkEqual(pdfCard.status, 'read', 'dropped PDF was read');
    checkEqual(pdfCard.pages_label, '2 pages', 'dropped PDF listed with its page count');
    checkEqual(pdfCard.chips, ['Text layer', 'OCR'], 'dropped PDF listed with its page sources');
    checkEqual(pngCard.status, 'read', 'dropped PNG was read');
    checkEqual(pngCard.chips, ['OCR'], 'dropped PNG was read by OCR');
    check(/RECEIPT\s+0042/.test(pngCard.first_preview), 'dropped PNG preview has the OCR text', pngCard.first_preview);
    const stillHovering = await session.execute("return document.getElementById('drop-zone').classList.contains('is-hovering');");
    check(stillHovering === false, 'drop zone hover state ends with the drop');
  } finally {
    source.child.kill();
  }
}

// --- the test ---------------------------------------------------------------------------------------------

/** What the window lists, read from the DOM in one go. */
const READ_LISTING = `
  return Array.from(document.querySelectorAll('#results-list .file-card')).map((card) => ({
    status: card.dataset.status,
    file_name: card.querySelector('.file-name')?.textContent ?? null,
    path: card.querySelector('.file-path')?.textContent ?? null,
    pages_label: card.querySelector('.file-pages')?.textContent ?? null,
    chips: Array.from(card.querySelectorAll('.chip')).map((chip) => chip.textContent),
    first_preview: card.querySelector('.preview')?.textContent ?? null,
    error: card.querySelector('.file-error-message')?.textContent ?? null,
    error_code: card.querySelector('.file-error-code')?.textContent ?? null,
  }));
`;

const INVOKE_READ_FILES = `
  const [paths, done] = arguments;
  window.__TAURI__.core.invoke('read_files', { paths })
    .then((reports) => done({ reports }))
    .catch((error) => done({ error: String(error && error.message ? error.message : JSON.stringify(error)) }));
`;

async function main() {
  const workDir = resolve(options['work-dir']);
  const fixtures = makeFixtures(workDir);
  const { mixedPdf, emptyPdf } = fixtures;
  const samplePdf = firstSamplePdf(options['sample-docs']);

  console.log(`starting ${options.app} through ${options.driver}`);
  const session = await Session.start(options.app);
  try {
    console.log('window');
    const versionElement = await session.findElement('#app-version');
    const versionText = await waitFor('the version in the header', async () => {
      const text = await session.elementText(versionElement);
      return text && text !== '…' ? text : null;
    });
    checkEqual(versionText, options.version, 'header shows the crate version');

    for (const backend of ['pdfium', 'tesseract']) {
      const card = await session.findElement(`#backend-${backend}`);
      const state = await waitFor(`the ${backend} status`, async () => {
        const value = await session.elementAttribute(card, 'data-state');
        return value !== 'checking' ? value : null;
      });
      const cardText = await session.elementText(card);
      check(state === 'found', `${backend} backend is shown as found`, cardText);
      check(/\bFound\b/.test(cardText), `${backend} card says "Found"`, cardText);
    }

    console.log('read_files through window.__TAURI__.core.invoke');
    const paths = [mixedPdf, emptyPdf, ...(samplePdf ? [samplePdf] : [])];
    const started = Date.now();
    const result = await session.executeAsync(INVOKE_READ_FILES, [paths]);
    check(result.error === undefined, 'read_files resolved', result);
    const reports = result.reports;
    console.log(`  (read ${paths.length} files in ${Date.now() - started} ms)`);
    checkEqual(reports.map((report) => report.path), paths, 'one report per file, in order');

    const [mixed, empty] = reports;
    checkEqual(mixed.status, 'read', 'mixed PDF was read');
    checkEqual(mixed.mime, 'application/pdf', 'mixed PDF detected as a PDF');
    checkEqual(mixed.n_pages, 2, 'mixed PDF has 2 pages');
    checkEqual(mixed.pages.map((page) => page.source), ['text_layer', 'ocr'], 'page sources: text layer, then OCR');
    check(mixed.pages[0].preview.includes('INV-2024-0042'), 'text-layer preview has the invoice number', mixed.pages[0].preview);
    check(/RECEIPT\s+0042/.test(mixed.pages[1].preview), 'OCR preview has the scanned receipt text', mixed.pages[1].preview);
    check(mixed.pages[1].mean_confidence > 50, 'OCR confidence is plausible', mixed.pages[1].mean_confidence);

    checkEqual(empty.status, 'failed', 'zero-byte PDF failed');
    checkEqual(empty.error.code, 'empty_file', 'zero-byte PDF error code');
    check(empty.error.message.includes(emptyPdf), 'zero-byte PDF error names the file', empty.error.message);

    if (samplePdf) {
      const sample = reports[2];
      checkEqual(sample.status, 'read', `sample ${samplePdf} was read`);
      checkEqual(sample.n_pages, pdfPageCount(samplePdf), 'sample page count matches pdfinfo');
    }

    console.log('listing in the window');
    const listing = await waitFor('the read files in the listing', async () => {
      const cards = await session.execute(READ_LISTING);
      return cards.length >= paths.length && cards.every((card) => card.status !== 'reading') ? cards : null;
    });
    const mixedCard = listing.find((card) => card.path === mixedPdf);
    check(mixedCard !== undefined, 'listing shows the mixed PDF', listing);
    checkEqual(mixedCard.file_name, 'invoice-and-scan.pdf', 'mixed PDF listed by file name');
    checkEqual(mixedCard.pages_label, '2 pages', 'mixed PDF listed with its page count');
    checkEqual(mixedCard.chips, ['Text layer', 'OCR'], 'mixed PDF listed with its page sources');
    check(/INVOICE\s+INV-2024-0042/.test(mixedCard.first_preview), 'listing shows the text preview', mixedCard.first_preview);
    const emptyCard = listing.find((card) => card.path === emptyPdf);
    check(emptyCard !== undefined, 'listing shows the zero-byte PDF', listing);
    checkEqual(emptyCard.status, 'failed', 'zero-byte PDF listed as failed');
    check(emptyCard.error.includes('empty.pdf') && /empty/.test(emptyCard.error), 'its error names the file and the reason', emptyCard.error);
    checkEqual(emptyCard.error_code, 'empty_file', 'its error code is shown');
    const summary = await session.elementText(await session.findElement('#results-summary'));
    check(summary.includes(`${paths.length} files`), 'summary line counts the files', summary);

    if (options['drag-drop']) await dragAndDrop(session, fixtures, workDir);

    console.log('screenshot');
    // Scroll to the top so the screenshot shows the header, the backends and the first results.
    await session.execute('window.scrollTo(0, 0);');
    const rect = await webdriver('GET', `/session/${session.id}/window/rect`);
    const screenshot = resolve(options.screenshot);
    const n_shots = await captureSettledScreen(screenshot, rect);
    console.log(`  (screen settled after ${n_shots} captures)`);
    const n_colors = Number(execFileSync('/usr/bin/identify', ['-format', '%k', screenshot], { encoding: 'utf8' }));
    check(n_colors > 200, `screenshot ${screenshot} shows a rendered window (${n_colors} colours)`, n_colors);
  } finally {
    await session.end().catch((error) => console.error(`closing the session failed: ${error.message}`));
  }
  console.log(`desktop smoke test passed: ${n_checks} checks`);
}

main().catch((error) => {
  console.error(error.stack ?? String(error));
  process.exit(1);
});
