// The command line: a thin layer over the library. main(argv, io) returns the exit status, so tests call it in process.
//   0 done · 2 a problem or a command line that is not valid (nothing written) · 1 an internal error
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, extname, join, resolve } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { parseProblemText } from '../problem/parse-problem.js';
import { formatDiagnostic, type Problem } from '../problem/problem.js';
import { SEED_PROBLEM_NAME, SEED_PROBLEM_SOURCE } from '../problem/seed.js';
import { DEFAULT_FORMATS, FORMATS, renderAll, type Format, type TextFormat } from '../render/render-all.js';
import { compilePdf } from '../render/pdf.js';
import { renderTex } from '../render/tex.js';
import { renderHtml } from '../render/html.js';
import { renderMarkdown } from '../render/markdown.js';
import { DIFFICULTIES, exercises, type Difficulty } from '../quiz/generate.js';
import { answerKey, exerciseSheet } from '../quiz/documents.js';
import { packageRoot } from '../render/templates.js';
import { LANGUAGES, type Language } from '../strings/strings.js';
import { solve, type Solution } from '../trajectory/train.js';
import { torchScript } from '../engines/torch-script.js';
import { checkSolution, formatCheck } from '../engines/check.js';
import { ENTRY_SAMPLE } from '../engines/finite-differences.js';
import { compareResults, formatComparison, resultsAgree } from '../engines/compare-results.js';
import { compareStages, formatStages, stagesAgree } from '../engines/compare-stages.js';
import { readForeignJson } from '../engines/foreign-json.js';
import { kinkSites } from '../engines/kinks.js';
import { DTYPE_TOLERANCES, DTYPES, type Dtype } from '../engines/tolerance.js';
import { vectorFiles, type VectorFile } from '../engines/vectors.js';
import { caseFiles, caseName, generateCase, MAX_CASES } from '../engines/cases.js';
import { firstNonFinite, resultDocument, resultJson } from '../result/result-document.js';
import { DETAILS, type Detail } from '../derivation/elide.js';
import { formatCount, fullDerivationBytes, MAX_DERIVED_MULTIPLY_ADDS, MAX_MULTIPLY_ADDS, workload } from '../model/workload.js';
import { ProblemError } from '../problem/problem-error.js';
import { JsonSyntaxError } from '../problem/json-source.js';

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
    .option('--all-entries', `finite differences for every entry of every tensor (by default at most ${ENTRY_SAMPLE} a tensor, evenly spread)`)
    .action(async (file: string | undefined, options: { json?: boolean; allEntries?: boolean }) => {
      status = await withSolution(file, io, async (solution, name) => {
        const report = await checkSolution(solution, version(), { allEntries: options.allEntries });
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
    .description("compare another engine's result document (--with) or its intermediate tensors (--vectors) with convgrad's and name every entry that differs: exit 1 when one does or is missing")
    .argument('<file>', 'problem file (JSON); - reads standard input')
    .option('--with <result>', "the other engine's result document (the fields of convgrad derive --json)")
    .option('--vectors <dir>', "the other engine's intermediate tensors, .npy files named as convgrad vectors names them: reports the first stage that differs")
    .addOption(new Option('--dtype <dtype>', 'the precision the other engine computed in, which sets the default tolerances').choices(DTYPES).default('float64'))
    .option('--rtol <number>', `relative tolerance: |Δ| ≤ atol + rtol·|convgrad| for every entry (default by --dtype: ${DTYPES.map((d) => `${DTYPE_TOLERANCES[d].rtol} for ${d}`).join(', ')})`)
    .option('--atol <number>', `absolute tolerance, the same for every entry (default by --dtype: ${DTYPES.map((d) => `${DTYPE_TOLERANCES[d].atol} for ${d}`).join(', ')})`)
    .action(async (file: string, options: CompareOptions) => {
      status = await compareCommand(file, options, io);
    });
  program
    .command('cases')
    .description('write random problems across every option, each with its vectors and result document, to test your own engine on; the same seed gives the same bytes')
    .requiredOption('--count <n>', `how many cases (1 to ${MAX_CASES})`)
    .option('--seed <n>', 'the seed of the random problems', '1')
    .option('--kinks', 'cases that sit on a kink (relu at σ = 0, a max-pool tie, l1 at y = t), where the one-sided derivatives differ')
    .option('--out <dir>', 'folder to write into, one subfolder a case', 'cases')
    .action(async (options: { count: string; seed: string; kinks?: boolean; out: string }) => {
      status = casesCommand(options, io);
    });
  program
    .command('quiz')
    .description('write an exercise sheet, its answer key and each problem file, with nice numbers; the same seed gives the same bytes')
    .option('--count <n>', 'how many exercises', '10')
    .option('--seed <n>', 'the seed of the random problems', '1')
    .addOption(new Option('--difficulty <level>', 'easy: the seed\'s shape; medium: stride, padding, bias, mean, ReLU; hard: channels, activations, momentum').choices(DIFFICULTIES).default('easy'))
    .addOption(new Option('--lang <lang>', 'language of the documents').choices(LANGUAGES).default('en'))
    .option('--format <list>', `formats of the documents, from tex,html,md,pdf (pdf needs TeX)`, 'tex,html,md')
    .option('--out <dir>', 'folder to write into', 'quiz')
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
  const outputs: Map<Format, string | Buffer> = renderAll(solution, textFormats, { language: options.lang, version: version(), detail: options.detail });
  let pdfProblem: string | undefined;
  if (wantsPdf) {
    const pdf = compilePdf(outputs.get('tex') as string, options.lang);
    if ('pdf' in pdf) outputs.set('pdf', pdf.pdf);
    else if ('missing' in pdf) pdfProblem = pdf.missing;
    else throw new Error(`internal error: the LaTeX document did not compile: ${pdf.failed}`);
  }
  const dir = resolve(io.cwd, options.out);
  const stem = options.lang === 'en' ? name : `${name}.${options.lang}`;
  const problemPath = file === undefined || file === '-' ? undefined : resolve(io.cwd, file);
  for (const format of outputs.keys()) {
    if (resolve(dir, `${stem}.${format}`) === problemPath) throw new UsageError(`--out: writing ${join(options.out, `${stem}.${format}`)} would overwrite the problem file; choose another --out`);
  }
  mkdirSync(dir, { recursive: true });
  for (const [format, contents] of outputs) {
    const path = join(dir, `${stem}.${format}`);
    writeFileSync(path, contents);
    io.stdout(`wrote ${join(options.out, `${stem}.${format}`)}\n`);
  }
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
    writeFolder(dir, contents, io);
    io.stdout(`wrote ${dir}/ (${contents.length} files)\n`);
  }
  return 0;
}

function writeFolder(dir: string, files: readonly VectorFile[], io: Io): void {
  mkdirSync(resolve(io.cwd, dir), { recursive: true });
  for (const f of files) writeFileSync(resolve(io.cwd, dir, f.name), f.contents);
}

/** Each case is written as soon as it is made: a corpus of thousands need not sit in memory. */
function casesCommand(options: { count: string; seed: string; kinks?: boolean; out: string }, io: Io): number {
  const count = Number(options.count);
  const seed = Number(options.seed);
  if (!Number.isInteger(count) || count < 1 || count > MAX_CASES) throw new UsageError(`--count: expected an integer from 1 to ${MAX_CASES}, got "${options.count}"`);
  if (!Number.isInteger(seed) || seed < 0) throw new UsageError(`--seed: expected an integer ≥ 0, got "${options.seed}"`);
  for (let k = 0; k < count; k++) writeFolder(join(options.out, caseName(k, count)), caseFiles(generateCase(seed, k, options.kinks ?? false), version()), io);
  io.stdout(`wrote ${count} ${count === 1 ? 'case' : 'cases'} into ${options.out}/: ${caseName(0, count)}${count > 1 ? ` … ${caseName(count - 1, count)}` : ''}, each with problem.json, vectors.json, its .npy files and result.json\n`);
  return 0;
}

interface CompareOptions {
  with?: string;
  vectors?: string;
  dtype: Dtype;
  rtol?: string;
  atol?: string;
}

async function compareCommand(file: string, options: CompareOptions, io: Io): Promise<number> {
  if (options.with === undefined && options.vectors === undefined) throw new UsageError('compare: give the other engine\'s result document (--with DOC), its tensors (--vectors DIR), or both');
  const defaults = DTYPE_TOLERANCES[options.dtype];
  const tolerance = { rtol: readTolerance(options.rtol, '--rtol') ?? defaults.rtol, atol: readTolerance(options.atol, '--atol') ?? defaults.atol };
  const theirs = options.with === undefined ? undefined : readOtherDocument(options.with, io);
  const stages = options.vectors === undefined ? undefined : readNpyFiles(options.vectors, io);
  return withSolution(file, io, (solution) => {
    let agree = true;
    if (theirs !== undefined) {
      const comparison = compareResults(resultDocument(solution), theirs.value, tolerance, kinkSites(solution));
      io.stdout(formatComparison(comparison, { problem: file, theirs: options.with! }, tolerance, options.dtype));
      agree &&= resultsAgree(comparison);
    }
    if (stages !== undefined) {
      const comparison = compareStages(solution, stages, tolerance);
      io.stdout(`${theirs !== undefined ? '\n' : ''}${formatStages(comparison, { problem: file, dir: options.vectors! }, tolerance, options.dtype)}`);
      agree &&= stagesAgree(comparison);
    }
    return agree ? 0 : 1;
  });
}

function readOtherDocument(path: string, io: Io): { value: unknown } {
  try {
    return { value: readForeignJson(readFileSync(resolve(io.cwd, path), 'utf8')) };
  } catch (error) {
    const reason = error instanceof JsonSyntaxError ? `not valid JSON: ${error.message}` : (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new UsageError(`--with: cannot read ${path} (${reason})`);
  }
}

/** The .npy files of a folder by name without the extension; other files are left alone. */
function readNpyFiles(dir: string, io: Io): Map<string, Buffer> {
  try {
    const folder = resolve(io.cwd, dir);
    return new Map(readdirSync(folder).filter((f) => f.endsWith('.npy')).map((f) => [f.slice(0, -'.npy'.length), readFileSync(join(folder, f))]));
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such folder' : (error as Error).message;
    throw new UsageError(`--vectors: cannot read ${dir} (${reason})`);
  }
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
}

async function quizCommand(options: QuizOptions, io: Io): Promise<number> {
  const count = Number(options.count);
  const seed = Number(options.seed);
  if (!Number.isInteger(count) || count < 1 || count > 200) throw new UsageError(`--count: expected an integer from 1 to 200, got "${options.count}"`);
  if (!Number.isInteger(seed) || seed < 0) throw new UsageError(`--seed: expected an integer ≥ 0, got "${options.seed}"`);
  const formats = parseFormats(options.format).filter((f) => f !== 'json');
  const items = exercises(count, seed, options.difficulty);
  const render = { language: options.lang, version: version() };
  const files = new Map<string, string | Buffer>();
  items.forEach((item, i) => files.set(`problem-${String(i + 1).padStart(2, '0')}.json`, item.source));
  const suffix = options.lang === 'en' ? '' : `.${options.lang}`;
  let missing: string | undefined;
  for (const [name, derivation] of [['exercises', exerciseSheet(items, options.difficulty)], ['answers', answerKey(items)]] as const) {
    const tex = renderTex(derivation, render);
    if (formats.includes('tex') || formats.includes('pdf')) files.set(`${name}${suffix}.tex`, tex);
    if (formats.includes('html')) files.set(`${name}${suffix}.html`, renderHtml(derivation, render));
    if (formats.includes('md')) files.set(`${name}${suffix}.md`, renderMarkdown(derivation, render));
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
