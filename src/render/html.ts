// The HTML page: every formula rendered now by KaTeX, KaTeX's stylesheet and fonts inlined, no script,
// no network: one self-contained file that also prints on A4.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import katex from 'katex';
import type { Block, Chain, Derivation, Text } from '../derivation/step.js';
import { plotLayout } from './plot.js';
import { stringsFor, type Strings } from '../strings/strings.js';
import { generatedText, headings, renderBody, stepAnchor, type RenderOptions } from './document.js';
import { alignedBody } from './layout.js';
import { fillTemplate, readTemplate } from './templates.js';
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

function textHtml(text: Text, strings: Strings): string {
  return segments(text, strings)
    .map((s) => (s.kind === 'math' ? renderMath(s.value, false) : escapeHtml(s.value)))
    .join('');
}

/**
 * Chains aligned at their = signs; where several share a line (the planes of a tensor), each is a box
 * of its own in a row that wraps on a narrow screen instead of running off it.
 */
function chainsHtml(block: Extract<Block, { kind: 'chains' }>): string {
  const aligned = (chains: readonly Chain[], groupSize?: number) => renderMath(`\\begin{aligned}\n${alignedBody(chains, groupSize)}\n\\end{aligned}`, true);
  const runs = lineRuns(block.chains);
  if (runs.every((run) => !run.shared)) return aligned(block.chains, block.groupSize);
  return runs.map((run) => (run.shared ? `<div class="planes">${run.chains.map((c) => aligned([c])).join('')}</div>` : aligned(run.chains))).join('');
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
  const body = renderBody(derivation, {
    section: (section, inner) => `<section id="${section.id}">\n<h2>${textHtml(section.title, strings)}</h2>\n${inner}\n</section>`,
    step: (step, inner, index, section) => `<h3 id="${stepAnchor(section, index)}">${textHtml(step.title, strings)}</h3>\n${inner}`,
    text: (text) => `<p>${textHtml(text, strings)}</p>`,
    block: (block) => {
      if (block.kind === 'chains') {
        // The formula's LaTeX, to copy: in a <details>, so the page needs no script.
        const source = `\\begin{aligned}\n${alignedBody(block.chains, block.groupSize)}\n\\end{aligned}`;
        return `<div class="math">${chainsHtml(block)}<details class="source"><summary>${escapeHtml(strings['doc.latex-source'])}</summary><pre>${escapeHtml(source)}</pre></details></div>`;
      }
      if (block.kind === 'plot') return plotSvg(block, strings);
      if (block.kind === 'space') return '<div class="work"></div>';
      if (block.kind === 'figure') return figureHtml(block);
      const header = block.header.map((t) => `<th>${textHtml(t, strings)}</th>`).join('');
      const rows = block.rows.map((row) => `<tr>${row.map((cell) => `<td>${renderMath(`\\displaystyle ${cell}`, false)}</td>`).join('')}</tr>`).join('\n');
      return `<table class="grid">\n<thead><tr>${header}</tr></thead>\n<tbody>\n${rows}\n</tbody>\n</table>`;
    },
  });
  const { heading, subtitle } = headings(derivation, strings);
  return fillTemplate('derivation.html', {
    lang: options.language === 'zh' ? 'zh-Hans' : 'en',
    title: escapeHtml(heading),
    katexCss: katexCss(),
    style: readTemplate('style.css').trimEnd(),
    heading: escapeHtml(heading),
    subtitle: subtitle === undefined ? '' : `<p class="subtitle">${escapeHtml(subtitle)}</p>`,
    intro: derivation.intro.map((t) => `<p>${textHtml(t, strings)}</p>`).join('\n'),
    contents: contentsHtml(derivation, strings),
    body,
    generated: textHtml(generatedText(options), strings),
  });
}

let inlinedCss: string | undefined;

/** katex.min.css with each font as a woff2 data: URL (every browser that KaTeX supports reads woff2). */
function katexCss(): string {
  if (inlinedCss !== undefined) return inlinedCss;
  const dist = dirname(createRequire(import.meta.url).resolve('katex'));
  const css = readFileSync(join(dist, 'katex.min.css'), 'utf8');
  inlinedCss = css.replace(/src:url\((fonts\/[^)]+\.woff2)\) format\("woff2"\)(?:,url\([^)]+\) format\("[a-z]+"\))*/g, (_, file: string) => {
    const data = readFileSync(join(dist, file)).toString('base64');
    return `src:url(data:font/woff2;base64,${data}) format("woff2")`;
  });
  if (/url\(fonts\//.test(inlinedCss)) throw new Error('internal error: a KaTeX font was left as a link');
  return inlinedCss;
}

// An SVG line chart in the text's own colour (so it follows dark mode and prints).
function plotSvg(block: Extract<Block, { kind: 'plot' }>, strings: Strings): string {
  const [width, height, left, bottom, top] = [460, 200, 70, 40, 34];
  const layout = plotLayout(block.x, block.y, width, height);
  const px = (x: number) => (left + x).toFixed(2);
  const py = (y: number) => (top + height - y).toFixed(2);
  const points = layout.points.map(([x, y]) => `${px(x)},${py(y)}`).join(' ');
  const dots = layout.points.map(([x, y]) => `<circle cx="${px(x)}" cy="${py(y)}" r="3"/>`).join('');
  const xTicks = layout.xTicks.map((t) => `<text x="${px(t.at)}" y="${top + height + 18}" text-anchor="middle">${escapeHtml(t.label)}</text>`).join('');
  const yTicks = layout.yTicks.map((t) => `<text x="${left - 8}" y="${py(t.at)}" text-anchor="end" dominant-baseline="middle">${escapeHtml(t.label)}</text>`).join('');
  const axes = `<path d="M${left},${top} V${top + height} H${left + width + 10}" fill="none" stroke="currentColor" stroke-opacity="0.5"/>`;
  const labels = `<text x="${left + width + 14}" y="${top + height + 4}">${textHtml(block.xLabel, strings)}</text><text x="${left}" y="${top - 18}" text-anchor="middle">${textHtml(block.yLabel, strings)}</text>`;
  return `<figure class="plot"><svg viewBox="0 0 ${left + width + 70} ${top + height + bottom}" role="img" font-size="13" fill="currentColor">${axes}${xTicks}${yTicks}${labels}<polyline points="${points}" fill="none" stroke="currentColor" stroke-width="2"/>${dots}</svg></figure>`;
}

/** The table of contents: each section, and its steps, linked. */
function contentsHtml(derivation: Derivation, strings: Strings): string {
  const items = derivation.sections.map((section) => {
    const steps = section.steps.map((step, index) => `<li><a href="#${stepAnchor(section, index)}">${textHtml(step.title, strings)}</a></li>`).join('');
    return `<li><a href="#${section.id}">${textHtml(section.title, strings)}</a><ol>${steps}</ol></li>`;
  });
  return `<nav class="contents"><h2>${escapeHtml(strings['doc.contents'])}</h2><ol>${items.join('\n')}</ol></nav>`;
}

// Each panel an SVG grid, 26 px a cell: marked cells shaded, padded cells' text faint, the caption below in KaTeX.
function figureHtml(block: Extract<Block, { kind: 'figure' }>): string {
  const size = 26;
  const panels = block.panels.map((p) => {
    const cells = p.cells.map((text, k) => {
      const [x, y] = [(k % p.cols) * size, Math.floor(k / p.cols) * size];
      const mark = p.marks[k];
      return `<rect x="${x}" y="${y}" width="${size}" height="${size}" class="${mark}"/><text x="${x + size / 2}" y="${y + size / 2}" class="${mark}">${escapeHtml(text)}</text>`;
    });
    const svg = `<svg viewBox="-1 -1 ${p.cols * size + 2} ${p.rows * size + 2}" width="${p.cols * size + 2}" role="img">${cells.join('')}</svg>`;
    return `<figure>${svg}<figcaption>${renderMath(p.caption, false)}</figcaption></figure>`;
  });
  return `<div class="figure">${panels.join('')}</div>`;
}
