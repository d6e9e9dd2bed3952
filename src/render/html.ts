// The HTML page: every formula rendered now by KaTeX, KaTeX's stylesheet and fonts inlined, no script,
// no network: one self-contained file that also prints on A4.
import katex from 'katex';
import type { Block, Chain, Derivation, EntryRef, Text } from '../derivation/step.js';
import { panelSvg, plotSvg } from './figure-svg.js';
import { stringsFor, type Strings } from '../strings/strings.js';
import { generatedText, headingless, headings, renderBody, renderSection, sentenceJoiner, stepAnchor, type RenderOptions, type Writer } from './document.js';
import { alignedBody, cellTex, SCREEN_LINE_WIDTH, type CellWrapper } from './layout.js';
import { KATEX_CSS } from './assets.generated.js';
import { fillTemplate, fillText, readTemplate } from './templates.js';
import { segments } from './text.js';

const HTML_SPECIALS: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Plain text made inert for HTML: no tag, entity or attribute can be formed from it. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_SPECIALS[c]).replace(/\s+/g, ' ');
}

/**
 * KaTeX at build time; a formula it cannot render is a bug in convgrad, so it throws. The LaTeX is
 * convgrad's own (a user's text reaches it only escaped), so no \\href or \\url is trusted, and the
 * macro-expansion guard meant for hostile input is lifted: a --detail full derivation's long aligned
 * blocks expand \\dfrac and \\textcolor more than KaTeX's default 1000 times.
 */
export function renderMath(tex: string, displayMode: boolean): string {
  return katex.renderToString(tex, { displayMode, throwOnError: true, strict: 'error', output: 'htmlAndMathml', trust: false, maxExpand: Infinity });
}

/**
 * renderMath for a display with hooks (entryCell's KaTeX \\htmlData, the one HTML extension trusted,
 * which convgrad alone writes): the hooks in the HTML that a reader sees, and the MathML a screen
 * reader reads (with its LaTeX annotation) that of the formula without them, as renderMath writes it.
 */
function renderHookedMath(tex: string, plain: string): string {
  const html = katex.renderToString(tex, {
    displayMode: true,
    throwOnError: true,
    strict: (code: string) => (code === 'htmlExtension' ? 'ignore' : 'error'),
    output: 'html',
    trust: (context) => context.command === '\\htmlData',
    maxExpand: Infinity,
  });
  const mathml = katex.renderToString(plain, { displayMode: true, throwOnError: true, strict: 'error', output: 'mathml', trust: false, maxExpand: Infinity });
  const [open, close, at] = ['<span class="katex">', '</span>', '<span class="katex"><span class="katex-html"'];
  if (!mathml.startsWith(open) || !mathml.endsWith(close) || !html.includes(at)) throw new Error('internal error: KaTeX wrote a display in an unexpected shape');
  return html.replace(at, `${open}<span class="katex-mathml">${mathml.slice(open.length, -close.length)}</span><span class="katex-html"`);
}

/** An entry as a data-entry value: "sigma:0:0:1:2" (its tensor and index), "delta" for a line of every entry. */
export function entryKey(entry: EntryRef): string {
  return entry.index === undefined ? entry.tensor : `${entry.tensor}:${entry.index.join(':')}`;
}

/**
 * A cell of a line marked with its chain's entry: KaTeX sets it in a span with the attribute, which
 * is no box of its own (the spacing around it is the same). The key holds only letters, digits, . and :.
 */
const entryCell: CellWrapper = (chain, tex) => (chain.entry ? `\\htmlData{entry=${entryKey(chain.entry)}}{${tex}}` : tex);

function textHtml(text: Text, strings: Strings): string {
  const parts = segments(text, strings);
  return parts
    .map((s, k) => {
      if (s.kind !== 'math') return escapeHtml(k > 0 && parts[k - 1].kind === 'math' ? s.value.slice(TRAILING.exec(s.value)![0].length) : s.value);
      // Math keeps the punctuation right after it on its line (a browser may break before ： or , after a formula).
      const next = parts[k + 1];
      const trailing = next && next.kind !== 'math' ? TRAILING.exec(next.value)![0] : '';
      return trailing === '' ? renderMath(s.value, false) : `<span class="nowrap">${renderMath(s.value, false)}${escapeHtml(trailing)}</span>`;
    })
    .join('');
}

/** Punctuation that closes a clause, which must not start a line. */
const TRAILING = /^[,.:;!?)\]，。：；、！？）」』]*/;

/**
 * Chains aligned at their = signs; where several share a line (the planes of a tensor), each is a box
 * of its own in a row that wraps on a narrow screen instead of running off it. hooks: the lines of
 * entries marked (RenderOptions.hooks); `body` is the block's LaTeX without them.
 */
function chainsHtml(block: Extract<Block, { kind: 'chains' }>, body: string, hooks: boolean): string {
  // An aligned environment of some chains (all the block's: `whole`), with hooks where asked for and some chain has an entry.
  const display = (chains: readonly Chain[], whole: boolean, frame: (body: string) => string) => {
    const plain = frame(whole ? body : alignedBody(chains, undefined, SCREEN_LINE_WIDTH));
    if (!hooks || !chains.some((c) => c.entry)) return renderMath(plain, true);
    return renderHookedMath(frame(alignedBody(chains, whole ? block.groupSize : undefined, SCREEN_LINE_WIDTH, entryCell)), plain);
  };
  const aligned = (inner: string) => `\\begin{aligned}\n${inner}\n\\end{aligned}`;
  if (block.boxed) return display(block.chains, true, (inner) => `\\boxed{${aligned(inner)}}`);
  const runs = lineRuns(block.chains);
  if (runs.every((run) => !run.shared)) return display(block.chains, true, aligned);
  return runs.map((run) => (run.shared ? `<div class="planes">${run.chains.map((c) => display([c], false, aligned)).join('')}</div>` : display(run.chains, false, aligned))).join('');
}

/** Consecutive chains cut into runs: those sharing a line key (two or more), and the rest. */
function lineRuns(chains: readonly Chain[]): { shared: boolean; chains: Chain[] }[] {
  const groups: Chain[][] = [];
  for (const c of chains) {
    const last = groups.at(-1);
    if (last && c.line !== undefined && last[0].line === c.line) last.push(c);
    else groups.push([c]);
  }
  const runs: { shared: boolean; chains: Chain[] }[] = [];
  for (const group of groups) {
    const shared = group.length > 1;
    const last = runs.at(-1);
    if (!shared && last && !last.shared) last.chains.push(...group);
    else runs.push({ shared, chains: group });
  }
  return runs;
}

export function renderHtml(derivation: Derivation, options: RenderOptions): string {
  const strings = stringsFor(options.language);
  return fillTemplate('derivation.html', { ...headValues(derivation, options, strings), body: renderBody(derivation, htmlWriter(options, strings)) });
}

/**
 * What renderHtml writes inside <main>, and the page's title, without the page around them: for a page
 * that shows one derivation after another (the playground), whose stylesheets are htmlStyles().
 */
export function renderHtmlMain(derivation: Derivation, options: RenderOptions): { readonly title: string; readonly main: string } {
  const { title, parts } = renderHtmlMainParts(derivation, options);
  return { title, main: [...parts].join('') };
}

/**
 * renderHtmlMain's <main> in parts, each rendered only when it is asked for: the header, the intro and
 * the contents, then each section, then the footer. Joined, they are renderHtmlMain's; a page can take
 * in one part while the next is being rendered.
 */
export function renderHtmlMainParts(derivation: Derivation, options: RenderOptions): { readonly title: string; readonly parts: Iterable<string> } {
  const strings = stringsFor(options.language);
  const values = headValues(derivation, options, strings);
  const page = readTemplate('derivation.html');
  const open = page.indexOf('<main>') + '<main>'.length;
  const [before, after, ...more] = page.slice(open, page.indexOf('</main>', open)).split('{{body}}');
  if (after === undefined || more.length > 0) throw new Error('internal error: derivation.html needs {{body}} once in <main>');
  function* parts(): Generator<string> {
    yield fillText(before, values, 'derivation.html');
    const writer = htmlWriter(options, strings);
    for (const [k, section] of derivation.sections.entries()) yield `${k === 0 ? '' : '\n\n'}${renderSection(section, k, writer)}`;
    yield fillText(after, values, 'derivation.html');
  }
  return { title: values.title, parts: parts() };
}

/** The two stylesheets of renderHtml's page, in its order: KaTeX's (fonts inlined), then convgrad's. */
export function htmlStyles(): readonly [string, string] {
  return [KATEX_CSS, readTemplate('style.css').trimEnd()];
}

function htmlWriter(options: RenderOptions, strings: Strings): Writer {
  return {
    section: (section, inner) => `<section id="${section.id}">\n<h2>${textHtml(section.title, strings)}</h2>\n${inner}\n</section>`,
    step: (step, inner, index, section) => (headingless(step, section) ? inner : `<h3 id="${stepAnchor(section, index)}">${textHtml(step.title, strings)}</h3>\n${inner}`),
    text: (text) => `<p>${textHtml(text, strings)}</p>`,
    paragraph: (texts) => `<p>${texts.map((t) => textHtml(t, strings)).join(sentenceJoiner(options.language))}</p>`,
    block: (block) => {
      if (block.kind === 'chains') {
        // The formula's LaTeX, to copy: in a <details>, so the page needs no script.
        const body = alignedBody(block.chains, block.groupSize, SCREEN_LINE_WIDTH);
        const source = `\\begin{aligned}\n${body}\n\\end{aligned}`;
        return `<div class="math">${chainsHtml(block, body, options.hooks === true)}<details class="source"><summary>${escapeHtml(strings['doc.latex-source'])}</summary><pre>${escapeHtml(source)}</pre></details></div>`;
      }
      if (block.kind === 'plot') return `<figure class="plot">${plotSvg(block, textHtml(block.xLabel, strings), textHtml(block.yLabel, strings), false)}</figure>`;
      if (block.kind === 'space') return '<div class="work"></div>';
      if (block.kind === 'figure') return figureHtml(block, strings, sentenceJoiner(options.language));
      if (block.kind === 'legend') {
        const entries = block.entries.map((e) => `<div><dt>${renderMath(e.symbol, false)}</dt><dd>${textHtml(e.meaning, strings)}</dd></div>`).join('');
        return `<dl class="legend">${entries}</dl>`;
      }
      const header = block.header.map((t) => `<th>${textHtml(t, strings)}</th>`).join('');
      const rows = block.rows.map((row) => `<tr>${row.map((cell) => `<td>${cell === '' ? '' : renderMath(`\\displaystyle ${cellTex(cell, SCREEN_LINE_WIDTH - 14)}`, false)}</td>`).join('')}</tr>`).join('\n');
      return `<table class="grid">\n<thead><tr>${header}</tr></thead>\n<tbody>\n${rows}\n</tbody>\n</table>`;
    },
  };
}

/** The values of derivation.html but its body. */
function headValues(derivation: Derivation, options: RenderOptions, strings: Strings): Record<string, string> {
  const { heading, subtitle } = headings(derivation, strings);
  return {
    lang: options.language === 'zh' ? 'zh-Hans' : 'en',
    title: escapeHtml(heading),
    katexCss: KATEX_CSS,
    style: readTemplate('style.css').trimEnd(),
    heading: escapeHtml(heading),
    subtitle: subtitle === undefined ? '' : `<p class="subtitle">${escapeHtml(subtitle)}</p>`,
    intro: derivation.intro.map((t) => `<p>${textHtml(t, strings)}</p>`).join('\n'),
    contents: contentsHtml(derivation, strings),
    generated: textHtml(generatedText(options), strings),
  };
}

/** The table of contents: each section, and its steps, linked. */
function contentsHtml(derivation: Derivation, strings: Strings): string {
  const items = derivation.sections.map((section) => {
    const steps = section.steps.flatMap((step, index) => (headingless(step, section) ? [] : [`<li><a href="#${stepAnchor(section, index)}">${textHtml(step.title, strings)}</a></li>`])).join('');
    return `<li><a href="#${section.id}">${textHtml(section.title, strings)}</a><ol>${steps}</ol></li>`;
  });
  return `<nav class="contents"><h2>${escapeHtml(strings['doc.contents'])}</h2><ol>${items.join('\n')}</ol></nav>`;
}

// Each panel an SVG grid: shaded cells in their formula's colour, padded cells faint, the caption below in KaTeX.
function figureHtml(block: Extract<Block, { kind: 'figure' }>, strings: Strings, joiner: string): string {
  const panels = block.panels.map((p) => `<figure>${panelSvg(p)}<figcaption>${renderMath(p.caption, false)}</figcaption></figure>`);
  const note = block.notes.length > 0 ? `<p class="figure-note">${block.notes.map((t) => textHtml(t, strings)).join(joiner)}</p>` : '';
  return `<div class="figure">${panels.join('')}</div>${note}`;
}
