// The renderers: every formula renders in KaTeX, user text is inert in every format, the HTML is
// self-contained, and large problems are elided on principle while the JSON stays complete.
import { describe, expect, it } from 'vitest';
import katex from 'katex';
import { derive } from '../src/derivation/derive.js';
import type { Derivation, Text } from '../src/derivation/step.js';
import { alignedBody, cellTex } from '../src/render/layout.js';
import { htmlStyles, renderHtml, renderHtmlMain, renderHtmlMainParts } from '../src/render/html.js';
import { markdownFigures, renderMarkdown } from '../src/render/markdown.js';
import { renderTex } from '../src/render/tex.js';
import { segments } from '../src/render/text.js';
import { powerTex } from '../src/expr/to-tex.js';
import { resultDocument } from '../src/result/result-document.js';
import { LANGUAGES, stringsFor } from '../src/strings/strings.js';
import { en } from '../src/strings/en.js';
import { zh } from '../src/strings/zh.js';
import { SEED_PROBLEM_SOURCE } from '../src/problem/seed.js';
import { randomProblem } from './helpers/random-problems.js';
import { solutionOf } from './helpers/solve.js';
import { KINKS } from './helpers/cases.js';
import { withoutHooks } from './helpers/hooks.js';

const options = { language: 'en', version: '0.0.0' } as const;
const seed = JSON.parse(SEED_PROBLEM_SOURCE);

/** Every piece of math a derivation holds, as the renderers emit it. */
function formulas(derivation: Derivation): string[] {
  const out: string[] = [];
  for (const language of LANGUAGES) {
    const strings = stringsFor(language);
    for (const section of derivation.sections) {
      for (const text of [section.title, ...section.steps.map((s) => s.title)]) out.push(...segments(text, strings).filter((s) => s.kind === 'math').map((s) => s.value));
      for (const step of section.steps) {
        for (const block of step.blocks) {
          const math = (text: Text) => segments(text, strings).filter((s) => s.kind === 'math').map((s) => s.value);
          if (block.kind === 'text') out.push(...math(block.text));
          else if (block.kind === 'paragraph') out.push(...block.texts.flatMap(math));
          else if (block.kind === 'chains') out.push(`\\begin{aligned}${alignedBody(block.chains, block.groupSize)}\\end{aligned}`);
          else if (block.kind === 'table') out.push(...block.rows.flat().map((cell) => cellTex(cell, 80)));
          else if (block.kind === 'figure') out.push(...block.panels.flatMap((p) => [p.caption, ...(p.rowLabels ?? []), ...(p.colLabels ?? [])]), ...block.notes.flatMap(math));
          else if (block.kind === 'legend') out.push(...block.entries.flatMap((e) => [e.symbol, ...math(e.meaning)]));
        }
      }
    }
  }
  return out;
}

describe('every formula renders in KaTeX with throwOnError', () => {
  const problems = [seed, ...Array.from({ length: 30 }, (_, i) => randomProblem(3000 + i))];
  it.each(problems.map((p, i) => [i, p]))('problem %i', (_, problem) => {
    const all = formulas(derive(solutionOf(problem)));
    expect(all.length).toBeGreaterThan(20);
    for (const tex of all) expect(() => katex.renderToString(tex, { throwOnError: true, strict: 'error', displayMode: true }), tex).not.toThrow();
  });

  // The HTML renderer calls KaTeX with throwOnError on every formula it writes: a wide net for rare
  // values (scientific notation raised to a power once slipped through the 31 problems above).
  it('in the HTML of 60 more random problems', () => {
    for (let i = 0; i < 60; i++) {
      const problem = randomProblem(50000 + i);
      expect(() => renderHtml(derive(solutionOf(problem)), options), JSON.stringify(problem)).not.toThrow();
    }
  }, 240_000);
});

describe('the strings tables', () => {
  it('have the same keys and the same placeholders in every language', () => {
    expect(Object.keys(zh).sort()).toEqual(Object.keys(en).sort());
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      const placeholders = (s: string) => (s.match(/\{[a-zA-Z]+\}/g) ?? []).sort();
      expect(placeholders(zh[key]), key).toEqual(placeholders(en[key]));
      expect(zh[key].split('$').length % 2, `${key}: unbalanced $`).toBe(1);
    }
  });

  it('say "1 row" and "2 rows": {name|one|other} follows the count', () => {
    const sides = (top: number, left: number) => ({ top: { math: `${top}` }, bottom: { math: '1' }, left: { math: `${left}` }, right: { math: '2' } });
    const words = (top: number, left: number) => segments({ key: 'conv.padding.border', params: sides(top, left) }, stringsFor('en')).map((s) => s.value).join('');
    expect(words(1, 2)).toBe('A border is added around the input: 1 row above, 1 below, 2 columns on the left and 2 on the right.');
    expect(words(2, 1)).toBe('A border is added around the input: 2 rows above, 1 below, 1 column on the left and 2 on the right.');
  });
});

describe('a title is plain text in every format', () => {
  const title = 'Week 3 \\input{/etc/passwd} $x$ & 100% #1 a_b ^ ~ {x} <script>alert(1)</script> [link](http://e.x) *em* `code` | cell';
  const derivation = derive(solutionOf({ ...seed, title }));

  it('LaTeX: every special character escaped, no command formed', () => {
    const tex = renderTex(derivation, options);
    expect(tex).not.toContain('\\input{');
    expect(tex).toContain(
      'Week 3 \\textbackslash{}input\\{/etc/passwd\\} \\$x\\$ \\& 100\\% \\#1 a\\_b \\textasciicircum{} \\textasciitilde{} \\{x\\} \\textless{}script\\textgreater{}alert(1)\\textless{}/script\\textgreater{}',
    );
  });

  it('LaTeX: no two characters typed become one ligature (dashes, quotes, Spanish marks)', () => {
    const tex = renderTex(derive(solutionOf({ ...seed, title: "a--b---c ``d'' ,,e !`f ?`g" })), options);
    expect(tex).toContain("a-{}-b-{}-{}-c `{}`d'{}' ,{},e !{}`f ?{}`g");
  });

  it('LaTeX: a word too long for a line has places to break', () => {
    const tex = renderTex(derive(solutionOf({ ...seed, title: `${'a'.repeat(40)} b` })), options);
    expect(tex).toContain(`${'a'.repeat(16)}\\allowbreak{}${'a'.repeat(16)}\\allowbreak{}${'a'.repeat(8)} b`);
  });

  it('HTML: no tag, and no script anywhere in the page', () => {
    const html = renderHtml(derivation, options);
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toMatch(/\son\w+=/i);
  });

  it('Markdown: no link, emphasis, code, math or HTML can start in it', () => {
    const md = renderMarkdown(derivation, options);
    const heading = md.split('\n')[0];
    expect(heading).toBe(
      '# Week 3 \\\\input\\{/etc/passwd\\} \\$x\\$ &amp; 100% \\#1 a\\_b ^ \\~ \\{x\\} \\<script\\>alert(1)\\</script\\> \\[link\\](http://e.x) \\*em\\* \\`code\\` \\| cell',
    );
  });
});

describe('the HTML page', () => {
  const html = renderHtml(derive(solutionOf(seed)), options);
  it('is self-contained: fonts inlined, nothing fetched', () => {
    expect(html).not.toMatch(/(src|href)=["']?(https?:)?\/\//i);
    expect(html).not.toMatch(/url\((?!data:)/);
    expect(html).toContain('@font-face');
    expect(html).toContain('data:font/woff2;base64,');
  });
  it("has the parts the playground shows one after another: the same <main>, title and stylesheets", () => {
    for (const language of LANGUAGES) {
      const derivation = derive(solutionOf({ ...seed, bias: 1, steps: 2 }));
      const whole = renderHtml(derivation, { ...options, language });
      const parts = renderHtmlMain(derivation, { ...options, language });
      expect(`<main>${parts.main}</main>`).toBe(whole.slice(whole.indexOf('<main>'), whole.indexOf('</main>') + '</main>'.length));
      expect(whole).toContain(`<title>${parts.title}</title>`);
      const inParts = renderHtmlMainParts(derivation, { ...options, language });
      expect([...inParts.parts]).toHaveLength(derivation.sections.length + 2);
      expect([...renderHtmlMainParts(derivation, { ...options, language }).parts].join('')).toBe(parts.main);
      const [katexCss, style] = htmlStyles();
      expect(whole).toContain(`<style>${katexCss}</style>\n<style>\n${style}\n</style>`);
    }
  });
  it('shows every number of the seed', () => {
    const text = html.replace(/<annotation[\s\S]*?<\/annotation>/g, '');
    for (const n of ['232', '48', '64', '96', '112', '2.52', '1.36', '0.04', '3.88', '63', '25', '44']) expect(text).toContain(`>${n}<`);
  });
  it('has a print stylesheet for A4', () => {
    expect(html).toMatch(/@media print[\s\S]*@page \{ size: A4/);
  });
});

describe("the playground's hooks (RenderOptions.hooks)", () => {
  const derivation = derive(solutionOf(seed));
  const hooked = renderHtmlMain(derivation, { ...options, hooks: true }).main;
  const plain = renderHtmlMain(derivation, options).main;
  const keys = (html: string) => [...new Set([...html.matchAll(/data-entry="([^"]*)"/g)].map((m) => m[1]))].sort();

  it('mark the lines of σ, δ, ∂L/∂K and the update by entry', () => {
    const kernel = ['0:0:0:0', '0:0:0:1', '0:0:1:0', '0:0:1:1'];
    expect(keys(hooked)).toEqual([...kernel.map((k) => `grad.kernel:${k}`), ...kernel.map((k) => `kernel.update:${k}`), 'delta', ...kernel.map((k) => `sigma:${k}`)].sort());
    // Both cells of σ₁₂'s line: its lhs and the rest.
    expect(hooked.match(/data-entry="sigma:0:0:0:1"/g)).toHaveLength(2);
  });

  it('are off unless asked for, and are spans around the lines and nothing else: the MathML, the LaTeX and every box the same', () => {
    expect(plain).not.toContain('data-entry');
    expect(hooked).not.toContain('htmlData');
    expect(withoutHooks(hooked)).toBe(plain);
  });

  it('are spans and nothing else in random problems of every option, in both languages and every detail', () => {
    let marked = 0;
    for (let i = 0; i < 12; i++) {
      const derivation = derive(solutionOf(randomProblem(7100 + i)), (['auto', 'auto', 'summary', 'full'] as const)[i % 4]);
      const language = i % 2 === 0 ? 'en' : 'zh';
      const hooked = renderHtmlMain(derivation, { ...options, language, hooks: true }).main;
      marked += keys(hooked).length;
      expect(withoutHooks(hooked)).toBe(renderHtmlMain(derivation, { ...options, language }).main);
    }
    expect(marked).toBeGreaterThan(12);
  }, 120_000);

  it('mark only the entries a derivation writes out (auto), and δ at each entry where its line is its own', () => {
    const rows = (h: number, w: number) => Array.from({ length: h }, (_, i) => Array.from({ length: w }, (_, j) => ((i * 7 + j * 3) % 11) - 5));
    const auto = renderHtmlMain(derive(solutionOf({ input: rows(7, 7), kernel: rows(3, 3), bias: 1, head: 'none', target: rows(5, 5) }), 'auto'), { ...options, hooks: true }).main;
    expect(keys(auto).filter((k) => k.startsWith('sigma:'))).toEqual(['sigma:0:0:0:0', 'sigma:0:0:4:4']);
    expect(keys(auto).filter((k) => k.startsWith('delta'))).toEqual(['delta:0:0:0:0', 'delta:0:0:4:4']);
  });
});

describe('large problems', () => {
  const rows = (h: number, w: number) => Array.from({ length: h }, (_, i) => Array.from({ length: w }, (_, j) => ((i * 7 + j * 3) % 11) - 5));
  const big = { input: rows(20, 20), kernel: rows(3, 3), padding: 1, bias: 1, target: 3 };
  const solution = solutionOf(big);

  it('show a few entries in full and say how many there are', () => {
    const md = renderMarkdown(derive(solution), options);
    expect(md).toContain('Shown: $2$ of the $400$ entries; every value is in the matrix below.');
    expect(md).toContain('\\cdots');
    expect(md.length).toBeLessThan(60_000);
  });

  it('keep every value in the JSON', () => {
    const result = resultDocument(solution);
    expect(result.forward.conv).toHaveLength(20);
    expect((result.forward.conv as number[][]).every((row) => row.length === 20)).toBe(true);
    expect(result.grad.input).toHaveLength(20);
  });
});

describe('--detail', () => {
  const rows = (h: number, w: number) => Array.from({ length: h }, (_, i) => Array.from({ length: w }, (_, j) => ((i * 7 + j * 3) % 11) - 5));
  const solution = solutionOf({ input: rows(7, 7), kernel: rows(3, 3), bias: 1, target: 3 });
  const md = (detail: 'full' | 'auto' | 'summary') => renderMarkdown(derive(solution, detail), options);
  // σ_ij as an entry's left-hand side, in its window's colour where a figure shows the window.
  const sigmaEntries = /(?:\\sigma_\{\d\d\}|\\textcolor\{\w+\}\{\\sigma_\{\d\d\}\}) & = /g;

  it('full derives every entry and cuts no sum or matrix', () => {
    const full = md('full');
    expect(full.match(sigmaEntries)).toHaveLength(25);
    expect(full).not.toContain('\\cdots');
    expect(full).not.toContain('Shown');
  });

  it('auto shows a few entries of a larger map and says how many', () => {
    const auto = md('auto');
    expect(auto.match(sigmaEntries)).toHaveLength(2);
    expect(auto).toContain('Shown: $2$ of the $25$ entries');
  });

  it('summary derives no entry one by one but keeps every matrix', () => {
    const summary = md('summary');
    expect(summary).not.toMatch(sigmaEntries);
    expect(summary).toContain('\\frac{\\partial L}{\\partial K} & = \\begin{bmatrix}');
    expect(summary.length).toBeLessThan(md('auto').length);
  });
});

describe('several optimizer steps', () => {
  const solution = solutionOf({ ...seed, bias: 0.5, optimizer: { type: 'adam', lr: 0.1 }, steps: 5 });
  const derivation = derive(solution);

  it('show the rule, the first steps in full, the rest in a table, and the loss as a curve', () => {
    const md = renderMarkdown(derivation, options);
    expect(md).toContain('### The update rule');
    expect(md).toContain('### Step $1$');
    expect(md).toContain('### Step $3$');
    expect(md).not.toContain('### Step $4$');
    expect(md).toContain('Steps $4$ to $5$ follow the same rule');
    expect(md).toContain('### The trajectory');
    expect(md).toMatch(/\\text\{Step\} & \\text\{Loss\} & \\text\{Parameters after the step\}/);
    expect(renderHtml(derivation, options)).toMatch(/<figure class="plot"><svg[^>]*>.*<polyline points="[\d., ]+"/s);
    expect(renderTex(derivation, options)).toMatch(/\\begin\{tikzpicture\}[\s\S]*\\draw\[thick, blue!70!black\] \(0,[\d.]+\)( -- \([\d.]+,[\d.]+\)){4};/);
  });

  it('mark the float64 values of Adam with ≈ and keep the exact moments exact', () => {
    const md = renderMarkdown(derivation, options);
    expect(md).toContain('m_{1} & = \\beta_1 m_{0} + (1 - \\beta_1) \\frac{\\partial L}{\\partial k_{11}} = 0.9 \\cdot 0 + 0.1 \\cdot 96 = 9.6');
    // The first step's numbers are exact; only its value is rounded.
    expect(md).toContain("k_{11}' & = k_{11} - \\eta \\, \\frac{\\hat m_{1}}{\\sqrt{v_{1} / (1 - \\beta_2^{1})} + \\varepsilon} = 3 - 0.1 \\cdot \\frac{96}{\\sqrt{9.216 / (1 - 0.999^{1})} + 10^{-8}} \\approx 2.9\n");
    // The second step reads a rounded gradient: every side after the symbols is marked.
    expect(md).toContain('m_{2} & = \\beta_1 m_{1} + (1 - \\beta_1) \\frac{\\partial L}{\\partial k_{11}} \\approx 0.9 \\cdot 9.6 + 0.1 \\cdot (-105.6) \\approx -1.92');
  });
});

describe('figures', () => {
  const derivation = derive(solutionOf({ ...seed, padding: 1, padding_mode: 'replicate' }));
  const figures = derivation.sections.flatMap((s) => s.steps.flatMap((st) => st.blocks.flatMap((b) => (b.kind === 'figure' ? [b] : []))));

  it('draw the padded cells\' sources, the windows, the kernel entries\' cells, the turned kernel over the padded δ and the matrix M', () => {
    expect(figures.map((f) => f.panels.length)).toEqual([1, 6, 4, 3, 1]);
    // replicate padding: the corner copies x_11, and the 16 border cells are shaded.
    const padding = figures[0].panels[0];
    expect(padding.cells[0].text).toBe('x11');
    expect(padding.cells.filter((c) => c.fill !== undefined)).toHaveLength(16);
    // σ_11's window on the padded 5×5 input: its four cells in σ_11's colour, which its caption wears.
    const window = figures[1].panels[0];
    expect(window.cells.filter((c) => c.fill === window.colour)).toHaveLength(4);
    expect(window.caption).toMatch(/^\\textcolor\{\w+\}\{\\sigma_\{11\}\}$/);
    // ∂L/∂x̃_11: the turned kernel's four entries in the corners of the padded δ's cells they multiply.
    const turned = figures[3].panels[0];
    expect([turned.rows, turned.cols]).toEqual([6, 6]);
    expect(turned.cells.filter((c) => c.corner !== undefined)).toHaveLength(4);
  });

  it('in SVG and TikZ alike, and in Markdown as SVG files named in its links', () => {
    const html = renderHtml(derivation, options);
    const tex = renderTex(derivation, options);
    const md = renderMarkdown(derivation, { ...options, figures: 'padded' });
    expect(html.match(/<div class="figure[^"]*">/g)).toHaveLength(5);
    expect(tex.match(/\\begin\{tikzpicture\}/g)).toHaveLength(15);
    const files = markdownFigures(derivation, { ...options, figures: 'padded' });
    expect(files.map((f) => f.name)).toEqual([1, 2, 3, 4, 5].map((n) => `padded.figure-${n}.svg`));
    for (const file of files) {
      expect(md).toContain(`](${file.name})`);
      expect(file.contents).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[\s\S]*<\/svg>\n?$/);
    }
    // Captions in a standalone file are Unicode, not LaTeX.
    expect(files[1].contents).toContain('σ₁₁');
    expect(files.map((f) => f.contents).join('')).not.toContain('\\');
    expect(md).toContain('![σ₁₁, σ₁₂, σ₁₃, σ₁₄, σ₂₁, σ₂₂](padded.figure-2.svg)');
  });
});

describe('a value exactly on a kink', () => {
  const md = (problem: object) => renderMarkdown(derive(solutionOf(problem)), options);
  it('is named, with both one-sided derivatives and the side PyTorch takes', () => {
    expect(md(KINKS['relu at 0'])).toContain("$\\sigma_{22}$ is exactly 0, on the kink of $f$: its derivative there is $0$ from the left and 1 from the right. PyTorch takes $0$");
    expect(md(KINKS['leaky_relu at 0'])).toContain('its derivative there is $0.2$ from the left');
    expect(md(KINKS['l1 at |y − t| = 0'])).toContain('$y_{11}, y_{21}$ equal their targets exactly, on the kink of $|y - T|$');
    expect(md(KINKS['smooth_l1 with β = 0'])).toContain('PyTorch takes $-1$');
    expect(md(KINKS['huber at |y − t| = δ'])).not.toContain('kink');
    expect(md(JSON.parse(SEED_PROBLEM_SOURCE))).not.toContain('kink');
  });
});

describe('powers', () => {
  it('put a base in parentheses where it needs them, so that no number is raised twice', () => {
    expect(powerTex('a', '2')).toBe('a^{2}');
    expect(powerTex('\\sigma_{11}', '2')).toBe('\\sigma_{11}^{2}');
    expect(powerTex('(-2)', '2')).toBe('(-2)^{2}');
    expect(powerTex('\\frac{1}{3}', '2')).toBe('\\left(\\frac{1}{3}\\right)^{2}');
    expect(powerTex('1.2 \\cdot 10^{7}', '2')).toBe('\\left(1.2 \\cdot 10^{7}\\right)^{2}');
  });

  it('of Adam\'s gradient in scientific notation render in KaTeX', () => {
    const problem = { ...JSON.parse(SEED_PROBLEM_SOURCE), input: [[1000, 2000, 3000], [4000, 5000, 6000], [7000, 8000, 9000]], optimizer: { type: 'adam', lr: 0.1 }, steps: 2 };
    const derivation = derive(solutionOf(problem));
    expect(() => renderHtml(derivation, options)).not.toThrow();
    expect(renderMarkdown(derivation, options)).toContain('\\left(5.37048 \\cdot 10^{9}\\right)^{2}');
  });
});
