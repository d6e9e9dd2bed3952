// The worker: convgrad's own core, run as `convgrad derive` runs it (parse → limits → solve → derive →
// render), so that a large problem never freezes the page. Every refusal is the command line's message.
import {
  derivationRefusal,
  derive,
  deriveNetwork,
  networkDerivationRefusal,
  networkRefusals,
  networkResultDocument,
  solveNetwork,
  type NetworkSolution,
  firstNonFinite,
  nonFiniteMessage,
  markdownFigures,
  parseAnyProblemText,
  ProblemError,
  refusals,
  htmlStyles,
  renderHtmlMainParts,
  renderMarkdown,
  renderTex,
  resultDocument,
  solve,
  type Derivation,
  type NetworkResultDocument,
  type ResultDocument,
  type Detail,
  type Diagnostic,
  type Solution,
} from '../src/index.js';
import { decimalTex } from './decimals.js';
import type { PartReply, Reply, Request } from './protocol.js';

declare const __CONVGRAD_VERSION__: string;
const VERSION = typeof __CONVGRAD_VERSION__ === 'string' ? __CONVGRAD_VERSION__ : '0.0.0';

/** A problem solved: the single layer's or a network's, with what the page needs of it. */
export type Solved =
  | { ok: true; network: false; solution: Solution; result: ResultDocument }
  | { ok: true; network: true; solution: NetworkSolution; result: NetworkResultDocument }
  | { ok: false; diagnostics: Diagnostic[] };

/**
 * The command line's checks, in its order, for either form of problem: the problem, the limits, the
 * derivation's size, the numbers (a result no double holds is refused, as `convgrad derive` refuses it).
 */
export function solveSource(source: string, detail: Detail | undefined, steps?: number): Solved {
  const parsed = parseAnyProblemText(source);
  if (!parsed.ok) return { ok: false, diagnostics: [...parsed.errors] };
  try {
    if (parsed.network) {
      const network = steps === undefined ? parsed.network : { ...parsed.network, steps };
      const over = networkRefusals(network);
      if (over.length > 0) return { ok: false, diagnostics: [...over] };
      const refusal = detail === undefined ? undefined : networkDerivationRefusal(network, detail, true);
      if (refusal) return { ok: false, diagnostics: [{ path: `--detail ${detail}`, message: refusal }] };
      const solution = solveNetwork(network);
      return finite({ ok: true, network: true, solution, result: networkResultDocument(solution) });
    }
    const problem = steps === undefined ? parsed.problem : { ...parsed.problem, steps };
    const over = refusals(problem);
    if (over.length > 0) return { ok: false, diagnostics: over };
    const refusal = detail === undefined ? undefined : derivationRefusal(problem, detail, true);
    if (refusal) return { ok: false, diagnostics: [{ path: `--detail ${detail}`, message: refusal }] };
    const solution = solve(problem);
    return finite({ ok: true, network: false, solution, result: resultDocument(solution) });
  } catch (error) {
    if (!(error instanceof ProblemError)) throw error;
    return { ok: false, diagnostics: [error.diagnostic] };
  }
}

/** The solved problem, or the first result no double holds, named by its path. */
function finite(solved: Extract<Solved, { ok: true }>): Solved {
  const overflow = firstNonFinite(solved.result);
  if (!overflow) return solved;
  return { ok: false, diagnostics: [{ path: overflow.path, message: nonFiniteMessage(overflow.value) }] };
}

/** Every string of the derivation with its numeric fractions written as decimals. */
function inDecimals<T>(value: T): T {
  if (typeof value === 'string') return decimalTex(value) as T;
  if (Array.isArray(value)) return value.map(inDecimals) as T;
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, inDecimals(v)])) as T;
  return value;
}

let stylesSent = false;

/**
 * One request's reply. A document's <main> goes to `part` piece by piece as it is rendered, when
 * given (the page takes in one while the next is rendered); else it is the reply's.
 */
export function handle(request: Request, part?: (text: string) => void): Reply {
  if (request.kind === 'curve') {
    const solved = solveSource(request.source, undefined, request.steps);
    if (!solved.ok) return { kind: 'curve', id: request.id, ok: false, diagnostics: solved.diagnostics };
    return { kind: 'curve', id: request.id, ok: true, losses: solved.result.trajectory.map((t) => t.loss ?? NaN) };
  }
  const started = performance.now();
  const solved = solveSource(request.source, request.detail);
  if (!solved.ok) return { kind: request.kind, id: request.id, ok: false, diagnostics: solved.diagnostics };
  const derivation: Derivation = solved.network ? deriveNetwork(solved.solution, request.detail) : derive(solved.solution, request.detail);
  const options = { language: request.language, version: VERSION };
  if (request.kind === 'export') {
    if (request.format === 'tex') return { kind: 'export', id: request.id, ok: true, text: renderTex(derivation, options) };
    // One file: the figures the Markdown links to inlined as data: URLs.
    const markdown = { ...options, figures: 'problem' };
    let text = renderMarkdown(derivation, markdown);
    for (const figure of markdownFigures(derivation, markdown)) text = text.split(`](${figure.name})`).join(`](data:image/svg+xml;base64,${base64(figure.contents)})`);
    return { kind: 'export', id: request.id, ok: true, text };
  }
  // hooks: the lines of entries marked, for Explore to light (doc-links.ts).
  const { title, parts } = renderHtmlMainParts(request.decimals ? inDecimals(derivation) : derivation, { ...options, hooks: true });
  let main: string | undefined = '';
  for (const text of parts) {
    if (part) part(text);
    else main += text;
  }
  if (part) main = undefined;
  const styles = stylesSent ? undefined : htmlStyles();
  stylesSent = true;
  return { kind: 'derive', id: request.id, ok: true, ...(main === undefined ? {} : { main }), title, ...(styles ? { styles } : {}), result: solved.result, ms: performance.now() - started };
}

function base64(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (let k = 0; k < bytes.length; k += 0x8000) binary += String.fromCharCode(...bytes.subarray(k, k + 0x8000));
  return btoa(binary);
}

// In a worker (no document): answer each request; an internal error is said as one, not swallowed.
if (typeof document === 'undefined' && typeof self !== 'undefined') {
  self.onmessage = (event: MessageEvent<Request>) => {
    let reply: Reply;
    try {
      const id = event.data.id;
      reply = handle(event.data, (text) => (self as unknown as Worker).postMessage({ kind: 'part', id, text } satisfies PartReply));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      reply = { kind: event.data.kind, id: event.data.id, ok: false, diagnostics: [{ path: '', message: `${message}. This is a bug in convgrad; please report it with the problem file.` }] } as Reply;
    }
    (self as unknown as Worker).postMessage(reply);
  };
}
