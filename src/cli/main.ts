// The command line: a thin layer over the library. main(argv, io) returns the exit status, so tests call it in process.
//   0 done · 2 a problem or a command line that is not valid (nothing written) · 1 an internal error
import { fstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Stats } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { parseAnyProblemText } from '../problem/parse-problem.js';
import { networkCheckRefusal, networkDerivationRefusal, networkRefusals, networkVectorsRefusal } from '../model/network-workload.js';
import type { NetworkProblem } from '../problem/network.js';
import { layerParameters } from '../problem/network.js';
import { checkNetworkSolution } from '../engines/network-check.js';
import { networkDifferencedCount } from '../engines/network-differences.js';
import { networkVectorFiles } from '../engines/network-vectors.js';
import { networkResultDocument, networkResultJson } from '../result/network-document.js';
import { solveNetwork, type NetworkSolution } from '../trajectory/train-network.js';
import { torchNetworkScript } from '../engines/torch-network-script.js';
import { formatDiagnostic, type Diagnostic, type Problem } from '../problem/problem.js';
import { SEED_PROBLEM_NAME, SEED_PROBLEM_SOURCE } from '../problem/seed.js';
import { DEFAULT_FORMATS, FORMATS, renderAll, renderDocuments, renderNetworkAll, type Format, type Rendered, type RenderAllOptions, type TextFormat } from '../render/render-all.js';
import { compilePdf } from './pdf.js';
import { renderTex } from '../render/tex.js';
import { DIFFICULTIES, exercises, type Difficulty } from '../quiz/generate.js';
import { answerKey, exerciseSheet } from '../quiz/documents.js';
import { networkExercises } from '../quiz/network.js';
import type { Derivation } from '../derivation/step.js';
import { networkAnswerKey, networkExerciseSheet } from '../quiz/network-documents.js';
import { LANGUAGES, type Language } from '../strings/strings.js';
import { solve, type Solution } from '../trajectory/train.js';
import { torchScript } from '../engines/torch-script.js';
import { checkSolution, formatCheck, type CheckReport } from '../engines/check.js';
import { differencedCount, ENTRY_SAMPLE } from '../engines/finite-differences.js';
import { compareNetworkResults, compareResults, formatComparison, resultsAgree } from '../engines/compare-results.js';
import { compareNetworkStages, compareStages, formatStages, stagesAgree } from '../engines/compare-stages.js';
import { readForeignJson } from '../engines/foreign-json.js';
import { kinkSites } from '../engines/kinks.js';
import { DTYPE_TOLERANCES, DTYPES, type Dtype } from '../engines/tolerance.js';
import { vectorFiles } from '../engines/vectors.js';
import { caseFiles, caseName, generateCase, generateNetworkCase, MAX_CASES, networkCaseFiles } from '../engines/cases.js';
import { firstNonFinite, nonFiniteMessage, resultDocument, resultJson } from '../result/result-document.js';
import { DETAILS, type Detail } from '../derivation/elide.js';
import { QUANTITIES, type Quantity } from '../derivation/derive.js';
import { checkRefusal, derivationRefusal, formatCount, fullDerivationBytes, refusals, vectorsRefusal, workload } from '../model/workload.js';
import { ProblemError } from '../problem/problem-error.js';
import { decodeUtf8, MAX_DOCUMENT_BYTES, MAX_PROBLEM_BYTES, MAX_TENSOR_BYTES, readInputBytes, readInputFile, safeName, UsageError, writeAll, type OutputFile } from './files.js';
import { shownName, terminalSafe } from './terminal.js';
import { JsonSyntaxError } from '../problem/json-source.js';

export interface Io {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly readStdin: () => Promise<string>;
  /** The file standard input reads, where it is one (a redirection), so that no output is written over it. */
  readonly stdinFile?: () => Stats | undefined;
  /** Relative paths (FILE, --out) are taken from here. */
  readonly cwd: string;
}

export function nodeIo(): Io {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    readStdin: async () => {
      const chunks: Buffer[] = [];
      let total = 0;
      for await (const chunk of process.stdin) {
        total += (chunk as Buffer).length;
        if (total > MAX_PROBLEM_BYTES) throw new UsageError(`standard input: larger than ${MAX_PROBLEM_BYTES / 1024 / 1024} MiB, the most convgrad reads`);
        chunks.push(chunk as Buffer);
      }
      return decodeUtf8(Buffer.concat(chunks), 'standard input');
    },
    stdinFile: () => {
      try {
        const info = fstatSync(0);
        return info.isFile() ? info : undefined;
      } catch {
        return undefined;
      }
    },
    cwd: process.cwd(),
  };
}

/** The most mistakes of one problem said, one a line. */
const MAX_DIAGNOSTICS = 20;

interface DeriveOptions {
  out: string;
  format: string;
  lang: Language;
  detail: Detail;
  json?: boolean;
}

const EXAMPLES = `
Examples:
  $ convgrad derive                          the seed problem into output/seed.{tex,html,md,json}
  $ convgrad derive problem.json --lang zh   a Chinese derivation into output/problem.zh.*
  $ convgrad derive - --json < problem.json  the result document on standard output, nothing written
  $ convgrad derive problem.json --format pdf --lang zh   a printable PDF (and its LaTeX) in Chinese
  $ convgrad check problem.json                     convgrad against finite differences, TF.js, PyTorch
  $ convgrad torch problem.json | python3           the same problem in PyTorch, every number asserted`;

/** The package's version: package.json is two folders above this file, in src/cli/ and dist/cli/ alike. */
export function version(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

export async function main(argv: readonly string[], outerIo: Io): Promise<number> {
  // Output may quote a file name or a problem's text: nothing in it reaches the terminal as a control character.
  const io: Io = { ...outerIo, stdout: (text) => outerIo.stdout(terminalSafe(text)), stderr: (text) => outerIo.stderr(terminalSafe(text)) };
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
      status = await withSolution(
        file,
        io,
        (solution) => {
          io.stdout(torchScript(solution, version()));
          return 0;
        },
        undefined,
        {
          use: (solution) => {
            io.stdout(torchNetworkScript(solution, version()));
            return 0;
          },
        },
      );
    });
  program
    .command('check')
    .description('compute the problem with independent engines (finite differences, TensorFlow.js, PyTorch) and compare each with convgrad: exit 0 when all agree, 1 when one differs')
    .argument('[file]', 'problem file (JSON); - reads standard input; none: the seed problem')
    .option('--json', 'print the report as JSON')
    .option('--all-entries', `finite differences for every entry of every tensor (by default at most ${ENTRY_SAMPLE} a tensor, evenly spread)`)
    .action(async (file: string | undefined, options: { json?: boolean; allEntries?: boolean }) => {
      const allEntries = options.allEntries ?? false;
      const tooLong = (problem: Problem): Diagnostic[] => {
        const refusal = checkRefusal(problem, differencedCount(problem, allEntries), allEntries);
        return refusal ? [{ path: allEntries ? 'check --all-entries' : 'check', message: refusal }] : [];
      };
      const networkTooLong = (network: NetworkProblem): Diagnostic[] => {
        const refusal = networkCheckRefusal(network, networkDifferencedCount(networkTensorSizes(network), allEntries), allEntries);
        return refusal ? [{ path: allEntries ? 'check --all-entries' : 'check', message: refusal }] : [];
      };
      const report = (input: ProblemSource) => (r: CheckReport) => {
        io.stdout(options.json ? `${JSON.stringify(r, null, 2)}\n` : formatCheck(r, input.name));
        return r.agree ? 0 : 1;
      };
      status = await withSolution(
        file,
        io,
        async (solution, input) => report(input)(await checkSolution(solution, version(), { allEntries })),
        tooLong,
        { before: networkTooLong, use: async (solution, input) => report(input)(await checkNetworkSolution(solution, version(), { allEntries })) },
      );
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
    .option('--networks', 'random networks of layers (conv2d, conv_transpose2d, activations, pooling, batch_norm2d, flatten, linear; cross_entropy among the losses) instead of single layers')
    .option('--out <dir>', 'folder to write into, one subfolder a case', 'cases')
    .action(async (options: CasesOptions) => {
      status = casesCommand(options, io);
    });
  program
    .command('quiz')
    .description('write an exercise sheet, its answer key and each problem file, with nice numbers; the same seed gives the same bytes')
    .option('--count <n>', 'how many exercises', '10')
    .option('--seed <n>', 'the seed of the random problems', '1')
    .addOption(new Option('--difficulty <level>', 'easy: the seed\'s shape; medium: stride, padding, bias, mean, ReLU; hard: two channels, and padding modes, pooling, activations, heads, losses and optimizers that vary; network: two conv layers with a ReLU between, or conv, flatten, linear and cross-entropy, in turn').choices(DIFFICULTIES).default('easy'))
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

/** A problem file as read: its text, the name its outputs take, how messages name it, and its identity. */
interface ProblemSource {
  readonly source: string;
  readonly name: string;
  readonly where: string;
  readonly identity?: Stats;
}

/**
 * Reads, checks against the limits and solves the problem of FILE (- for standard input, none for the
 * seed), then runs `use` on it (`network.use` on a network of layers); a problem that is not valid, or over a limit, is reported, every
 * mistake on its own line, with status 2, before anything is computed.
 */
async function withSolution(
  file: string | undefined,
  io: Io,
  use: (solution: Solution, input: ProblemSource) => number | Promise<number>,
  before: ((problem: Problem) => readonly Diagnostic[]) | undefined,
  network: NetworkHandler,
): Promise<number> {
  const input = await readProblem(file, io);
  const parsed = parseAnyProblemText(input.source);
  // Every mistake on its own line, up to a screenful: a file of 100,000 unknown keys is said in 21 lines.
  // A path holds the file's own field names: quoted with escapes where they hold a line break.
  const refuse = (diagnostics: readonly Parameters<typeof formatDiagnostic>[0][]) => {
    const shown = diagnostics.slice(0, MAX_DIAGNOSTICS).map((d) => `convgrad: ${input.where}: ${formatDiagnostic({ ...d, path: shownName(d.path) })}\n`);
    const more = diagnostics.length - shown.length;
    io.stderr(shown.join('') + (more > 0 ? `convgrad: ${input.where}: and ${more.toLocaleString('en-US')} more ${more === 1 ? 'mistake' : 'mistakes'} like these\n` : ''));
    return 2;
  };
  if (!parsed.ok) return refuse(parsed.errors);
  if (parsed.network) {
    const over = [...networkRefusals(parsed.network), ...(network.before?.(parsed.network) ?? [])];
    if (over.length > 0) return refuse(over);
    let solution: NetworkSolution;
    try {
      solution = solveNetwork(parsed.network);
    } catch (error) {
      if (!(error instanceof ProblemError)) throw error;
      return refuse([error.diagnostic]);
    }
    const overflow = firstNonFinite(networkResultDocument(solution));
    if (overflow) return refuse([{ path: overflow.path, message: nonFiniteMessage(overflow.value) }]);
    return network.use(solution, input);
  }
  // Said before anything is computed: a problem too large for memory or for a lifetime.
  const over = refusals(parsed.problem);
  if (over.length > 0) return refuse(over);
  const refused = before?.(parsed.problem) ?? [];
  if (refused.length > 0) return refuse(refused);
  let solution: Solution;
  try {
    solution = solve(parsed.problem);
  } catch (error) {
    if (!(error instanceof ProblemError)) throw error;
    return refuse([error.diagnostic]);
  }
  // The result document, the engines and the vectors give doubles: a value no double holds is refused.
  const overflow = firstNonFinite(resultDocument(solution));
  if (overflow) return refuse([{ path: overflow.path, message: nonFiniteMessage(overflow.value) }]);
  return use(solution, input);
}

/** What a command does with a network of layers: its refusals before any work, and its use of the solution. */
interface NetworkHandler {
  before?(network: NetworkProblem): readonly Diagnostic[];
  use(solution: NetworkSolution, input: ProblemSource): number | Promise<number>;
}

/** The size of every tensor finite differences difference in a network: each layer's parameters, then the input. */
function networkTensorSizes(network: NetworkProblem): number[] {
  return [...network.layers.flatMap((layer) => Object.values(layerParameters(layer)).map((t) => t.data.length)), network.input.data.length];
}

async function deriveCommand(file: string | undefined, options: DeriveOptions, io: Io): Promise<number> {
  const formats = parseFormats(options.format);
  return withSolution(file, io, (solution, input) => writeDerivation(() => resultJson(solution), (textFormats, o) => renderAll(solution, textFormats, o), input, formats, options, io), (problem) => checkDerivationSize(problem, formats, options, io), {
    before: (network) => {
      const refusal = !options.json && formats.some((f) => f !== 'json') ? networkDerivationRefusal(network, options.detail, formats.includes('html')) : undefined;
      return refusal ? [{ path: `--detail ${options.detail}`, message: refusal }] : [];
    },
    use: (solution, input) => writeDerivation(() => networkResultJson(solution), (textFormats, o) => renderNetworkAll(solution, textFormats, o), input, formats, options, io),
  });
}

/** A derivation entry by entry of a problem too large for one is refused, and --detail full says how large it will be, both before any work. */
function checkDerivationSize(problem: Problem, formats: Format[], options: DeriveOptions, io: Io): Diagnostic[] {
  const derived = !options.json && formats.some((f) => f !== 'json');
  if (!derived) return [];
  const refusal = derivationRefusal(problem, options.detail, formats.includes('html'));
  if (refusal) return [{ path: `--detail ${options.detail}`, message: refusal }];
  if (options.detail === 'full') {
    const bytes = fullDerivationBytes(problem);
    if (bytes > 1e6) io.stderr(`convgrad: --detail full: ${workload(problem).description} makes about ${formatCount(bytes)}B per document format (HTML several times that)\n`);
  }
  return [];
}

function writeDerivation(json: () => string, render: (formats: TextFormat[], options: RenderAllOptions) => Rendered, input: ProblemSource, formats: Format[], options: DeriveOptions, io: Io): number {
  if (options.json) {
    io.stdout(json());
    return 0;
  }
  // Everything is rendered before anything is written, and written all or nothing.
  // A PDF is typeset from the LaTeX, which is written beside it.
  const textFormats = [...new Set(formats.flatMap((f): TextFormat[] => (f === 'pdf' ? ['tex'] : [f])))];
  const stem = options.lang === 'en' ? input.name : `${input.name}.${options.lang}`;
  const { documents, files: figures } = render(textFormats, { language: options.lang, version: version(), detail: options.detail, stem });
  const { files, missing } = typeset(documents, formats.includes('pdf'));
  // The documents, and the Markdown's figures as SVG files beside it.
  const outputs = [...[...files].map(([format, contents]) => ({ name: `${stem}.${format}`, contents })), ...figures];
  const written = writeAll(io.cwd, options.out, outputs, input.identity ? [input.identity] : []);
  for (const path of written.slice(0, files.size)) io.stdout(`wrote ${shownName(path)}\n`);
  if (figures.length > 0) io.stdout(`wrote ${shownName(join(options.out, figures[0].name))}${figures.length > 1 ? ` … ${figures.at(-1)!.name}` : ''} (the Markdown's ${figures.length} ${figures.length === 1 ? 'figure' : 'figures'})\n`);
  if (missing) {
    io.stderr(`convgrad: --format pdf: ${missing}; the LaTeX source is ${join(options.out, `${stem}.tex`)}\n`);
    return 1;
  }
  return 0;
}

/**
 * Adds the PDF typeset from the LaTeX (and the LaTeX itself, beside it) where asked for; where TeX
 * is missing, the message that says what to install.
 */
function typeset<K>(rendered: Map<K | 'tex' | 'pdf', string | Uint8Array>, wanted: boolean, tex?: string): { files: Map<K | 'tex' | 'pdf', string | Uint8Array>; missing?: string } {
  if (!wanted) return { files: rendered };
  const source = tex ?? (rendered.get('tex') as string);
  const pdf = compilePdf(source);
  if ('failed' in pdf) throw new Error(`internal error: the LaTeX document did not compile: ${pdf.failed}`);
  const files = new Map(rendered);
  files.set('tex', source);
  if ('missing' in pdf) return { files, missing: pdf.missing };
  files.set('pdf', pdf.pdf);
  return { files };
}

function parseFormats(list: string): Format[] {
  const formats = list.split(',').map((f) => f.trim()).filter((f) => f !== '');
  const unknown = formats.filter((f) => !(FORMATS as readonly string[]).includes(f));
  if (unknown.length > 0 || formats.length === 0) {
    throw new UsageError(`--format: ${unknown.length > 0 ? `unknown format "${unknown[0]}"` : 'no format given'}; choose from ${FORMATS.join(', ')}`);
  }
  return [...new Set(formats)] as Format[];
}

async function readProblem(file: string | undefined, io: Io): Promise<ProblemSource> {
  if (file === undefined) return { name: SEED_PROBLEM_NAME, where: SEED_PROBLEM_NAME, source: SEED_PROBLEM_SOURCE };
  if (file === '-') return { name: 'problem', where: '<stdin>', source: await io.readStdin(), identity: io.stdinFile?.() };
  const { text, identity } = readInputFile(resolvePath(io.cwd, file), shownName(file));
  return { name: safeName(file), where: shownName(file), source: text, identity };
}

function resolvePath(cwd: string, file: string): string {
  return file.startsWith('/') ? file : join(cwd, file);
}

async function writeVectors(files: string[], out: string, io: Io): Promise<number> {
  const outputs: OutputFile[] = [];
  const inputs: Stats[] = [];
  const folders: string[] = [];
  for (const file of files) {
    // Each problem its own folder, named safely after its file, a second one of that name with -2.
    const folderFor = (input: ProblemSource) => {
      const stem = input.name;
      let folder = stem;
      for (let k = 2; folders.includes(folder); k++) folder = `${stem}-${k}`;
      folders.push(folder);
      if (input.identity) inputs.push(input.identity);
      return folder;
    };
    const status = await withSolution(file, io, (solution, input) => {
      const folder = folderFor(input);
      for (const f of vectorFiles(solution, version())) outputs.push({ name: `${folder}/${f.name}`, contents: f.contents });
      return 0;
    }, vectorsRefusal, {
      before: networkVectorsRefusal,
      use: (solution, input) => {
        const folder = folderFor(input);
        for (const f of networkVectorFiles(solution, version())) outputs.push({ name: `${folder}/${f.name}`, contents: f.contents });
        return 0;
      },
    });
    if (status !== 0) return status;
  }
  // Every problem is solved before anything is written.
  writeAll(io.cwd, out, outputs, inputs);
  for (const folder of folders) io.stdout(`wrote ${shownName(join(out, folder))}/ (${outputs.filter((o) => o.name.startsWith(`${folder}/`)).length} files)\n`);
  return 0;
}

/** Each case is written as soon as it is made: a corpus of thousands need not sit in memory. */
interface CasesOptions {
  count: string;
  seed: string;
  kinks?: boolean;
  networks?: boolean;
  out: string;
}

function casesCommand(options: CasesOptions, io: Io): number {
  const count = readCount(options.count, '--count', 1, MAX_CASES);
  const seed = readCount(options.seed, '--seed', 0, 999_999_999);
  if (options.networks && options.kinks) throw new UsageError('cases: --kinks plants kinks in single layers; it does not go with --networks');
  for (let k = 0; k < count; k++) {
    const folder = caseName(k, count);
    const files = options.networks ? networkCaseFiles(generateNetworkCase(seed, k), version()) : caseFiles(generateCase(seed, k, options.kinks ?? false), version());
    writeAll(io.cwd, options.out, files.map((f) => ({ name: `${folder}/${f.name}`, contents: f.contents })), []);
  }
  io.stdout(`wrote ${count} ${count === 1 ? 'case' : 'cases'} into ${shownName(options.out)}/: ${caseName(0, count)}${count > 1 ? ` … ${caseName(count - 1, count)}` : ''}, each with problem.json, vectors.json, its .npy files and result.json\n`);
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
      io.stdout(formatComparison(comparison, { problem: shownName(file), theirs: shownName(options.with!) }, tolerance, options.dtype));
      agree &&= resultsAgree(comparison);
    }
    if (stages !== undefined) {
      const comparison = compareStages(solution, stages, tolerance);
      io.stdout(`${theirs !== undefined ? '\n' : ''}${formatStages(comparison, { problem: shownName(file), dir: shownName(options.vectors!) }, tolerance, options.dtype)}`);
      agree &&= stagesAgree(comparison);
    }
    return agree ? 0 : 1;
  }, undefined, {
    use: (solution) => {
      let agree = true;
      if (theirs !== undefined) {
        const comparison = compareNetworkResults(networkResultDocument(solution), theirs.value, tolerance);
        io.stdout(formatComparison(comparison, { problem: shownName(file), theirs: shownName(options.with!) }, tolerance, options.dtype));
        agree &&= resultsAgree(comparison);
      }
      if (stages !== undefined) {
        const comparison = compareNetworkStages(solution, stages, tolerance);
        io.stdout(`${theirs !== undefined ? '\n' : ''}${formatStages(comparison, { problem: shownName(file), dir: shownName(options.vectors!) }, tolerance, options.dtype)}`);
        agree &&= stagesAgree(comparison);
      }
      return agree ? 0 : 1;
    },
  });
}

function readOtherDocument(path: string, io: Io): { value: unknown } {
  const { text } = readInputFile(resolvePath(io.cwd, path), `--with: ${shownName(path)}`, 'the result document', MAX_DOCUMENT_BYTES);
  try {
    return { value: readForeignJson(text) };
  } catch (error) {
    const reason = error instanceof JsonSyntaxError ? `not valid JSON: ${error.message}` : (error as Error).message;
    throw new UsageError(`--with: cannot read ${shownName(path)} (${reason})`);
  }
}

/** The .npy files of a folder by name without the extension, each read with a cap; other files are left alone. */
function readNpyFiles(dir: string, io: Io): Map<string, Buffer> {
  const folder = resolvePath(io.cwd, dir);
  let names: string[];
  try {
    names = readdirSync(folder).filter((f) => f.endsWith('.npy'));
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such folder' : (error as Error).message;
    throw new UsageError(`--vectors: cannot read ${shownName(dir)} (${reason})`);
  }
  // A name with a line break in it matches no stage, and is reported quoted with escapes.
  return new Map(names.map((f) => [shownName(f.slice(0, -'.npy'.length)), readInputBytes(join(folder, f), `--vectors: ${shownName(join(dir, f))}`, 'the tensor', MAX_TENSOR_BYTES)]));
}

/** A tolerance as written: a decimal number ≥ 0 (1e-9, 0.0002); nothing else, not "" nor 0x10. */
function readTolerance(text: string | undefined, option: string): number | undefined {
  if (text === undefined) return undefined;
  if (!/^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text) || !Number.isFinite(Number(text))) throw new UsageError(`${option}: expected a number ≥ 0, got ${JSON.stringify(text)}`);
  return Number(text);
}

/** A whole number as written in decimal digits, within [min, max]. */
function readCount(text: string, option: string, min: number, max: number): number {
  const value = /^\d{1,9}$/.test(text) ? Number(text) : NaN;
  if (!(value >= min && value <= max)) throw new UsageError(`${option}: expected an integer from ${min} to ${max}, got ${JSON.stringify(text)}`);
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
  const count = readCount(options.count, '--count', 1, 200);
  const seed = readCount(options.seed, '--seed', 0, 999_999_999);
  const formats = parseFormats(options.format).filter((f) => f !== 'json');
  if (formats.length === 0) throw new UsageError('--format: the exercises are documents; choose from tex, html, md, pdf');
  const ask = parseAsk(options.ask);
  const render = { language: options.lang, version: version() };
  const documents = { difficulty: options.difficulty, ask, detail: options.detail };
  const { difficulty } = options;
  let sources: string[];
  let derivations: (readonly [string, Derivation])[];
  if (difficulty === 'network') {
    const items = networkExercises(count, seed);
    sources = items.map((item) => item.source);
    derivations = [['exercises', networkExerciseSheet(items, documents)], ['answers', networkAnswerKey(items, documents)]];
  } else {
    const items = exercises(count, seed, difficulty);
    sources = items.map((item) => item.source);
    derivations = [['exercises', exerciseSheet(items, documents)], ['answers', answerKey(items, documents)]];
  }
  const files: OutputFile[] = sources.map((source, i) => ({ name: `problem-${String(i + 1).padStart(2, '0')}.json`, contents: source }));
  const suffix = options.lang === 'en' ? '' : `.${options.lang}`;
  let missing: string | undefined;
  for (const [name, derivation] of derivations) {
    // In one order whatever the order asked: the LaTeX, the HTML, the Markdown (its figures first).
    const wanted = (['tex', 'html', 'md'] as const).filter((f) => formats.includes(f));
    const rendered = renderDocuments(derivation, wanted, { ...render, stem: `${name}${suffix}` });
    files.push(...rendered.files);
    const pdf = formats.includes('pdf');
    const document = typeset(rendered.documents, pdf, pdf && !rendered.documents.has('tex') ? renderTex(derivation, render) : undefined);
    missing ??= document.missing;
    for (const [format, contents] of document.files) files.push({ name: `${name}${suffix}.${format}`, contents });
  }
  writeAll(io.cwd, options.out, files, []);
  const written = files.filter((f) => !f.name.startsWith('problem-') && !f.name.endsWith('.svg')).map((f) => f.name);
  io.stdout(`wrote ${files.length} files into ${shownName(options.out)}/: ${written.join(', ')}, problem-01.json … problem-${String(count).padStart(2, '0')}.json\n`);
  if (missing) {
    io.stderr(`convgrad: --format pdf: ${missing}; the LaTeX sources are in ${options.out}/\n`);
    return 1;
  }
  return 0;
}
