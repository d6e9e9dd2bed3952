// The playground page: the editor on one side, the derivation on the other, the problem in the URL.
// convgrad's core runs in a worker made from the page's own copy of it, so the page stays responsive
// while a large problem is derived, and the newest edit always wins.
import type { Detail, Language, NetworkResultDocument, ResultDocument } from '../src/index.js';
import { lossCurve } from './curve.js';
import { h } from './dom.js';
import { Editor } from './editor.js';
import { Explore } from './explore.js';
import { firstConvView, isNetwork } from './network-view.js';
import { linkDocument } from './doc-links.js';
import { PRESETS } from './presets.js';
import { decodeHash, encodeHash, type ProblemJson } from './problem-json.js';
import type { CurveRequest, DeriveRequest, ExportRequest, PartReply, Reply, Request } from './protocol.js';
import { Stepper } from './stepper.js';
import { fragmentOf, marked, markers, patch, pieces, type Piece } from './chunks.js';
import { ui, type UiKey } from './ui-strings.js';

const SEED = PRESETS[0].problem;
/** Steps of the loss curve. */
const CURVE_STEPS = 10;
/** A request the worker has been on for longer than this, with a newer one waiting, is abandoned. */
const ABANDON_MS = 1500;

interface State {
  source: string;
  problem?: ProblemJson;
  language: Language;
  detail: Detail;
  decimals: boolean;
}

const state: State = { source: Editor.text(SEED as ProblemJson), problem: structuredClone(SEED) as ProblemJson, language: 'en', detail: 'auto', decimals: false };
const t = (key: UiKey, params: Record<string, string | number> = {}) => ui(state.language, key, params);

// ---- the worker ----------------------------------------------------------------------------------

const workerSource = document.getElementById('convgrad-worker')?.textContent ?? '';
const workerUrl = URL.createObjectURL(new Blob([workerSource], { type: 'text/javascript' }));
let nextId = 1;

/**
 * One worker and its queue: one request in flight, the newest of each kind replacing an older one
 * still waiting (exports all wait their turn). A worker busy for long on a request a newer one has
 * replaced is ended and started afresh.
 */
class Lane {
  private worker!: Worker;
  private inFlight: { request: Request; since: number } | undefined;
  private readonly waiting: Request[] = [];
  private readonly answers = new Map<number, (reply: Reply) => void>();
  private readonly parts = new Map<number, (text: string) => void>();

  constructor() {
    this.start();
  }

  private start(): void {
    this.worker = new Worker(workerUrl);
    this.worker.onmessage = (event: MessageEvent<Reply | PartReply>) => {
      if (event.data.kind === 'part') return this.parts.get(event.data.id)?.(event.data.text);
      this.parts.delete(event.data.id);
      this.inFlight = undefined;
      this.answers.get(event.data.id)?.(event.data);
      this.answers.delete(event.data.id);
      this.pump();
    };
    this.worker.onerror = (event) => {
      event.preventDefault();
      showStatus(`convgrad: ${event.message}`, 'error');
    };
  }

  /** part: each part of a document, as the worker sends it before its answer. */
  send<R extends Reply>(request: Request, answer: (reply: R) => void, part?: (text: string) => void): void {
    this.answers.set(request.id, answer as (reply: Reply) => void);
    if (part) this.parts.set(request.id, part);
    if (request.kind !== 'export') {
      for (let k = this.waiting.length - 1; k >= 0; k--) {
        if (this.waiting[k].kind !== request.kind) continue;
        const id = this.waiting.splice(k, 1)[0].id;
        this.answers.delete(id);
        this.parts.delete(id);
      }
    }
    this.waiting.push(request);
    const busy = this.inFlight;
    if (busy && busy.request.kind === request.kind && request.kind !== 'export' && performance.now() - busy.since > ABANDON_MS) {
      this.worker.terminate();
      this.answers.delete(busy.request.id);
      this.parts.delete(busy.request.id);
      this.inFlight = undefined;
      this.start();
    }
    this.pump();
  }

  private pump(): void {
    if (this.inFlight || this.waiting.length === 0) return;
    const request = this.waiting.shift()!;
    this.inFlight = { request, since: performance.now() };
    this.worker.postMessage(request);
  }
}

// Documents have a worker of their own, kept warm; the loss curve and the downloads another, so that
// an edit never waits behind them.
const documents = new Lane();
const side = new Lane();

// ---- the page ------------------------------------------------------------------------------------

// The page holds the seed's document, rendered when the page was built, so that it shows at once.
const doc = document.getElementById('doc')!;
const status = document.getElementById('status')!;
const explore = new Explore();
linkDocument(doc, explore);
const stepper = new Stepper(doc);
// On a phone the curve starts folded: the document is what the reader scrolls to.
// Until its numbers come, a box of the curve's size holds its place: the document below does not move when it arrives.
const curve = h('details', { class: 'curve-panel', id: 'curve', open: !matchMedia('(max-width: 30rem)').matches }, h('summary', {}), h('div', { class: 'curve-box waiting' }));
const curveHeading = () => `${t('curve.heading')} (${CURVE_STEPS} ${t('curve.steps')})`;
let stylesInjected = document.querySelector('style.document-style') !== null;
let lastGood: { source: string; result: ResultDocument | NetworkResultDocument } | undefined;
let latestDerive = 0;
// The document shown, in chunks, and the markers that fence each chunk in the page (the seed's are built in).
let shownChunks: Piece[] = [];
/** The text of each piece shown: a piece of a new document with one of these is not parsed again. */
let shownTexts = new Set<string>();
let fences: [Comment, Comment][] = [];

const editor = new Editor({
  language: () => state.language,
  problem: () => state.problem,
  changed: (structural) => {
    if (state.problem && editor.fitTarget(state.problem)) structural = true;
    state.source = Editor.text(state.problem!);
    editor.setRaw(state.source, true);
    if (structural) editor.render();
    presetSelect.value = presetOf(state.source);
    edited();
  },
  rawEdited: (text) => {
    state.source = text;
    state.problem = asProblem(text);
    editor.render();
    presetSelect.value = presetOf(text);
    edited();
  },
});

/**
 * The problem's JSON for the controls. A number literal no double holds exactly as written
 * (0.1000000000000000000001, 1e400) is kept as its text, which the file format reads exactly, so
 * that an edit elsewhere never rounds it.
 */
function asProblem(text: string): ProblemJson | undefined {
  const exact = (_: string, value: unknown, context?: { source?: string }) => (typeof value === 'number' && context?.source !== undefined && String(value) !== context.source ? context.source : value);
  try {
    const value = JSON.parse(text, exact as (key: string, value: unknown) => unknown) as unknown;
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as ProblemJson) : undefined;
  } catch {
    return undefined;
  }
}

const select = (id: string, options: [string, string][], value: string, onchange: (value: string) => void) => {
  const element = h('select', { id, onchange: () => onchange(element.value) }, options.map(([v, label]) => h('option', { value: v, selected: v === value }, label)));
  return element;
};

const presetSelect = select('preset', [], '', (value) => {
  const preset = PRESETS.find((p) => p.key === value);
  if (preset) load(Editor.text(preset.problem as ProblemJson), true);
});
const languageSelect = select('lang', [['en', 'English'], ['zh', '中文']], 'en', (value) => {
  state.language = value as Language;
  location.hash = encodeHash(state.source, state.language);
  relabel();
  derive();
});
const detailSelect = select('detail', [], 'auto', (value) => {
  state.detail = value as Detail;
  derive();
});
const numbersButton = h('button', { type: 'button', id: 'numbers', 'aria-pressed': 'false', onclick: () => {
  state.decimals = !state.decimals;
  relabel();
  derive();
} });
const downloadProblem = h('button', { type: 'button', id: 'download-problem', onclick: () => save('problem.json', state.source, 'application/json') });
const downloadTex = h('button', { type: 'button', id: 'download-tex', onclick: () => exportAs('tex') });
const downloadMd = h('button', { type: 'button', id: 'download-md', onclick: () => exportAs('md') });
const printButton = h('button', { type: 'button', id: 'print', onclick: () => window.print() });
const labels = new Map<HTMLElement, UiKey>();
const labelled = (key: UiKey, element: HTMLElement) => {
  const label = h('span', { class: 'label' });
  labels.set(label, key);
  return h('label', { class: 'tool' }, label, element);
};
const brand = h('div', { class: 'brand' }, h('strong', {}, 'convgrad'), h('span', { class: 'tagline' }));
const downloadLabel = h('span', { class: 'label' });
labels.set(downloadLabel, 'download.label');

document.getElementById('topbar')!.append(
  brand,
  h('div', { class: 'tools' }, labelled('preset.label', presetSelect), labelled('lang.label', languageSelect), labelled('detail.label', detailSelect), numbersButton, h('span', { class: 'downloads' }, downloadLabel, downloadProblem, downloadTex, downloadMd), printButton),
);
document.getElementById('editor')!.append(editor.element);
document.getElementById('panels')!.append(explore.element, curve);
document.getElementById('stepper-box')!.append(stepper.element);

function relabel(): void {
  document.documentElement.lang = state.language === 'zh' ? 'zh-Hans' : 'en';
  brand.querySelector('.tagline')!.textContent = ` ${t('app.title').replace('convgrad ', '')} · ${t('app.tagline')}`;
  for (const [element, key] of labels) element.textContent = t(key);
  const preset = presetSelect.value;
  presetSelect.replaceChildren(h('option', { value: 'custom' }, t('preset.custom')), ...PRESETS.map((p) => h('option', { value: p.key }, t(p.key))));
  presetSelect.value = preset || 'custom';
  detailSelect.replaceChildren(...(['auto', 'full', 'summary'] as const).map((d) => h('option', { value: d, selected: d === state.detail }, t(`detail.${d}`))));
  languageSelect.value = state.language;
  numbersButton.textContent = `${t('numbers.label')}: ${state.decimals ? t('numbers.decimals') : t('numbers.exact')}`;
  numbersButton.setAttribute('aria-pressed', String(state.decimals));
  downloadProblem.textContent = t('download.problem');
  downloadTex.textContent = t('download.tex');
  downloadMd.textContent = t('download.md');
  printButton.textContent = t('print');
  curve.querySelector('summary')!.textContent = curveHeading();
  explore.relabel(state.language);
  stepper.refresh(state.language);
  editor.render();
}

function presetOf(source: string): string {
  const problem = asProblem(source);
  const same = problem && JSON.stringify(problem);
  return PRESETS.find((p) => JSON.stringify(p.problem) === same)?.key ?? 'custom';
}

function showStatus(text: string, kind: 'ready' | 'working' | 'error'): void {
  status.className = kind;
  status.textContent = text;
}

// ---- deriving ------------------------------------------------------------------------------------

/** An edit: the URL follows without a new history entry, and the document is derived again. */
function edited(): void {
  history.replaceState(null, '', encodeHash(state.source, state.language));
  derive();
}

function derive(): void {
  const request: DeriveRequest = { kind: 'derive', id: nextId++, source: state.source, language: state.language, detail: state.detail, decimals: state.decimals };
  latestDerive = request.id;
  const started = performance.now();
  const slow = setTimeout(() => latestDerive === request.id && showStatus(t('status.working'), 'working'), 150);
  // The document arrives in parts (its head, each section, its foot) while the worker renders the next;
  // the pieces of each that are not shown are parsed meanwhile, and put in place when the last is in.
  const parts: string[] = [];
  const parsed = new Map<string, DocumentFragment[]>();
  const part = (text: string) => {
    parts.push(text);
    if (request.id !== latestDerive || shownChunks.length === 0) return;
    for (const piece of pieces(text)) {
      if (piece.kind !== 'content' || piece.text === '' || shownTexts.has(piece.text)) continue;
      parsed.set(piece.text, [...(parsed.get(piece.text) ?? []), fragmentOf(piece.text)]);
    }
  };
  documents.send<Extract<Reply, { kind: 'derive' }>>(request, (reply) => {
    const arrived = performance.now();
    clearTimeout(slow);
    if (reply.id !== latestDerive) return;
    if (!reply.ok) {
      editor.showMessages(reply.diagnostics.map((d) => ({ path: d.path, text: d.path === '' ? d.message : `${d.path}: ${d.message}` })));
      // A refusal of the detail asked for is said here, with the page's way out (the Detail selector); the rest beside their fields.
      const unshown = reply.diagnostics.filter((d) => d.path.startsWith('--detail'));
      const lead = unshown.length === reply.diagnostics.length ? t('status.too-large') : lastGood ? t('status.stale') : t('status.unreadable');
      showStatus(`${lead}${unshown.map((d) => ` ${d.path}: ${d.message}. ${t('status.detail-hint')}`).join('')}`, 'error');
      if (unshown.length < reply.diagnostics.length) status.append(' ', h('button', { type: 'button', class: 'small', onclick: () => editor.revealMessage() }, t('status.to-message')));
      document.body.dataset.state = 'error';
      document.body.dataset.answered = String(request.id);
      return;
    }
    editor.showMessages([]);
    if (reply.styles && !stylesInjected) {
      stylesInjected = true;
      for (const css of reply.styles) document.head.prepend(h('style', { class: 'document-style' }, css));
    }
    attachSeedRest();
    // The same document as the one shown (the seed's, built into the page) is not laid out again.
    const seedShown = doc.hasAttribute('data-seed') && request.source === Editor.text(SEED as ProblemJson) && request.language === 'en' && request.detail === 'auto' && !request.decimals;
    const next = pieces(reply.main ?? parts.join(''));
    if (seedShown) document.body.dataset.rendered = 'built in';
    else if (patch(shownChunks, fences, next, parsed)) document.body.dataset.rendered = 'patched';
    else {
      doc.innerHTML = `<main>${marked(next)}</main>`;
      fences = markers(doc);
      document.body.dataset.rendered = 'whole';
    }
    shownChunks = next;
    shownTexts = new Set(next.flatMap((p) => (p.kind === 'content' ? [p.text] : [])));
    doc.removeAttribute('data-seed');
    doc.classList.remove('waiting');
    // The title comes as the document's HTML writes it (escaped): the tab shows its text.
    document.title = `${fragmentOf(reply.title).textContent ?? ''} · convgrad`;
    lastGood = { source: request.source, result: reply.result };
    const problem = asProblem(request.source);
    if (problem) showExplore(problem, reply.result);
    stepper.refresh(state.language);
    showStatus(t('status.ready', { ms: Math.round(performance.now() - started) }), 'ready');
    document.body.dataset.state = 'ready';
    // For the benchmark (scripts/bench-web.mjs): when this document appeared, and what the worker spent on it.
    const shown = performance.now();
    requestAnimationFrame(() => requestAnimationFrame(() => {
      document.body.dataset.timing = JSON.stringify({ requested: started, arrived, shown, painted: performance.now(), worker: reply.ms });
      document.body.dataset.derived = String(request.id);
      document.body.dataset.answered = String(request.id);
    }));
    requestCurve(request.source);
  }, part);
}

/** The Explore panel on the single layer, or on a network's first layer when it is a conv2d. */
function showExplore(problem: ProblemJson, result: ResultDocument | NetworkResultDocument): void {
  if (!isNetwork(problem)) return explore.update(problem, result as ResultDocument, state.decimals, state.language);
  const view = firstConvView(problem, result as NetworkResultDocument);
  explore.update(view?.problem ?? {}, view?.result ?? (result as unknown as ResultDocument), state.decimals, state.language, t(view ? 'explore.network' : 'explore.network-none'));
}

function requestCurve(source: string): void {
  const request: CurveRequest = { kind: 'curve', id: nextId++, source, steps: CURVE_STEPS };
  side.send<Extract<Reply, { kind: 'curve' }>>(request, (reply) => {
    const heading = h('summary', {}, curveHeading());
    if (!reply.ok) {
      curve.replaceChildren(heading, h('p', { class: 'note' }, `${t('curve.refused')} ${reply.diagnostics.map((d) => `${d.path}: ${d.message}`).join('; ')}`));
      return;
    }
    curve.replaceChildren(heading, lossCurve(reply.losses, { step: t('curve.step'), loss: t('curve.loss'), log: t('curve.log') }));
  });
}

function exportAs(format: 'tex' | 'md'): void {
  const request: ExportRequest = { kind: 'export', id: nextId++, source: lastGood?.source ?? state.source, language: state.language, detail: state.detail, format };
  side.send<Extract<Reply, { kind: 'export' }>>(request, (reply) => {
    if (!reply.ok) return showStatus(reply.diagnostics.map((d) => `${d.path}: ${d.message}`).join('; '), 'error');
    save(`problem${state.language === 'en' ? '' : `.${state.language}`}.${format}`, reply.text, format === 'tex' ? 'application/x-tex' : 'text/markdown');
  });
}

function save(name: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: `${type};charset=utf-8` }));
  const link = h('a', { href: url, download: name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Shows a problem's text (from a preset or the URL); push: a new history entry. */
function load(source: string, push: boolean): void {
  state.source = source;
  state.problem = asProblem(source);
  editor.setRaw(source, true);
  editor.render();
  presetSelect.value = presetOf(source);
  const hash = encodeHash(source, state.language);
  if (push) location.hash = hash;
  derive();
}

function fromHash(first: boolean): void {
  const read = decodeHash(location.hash);
  const language = read.language === 'zh' ? 'zh' : 'en';
  const languageChanged = language !== state.language;
  state.language = language;
  if (languageChanged || first) relabel();
  if (read.error) {
    state.problem = undefined;
    state.source = '';
    editor.setRaw('', true);
    editor.render();
    editor.showMessages([{ path: '', text: read.error }]);
    showStatus(read.error, 'error');
    document.body.dataset.state = 'error';
    document.body.dataset.answered = 'hash';
    return;
  }
  const source = read.source ?? (first ? state.source : Editor.text(SEED as ProblemJson));
  if (source !== state.source || first) load(source, false);
  else if (languageChanged) derive();
}

/**
 * The rest of the seed's document, built into the page in a <template> so that the first paint lays
 * out only its first screen (scripts/build-web.mjs): moved in after that paint, the rest of the open
 * section into it, then the sections after it. The same nodes as one parse of the whole document.
 */
function attachSeedRest(): void {
  const [ofSection, rest] = ['seed-rest-of-section', 'seed-rest'].map((id) => document.getElementById(id) as HTMLTemplateElement | null);
  if (!ofSection || !rest) return;
  ofSection.remove();
  rest.remove();
  const main = doc.querySelector('main');
  const open = main?.querySelector('section:last-of-type');
  if (!main || !open || !doc.hasAttribute('data-seed')) return;
  open.append(ofSection.content);
  main.append(rest.content);
  fences = markers(doc);
}

// Painted already (the parser yields to a paint long before it reaches this script): the rest now;
// otherwise after the first frame.
if (performance.getEntriesByName('first-contentful-paint').length > 0) attachSeedRest();
else requestAnimationFrame(() => setTimeout(attachSeedRest, 0));
if (doc.hasAttribute('data-seed') && fences.length === 0) fences = markers(doc);
// A link to another problem or language: the seed's document is not shown meanwhile.
{
  const read = decodeHash(location.hash);
  if ((read.source !== undefined && read.source !== state.source) || read.language === 'zh' || read.error) doc.classList.add('waiting');
}
window.addEventListener('hashchange', () => fromHash(false));
fromHash(true);
