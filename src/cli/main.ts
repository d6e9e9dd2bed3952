// The command line: a thin layer over the library. main(argv, io) returns the exit status, so tests call it in process.
//   0 done · 2 a problem or a command line that is not valid (nothing written) · 1 an internal error
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, extname, join, resolve } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { parseProblemText } from '../problem/parse-problem.js';
import { formatDiagnostic, type Problem } from '../problem/problem.js';
import { SEED_PROBLEM_NAME, SEED_PROBLEM_SOURCE } from '../problem/seed.js';
import { DEFAULT_FORMATS, FORMATS, renderAll, type Format, type TextFormat } from '../render/render-all.js';
import { compilePdf } from '../render/pdf.js';
import { renderTex } from '../render/tex.js';
import { renderHtml } from '../render/html.js';
import { markdownFigures, renderMarkdown } from '../render/markdown.js';
import { DIFFICULTIES, exercises, type Difficulty } from '../quiz/generate.js';
import { answerKey, exerciseSheet } from '../quiz/documents.js';
import { packageRoot } from '../render/templates.js';
import { LANGUAGES, type Language } from '../strings/strings.js';
import { solve, type Solution } from '../trajectory/train.js';
import { torchScript } from '../engines/torch-script.js';
import { checkSolution, formatCheck } from '../engines/check.js';
import { compareResults, formatDifference, type EntryDifference } from '../engines/compare.js';
import { followsGradient, kinkSites, movedOffKink } from '../engines/kinks.js';
import { vectorFiles, type VectorFile } from '../engines/vectors.js';
import { firstNonFinite, resultDocument, resultJson, type ResultDocument } from '../result/result-document.js';
import { DETAILS, type Detail } from '../derivation/elide.js';
import { QUANTITIES, type Quantity } from '../derivation/derive.js';
import { formatCount, fullDerivationBytes, MAX_DERIVED_MULTIPLY_ADDS, MAX_MULTIPLY_ADDS, workload } from '../model/workload.js';
import { ProblemError } from '../problem/problem-error.js';

export interface Io {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly readStdin: () => Promise<string>;
  /** Relative paths (FILE, --out) are taken from here. */
  readonly cwd: string;
}

export function nodeIo(): Io {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
    cwd: process.cwd(),
  };
}

interface DeriveOptions {
  out: string;
  format: string;
  lang: Language;
  detail: Detail;
  json?: boolean;
}

/** A refusal the user can act on: printed as one message, exit status 2. */
class UsageError extends Error {}

const EXAMPLES = `
Examples:
  $ convgrad derive                          the seed problem into output/seed.{tex,html,md,json}
  $ convgrad derive problem.json --lang zh   a Chinese derivation into output/problem.zh.*
  $ convgrad derive - --json < problem.json  the result document on standard output, nothing written
  $ convgrad derive problem.json --format pdf --lang zh   a printable PDF (and its LaTeX) in Chinese
  $ convgrad check problem.json                     convgrad against finite differences, TF.js, PyTorch
  $ convgrad torch problem.json | python3           the same problem in PyTorch, every number asserted`;

export function version(): string {
  return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}

export async function main(argv: readonly string[], io: Io): Promise<number> {
  const program = new Command()
    .name('convgrad')
    .description('Writes out the backpropagation of a convolution layer step by step, exactly.')
    .version(version())
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError();
  let status = 0;
  program
    .command('derive')
    .description('derive a problem (FILE, - for standard input, or none for the seed problem) in LaTeX, HTML, Markdown and JSON')
    .argument('[file]', 'problem file (JSON); - reads standard input; none: the seed problem')
    .option('--out <dir>', 'folder to write into', 'output')
    .option('--format <list>', `formats to write, comma-separated, from ${FORMATS.join(',')} (pdf needs TeX)`, DEFAULT_FORMATS.join(','))
    .addOption(new Option('--lang <lang>', 'language of the derivation').choices(LANGUAGES).default('en'))
    .addOption(new Option('--detail <level>', 'full: every entry derived; auto: small problems in full, large ones by example; summary: results only').choices(DETAILS).default('auto'))
    .option('--json', 'print the result document on standard output and write nothing')
    .addHelpText('after', EXAMPLES)
    .action(async (file: string | undefined, options: DeriveOptions) => {
      status = await deriveCommand(file, options, io);
    });
  program
    .command('torch')
    .description('print a self-contained PyTorch script that rebuilds the problem in float64 and checks every number against convgrad')
    .argument('[file]', 'problem file (JSON); - reads standard input; none: the seed problem')
    .action(async (file: string | undefined) => {
      status = await withSolution(file, io, (solution) => {
        io.stdout(torchScript(solution, version()));
        return 0;
      });
    });
  program
    .command('check')
    .description('compute the problem with independent engines (finite differences, TensorFlow.js, PyTorch) and compare each with convgrad: exit 0 when all agree, 1 when one differs')
    .argument('[file]', 'problem file (JSON); - reads standard input; none: the seed problem')
    .option('--json', 'print the report as JSON')
    .action(async (file: string | undefined, options: { json?: boolean }) => {
      status = await withSolution(file, io, async (solution, name) => {
        const report = await checkSolution(solution, version());
        io.stdout(options.json ? `${JSON.stringify(report, null, 2)}\n` : formatCheck(report, name));
        return report.agree ? 0 : 1;
      });
    });
  program
    .command('vectors')
    .description('write test vectors for your own engine: every intermediate tensor as JSON (exact and double) and as .npy files')
    .argument('<files...>', 'problem files (JSON)')
    .option('--out <dir>', 'folder to write into, one subfolder a problem', 'vectors')
    .action(async (files: string[], options: { out: string }) => {
      status = await writeVectors(files, options.out, io);
    });
  program
    .command('compare')
    .description("compare another engine's result document with convgrad's and name every entry that differs: exit 1 when one does")
    .argument('<file>', 'problem file (JSON); - reads standard input')
    .requiredOption('--with <result>', "the other engine's result document (the fields of convgrad derive --json)")
    .addOption(new Option('--dtype <dtype>', 'the precision the other engine computed in, which sets the default tolerances').choices(['float64', 'float32']).default('float64'))
    .option('--rtol <number>', 'relative tolerance (default 1e-9 for float64, 2e-4 for float32)')
    .option('--atol <number>', 'absolute tolerance, times max(1, the largest entry) (default 1e-12 for float64, 2e-5 for float32)')
    .action(async (file: string, options: { with: string; dtype: 'float64' | 'float32'; rtol?: string; atol?: string }) => {
      status = await compareCommand(file, options, io);
    });
  program
    .command('quiz')
    .description('write an exercise sheet, its answer key and each problem file, with nice numbers; the same seed gives the same bytes')
    .option('--count <n>', 'how many exercises', '10')
    .option('--seed <n>', 'the seed of the random problems', '1')
    .addOption(new Option('--difficulty <level>', 'easy: the seed\'s shape; medium: stride, padding, bias, mean, ReLU; hard: two channels, and padding modes, pooling, activations, heads, losses and optimizers that vary').choices(DIFFICULTIES).default('easy'))
    .addOption(new Option('--lang <lang>', 'language of the documents').choices(LANGUAGES).default('en'))
    .option('--format <list>', `formats of the documents, from tex,html,md,pdf (pdf needs TeX)`, 'tex,html,md')
    .option('--out <dir>', 'folder to write into', 'quiz')
    .option('--ask <list>', `what each exercise asks for, comma-separated, from ${QUANTITIES.join(',')}`, QUANTITIES.join(','))
    .addOption(new Option('--detail <level>', 'how the answer key derives each exercise (as for derive)').choices(DETAILS).default('auto'))
    .action(async (options: QuizOptions) => {
      status = await quizCommand(options, io);
    });
  program.addHelpText('after', EXAMPLES);

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return status;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help' ? 0 : 2;
    }
    if (error instanceof UsageError) {
      io.stderr(`convgrad: ${error.message}\n`);
      return 2;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.stderr(`convgrad: ${message}\nThis is a bug in convgrad; please report it with the problem file.\n`);
    return 1;
  }
}

/**
 * Reads and solves the problem of FILE (- for standard input, none for the seed), then runs `use` on
 * it; a problem that is not valid is reported, every mistake on its own line, with status 2.
 */
async function withSolution(
  file: string | undefined,
  io: Io,
  use: (solution: Solution, name: string) => number | Promise<number>,
  before?: (problem: Problem) => void,
): Promise<number> {
  const { name, source } = await readProblem(file, io);
  const parsed = parseProblemText(source);
  const where = file === undefined ? SEED_PROBLEM_NAME : file === '-' ? '<stdin>' : file;
  if (!parsed.ok) {
    io.stderr(parsed.errors.map((d) => `convgrad: ${where}: ${formatDiagnostic(d)}\n`).join(''));
    return 2;
  }
  // Said before anything is computed: a problem too large for memory or for a lifetime.
  const work = workload(parsed.problem);
  if (work.multiplyAdds * parsed.problem.steps > MAX_MULTIPLY_ADDS) {
    io.stderr(`convgrad: ${where}: ${work.description}${parsed.problem.steps > 1 ? ` over ${parsed.problem.steps} steps` : ''}: ${formatCount(work.multiplyAdds * parsed.problem.steps)} multiply-adds, more than convgrad computes exactly (${formatCount(MAX_MULTIPLY_ADDS)})\n`);
    return 2;
  }
  before?.(parsed.problem);
  let solution: Solution;
  try {
    solution = solve(parsed.problem);
  } catch (error) {
    if (!(error instanceof ProblemError)) throw error;
    io.stderr(`convgrad: ${where}: ${formatDiagnostic(error.diagnostic)}\n`);
    return 2;
  }
  // The result document, the engines and the vectors give doubles: a value no double holds is refused.
  const overflow = firstNonFinite(resultDocument(solution));
  if (overflow) {
    const why = Number.isNaN(overflow.value) ? 'float64 arithmetic overflowed on the way to it' : "beyond float64's range (about ±1.8e308)";
    io.stderr(`convgrad: ${where}: ${overflow.path}: ${why}; every result is also written as a double, so the problem's numbers must be smaller\n`);
    return 2;
  }
  return use(solution, name);
}

async function deriveCommand(file: string | undefined, options: DeriveOptions, io: Io): Promise<number> {
  const formats = parseFormats(options.format);
  return withSolution(file, io, (solution, name) => writeDerivation(solution, name, file, formats, options, io), (problem) => checkDerivationSize(problem, formats, options, io));
}

/** A derivation entry by entry of a problem too large for one is refused, and --detail full says how large it will be, both before any work. */
function checkDerivationSize(problem: Problem, formats: Format[], options: DeriveOptions, io: Io): void {
  const derived = !options.json && options.detail !== 'summary' && formats.some((f) => f !== 'json');
  const work = workload(problem);
  if (derived && work.multiplyAdds > MAX_DERIVED_MULTIPLY_ADDS) {
    throw new UsageError(`${work.description}: ${formatCount(work.multiplyAdds)} multiply-adds, more than a derivation entry by entry takes on (${formatCount(MAX_DERIVED_MULTIPLY_ADDS)}); use --json, --format json or --detail summary`);
  }
  if (derived && options.detail === 'full') {
    const bytes = fullDerivationBytes(problem);
    if (bytes > 1e6) io.stderr(`convgrad: --detail full: ${work.description} makes about ${formatCount(bytes)}B per document format (HTML several times that)\n`);
  }
}

function writeDerivation(solution: Solution, name: string, file: string | undefined, formats: Format[], options: DeriveOptions, io: Io): number {
  if (options.json) {
    io.stdout(resultJson(solution));
    return 0;
  }
  // Everything is rendered before anything is written, so a failure leaves no partial output.
  // A PDF is typeset from the LaTeX, which is written beside it.
  const wantsPdf = formats.includes('pdf');
  const textFormats = formats.filter((f): f is TextFormat => f !== 'pdf');
  if (wantsPdf && !textFormats.includes('tex')) textFormats.unshift('tex');
  const stem = options.lang === 'en' ? name : `${name}.${options.lang}`;
  const { documents, files } = renderAll(solution, textFormats, { language: options.lang, version: version(), detail: options.detail, stem });
  const outputs: Map<Format, string | Buffer> = documents;
  let pdfProblem: string | undefined;
  if (wantsPdf) {
    const pdf = compilePdf(outputs.get('tex') as string, options.lang);
    if ('pdf' in pdf) outputs.set('pdf', pdf.pdf);
    else if ('missing' in pdf) pdfProblem = pdf.missing;
    else throw new Error(`internal error: the LaTeX document did not compile: ${pdf.failed}`);
  }
  const dir = resolve(io.cwd, options.out);
  const problemPath = file === undefined || file === '-' ? undefined : resolve(io.cwd, file);
  for (const written of [...[...outputs.keys()].map((format) => `${stem}.${format}`), ...files.map((f) => f.name)]) {
    if (resolve(dir, written) === problemPath) throw new UsageError(`--out: writing ${join(options.out, written)} would overwrite the problem file; choose another --out`);
  }
  mkdirSync(dir, { recursive: true });
  for (const [format, contents] of outputs) {
    const path = join(dir, `${stem}.${format}`);
    writeFileSync(path, contents);
    io.stdout(`wrote ${join(options.out, `${stem}.${format}`)}\n`);
  }
  // The Markdown's figures, as SVG files beside it.
  for (const f of files) writeFileSync(join(dir, f.name), f.contents);
  if (files.length > 0) io.stdout(`wrote ${join(options.out, files[0].name)}${files.length > 1 ? ` … ${files.at(-1)!.name}` : ''} (the Markdown's ${files.length} ${files.length === 1 ? 'figure' : 'figures'})\n`);
  if (pdfProblem) {
    io.stderr(`convgrad: --format pdf: ${pdfProblem}; the LaTeX source is ${join(options.out, `${stem}.tex`)}\n`);
    return 1;
  }
  return 0;
}

function parseFormats(list: string): Format[] {
  const formats = list.split(',').map((f) => f.trim()).filter((f) => f !== '');
  const unknown = formats.filter((f) => !(FORMATS as readonly string[]).includes(f));
  if (unknown.length > 0 || formats.length === 0) {
    throw new UsageError(`--format: ${unknown.length > 0 ? `unknown format "${unknown[0]}"` : 'no format given'}; choose from ${FORMATS.join(', ')}`);
  }
  return [...new Set(formats)] as Format[];
}

async function readProblem(file: string | undefined, io: Io): Promise<{ name: string; source: string }> {
  if (file === undefined) return { name: SEED_PROBLEM_NAME, source: SEED_PROBLEM_SOURCE };
  if (file === '-') return { name: 'problem', source: await io.readStdin() };
  try {
    return { name: basename(file, extname(file)), source: readFileSync(resolve(io.cwd, file), 'utf8') };
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new UsageError(`${file}: cannot read the problem file (${reason})`);
  }
}

async function writeVectors(files: string[], out: string, io: Io): Promise<number> {
  const written: { dir: string; files: VectorFile[] }[] = [];
  for (const file of files) {
    const status = await withSolution(file, io, (solution, name) => {
      written.push({ dir: join(out, name), files: vectorFiles(solution, version()) });
      return 0;
    });
    if (status !== 0) return status;
  }
  // Every problem is solved before anything is written.
  for (const { dir, files: contents } of written) {
    mkdirSync(resolve(io.cwd, dir), { recursive: true });
    for (const f of contents) writeFileSync(resolve(io.cwd, dir, f.name), f.contents);
    io.stdout(`wrote ${dir}/ (${contents.length} files)\n`);
  }
  return 0;
}

async function compareCommand(file: string, options: { with: string; dtype: 'float64' | 'float32'; rtol?: string; atol?: string }, io: Io): Promise<number> {
  const defaults = options.dtype === 'float32' ? { rtol: 2e-4, atol: 2e-5 } : { rtol: 1e-9, atol: 1e-12 };
  const tolerance = { rtol: readTolerance(options.rtol, '--rtol') ?? defaults.rtol, atol: readTolerance(options.atol, '--atol') ?? defaults.atol };
  let theirs: Partial<ResultDocument>;
  try {
    theirs = JSON.parse(readFileSync(resolve(io.cwd, options.with), 'utf8')) as Partial<ResultDocument>;
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new UsageError(`--with: cannot read ${options.with} (${reason})`);
  }
  if (typeof theirs !== 'object' || theirs === null || Array.isArray(theirs)) throw new UsageError(`--with: ${options.with} is not a result document (a JSON object)`);
  return withSolution(file, io, (solution) => {
    const comparison = compareResults(resultDocument(solution), theirs, tolerance);
    // A gradient, and what follows from it, may take the other side of a kink the other engine's rounding left.
    const moved = kinkSites(solution).filter((site) => movedOffKink(site, theirs)).map((site) => site.text);
    const line = (path: string, d: EntryDifference) => `${path}${d.index}: convgrad ${d.ours}, ${options.with} ${d.theirs}${Number.isFinite(d.ours) ? ` (|Δ| ${formatDifference(Math.abs(d.ours - d.theirs))})` : ''}`;
    const differing = comparison.quantities.filter((q) => moved.length === 0 || !followsGradient(q.path)).flatMap((q) => q.differences.map((d) => line(q.path, d)));
    const atKink = moved.length === 0 ? [] : comparison.quantities.filter((q) => followsGradient(q.path)).flatMap((q) => q.differences.map((d) => line(q.path, d)));
    const lines = [...differing];
    if (atKink.length > 0) lines.push(`At a kink: convgrad's exact values sit on ${moved.join(', ')}, which ${options.with} moved off (the one-sided derivatives differ there), so these take the other side:`, ...atKink.map((l) => `  ${l}`));
    if (comparison.missing.length > 0) lines.push(`not in ${options.with}: ${comparison.missing.join(', ')}`);
    lines.push(
      differing.length === 0
        ? `${comparison.quantities.length} quantities agree within rtol ${tolerance.rtol}, atol ${tolerance.atol}${atKink.length > 0 ? ', but for the side of a kink' : ''}.`
        : `${differing.length} ${differing.length === 1 ? 'entry differs' : 'entries differ'} beyond rtol ${tolerance.rtol}, atol ${tolerance.atol}.`,
    );
    io.stdout(`${lines.join('\n')}\n`);
    return differing.length === 0 ? 0 : 1;
  });
}

function readTolerance(text: string | undefined, option: string): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0) throw new UsageError(`${option}: expected a number ≥ 0, got "${text}"`);
  return value;
}

interface QuizOptions {
  count: string;
  seed: string;
  difficulty: Difficulty;
  lang: Language;
  format: string;
  out: string;
  ask: string;
  detail: Detail;
}

function parseAsk(list: string): Quantity[] {
  const asked = list.split(',').map((q) => q.trim()).filter((q) => q !== '');
  const unknown = asked.filter((q) => !(QUANTITIES as readonly string[]).includes(q));
  if (unknown.length > 0 || asked.length === 0) throw new UsageError(`--ask: ${unknown.length > 0 ? `unknown quantity "${unknown[0]}"` : 'nothing asked'}; choose from ${QUANTITIES.join(', ')}`);
  return QUANTITIES.filter((q) => asked.includes(q));
}

async function quizCommand(options: QuizOptions, io: Io): Promise<number> {
  const count = Number(options.count);
  const seed = Number(options.seed);
  if (!Number.isInteger(count) || count < 1 || count > 200) throw new UsageError(`--count: expected an integer from 1 to 200, got "${options.count}"`);
  if (!Number.isInteger(seed) || seed < 0) throw new UsageError(`--seed: expected an integer ≥ 0, got "${options.seed}"`);
  const formats = parseFormats(options.format).filter((f) => f !== 'json');
  const ask = parseAsk(options.ask);
  const items = exercises(count, seed, options.difficulty);
  const render = { language: options.lang, version: version() };
  const files = new Map<string, string | Buffer>();
  items.forEach((item, i) => files.set(`problem-${String(i + 1).padStart(2, '0')}.json`, item.source));
  const suffix = options.lang === 'en' ? '' : `.${options.lang}`;
  let missing: string | undefined;
  const documents = { difficulty: options.difficulty, ask, detail: options.detail };
  for (const [name, derivation] of [['exercises', exerciseSheet(items, documents)], ['answers', answerKey(items, documents)]] as const) {
    const tex = renderTex(derivation, render);
    if (formats.includes('tex') || formats.includes('pdf')) files.set(`${name}${suffix}.tex`, tex);
    if (formats.includes('html')) files.set(`${name}${suffix}.html`, renderHtml(derivation, render));
    if (formats.includes('md')) {
      const markdown = { ...render, figures: `${name}${suffix}` };
      files.set(`${name}${suffix}.md`, renderMarkdown(derivation, markdown));
      for (const figure of markdownFigures(derivation, markdown)) files.set(figure.name, figure.contents);
    }
    if (formats.includes('pdf')) {
      const pdf = compilePdf(tex, options.lang);
      if ('pdf' in pdf) files.set(`${name}${suffix}.pdf`, pdf.pdf);
      else if ('missing' in pdf) missing = pdf.missing;
      else throw new Error(`internal error: the LaTeX document did not compile: ${pdf.failed}`);
    }
  }
  const dir = resolve(io.cwd, options.out);
  mkdirSync(dir, { recursive: true });
  for (const [name, contents] of files) writeFileSync(join(dir, name), contents);
  io.stdout(`wrote ${files.size} files into ${options.out}/: exercises${suffix}, answers${suffix}, problem-01.json … problem-${String(count).padStart(2, '0')}.json\n`);
  if (missing) {
    io.stderr(`convgrad: --format pdf: ${missing}; the LaTeX sources are in ${options.out}/\n`);
    return 1;
  }
  return 0;
}
