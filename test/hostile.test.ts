// Untrusted problem files, as an attacker writes them (test/helpers/hostile-corpus.ts): each run by
// the real command in a process of its own, with a memory cap and a hang guard. Every file ends in
// exit 0 or 2, with no stack trace and no "bug" message, nothing written on exit 2, and nothing in
// any of them ever runs: the marker file is looked for after derive (PDF included), after the
// PyTorch scripts ran in python3, and after check.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseProblem, parseProblemText } from '../src/problem/parse-problem.js';
import { JsonNumber, type JsonValue } from '../src/problem/json-source.js';
import { hostileCorpus, MARKER, type HostileCase } from './helpers/hostile-corpus.js';
import { runCli, tempDir } from './helpers/run-cli.js';
import { PYTHON, pdflatex, torch } from './helpers/tools.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin', 'convgrad.js');
const RUNNER = join(ROOT, 'test', 'reference', 'run_scripts.py');
/** A hang guard, not a timing: a file that takes longer is a hang. */
const HANG = 60_000;
/** Memory each run may take: a heap cap that V8 enforces by aborting, which fails the case. */
const HEAP_MB = 1024;

interface Run {
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

function run(argv: string[], cwd: string): Promise<Run> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [`--max-old-space-size=${HEAP_MB}`, BIN, ...argv], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let [stdout, stderr] = ['', ''];
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), HANG);
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      done({ status, signal, stdout, stderr });
    });
  });
}

/** Runs jobs at most `width` at a time (the machine has two cores). */
async function pool<T, R>(items: readonly T[], width: number, job: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < items.length) {
      const k = next++;
      results[k] = await job(items[k]);
    }
  }));
  return results;
}

const corpus = hostileCorpus();
const dir = tempDir();

describe(`a hostile corpus of ${corpus.length} problem files`, () => {
  const outcomes = new Map<HostileCase, Run>();
  const scripts = new Map<HostileCase, string>();
  const TEX = pdflatex();

  beforeAll(async () => {
    corpus.forEach((c, k) => writeFileSync(join(dir, `case-${k}.json`), c.contents));
    // Bombs and long inputs in a process of their own, with the memory cap and the hang guard; the
    // others, which cost little, through the same main() in this process.
    const isolated = (c: HostileCase) => c.kind === 'bomb' || c.kind === 'long';
    const derive = async (c: HostileCase): Promise<Run> => {
      const k = corpus.indexOf(c);
      const argv = ['derive', `case-${k}.json`, '--out', `out-${k}`, '--format', c.pdf && TEX.available ? 'tex,html,md,json,pdf' : 'tex,html,md,json'];
      if (isolated(c)) return run(argv, dir);
      const { status, stdout, stderr } = await runCli(argv, { cwd: dir });
      return { status, signal: null, stdout, stderr };
    };
    await pool(corpus.filter(isolated), 2, async (c) => void outcomes.set(c, await derive(c)));
    for (const c of corpus.filter((c) => !isolated(c))) {
      outcomes.set(c, await derive(c));
      if (c.torch) {
        const script = await runCli(['torch', `case-${corpus.indexOf(c)}.json`], { cwd: dir });
        if (script.status === 0) scripts.set(c, script.stdout);
      }
    }
  }, 30 * 60_000);

  it('holds every class', () => {
    const kinds = new Set(corpus.map((c) => c.kind));
    expect([...kinds].sort()).toEqual(['bomb', 'injection', 'long', 'malformed', 'number', 'unicode']);
    expect(corpus.length).toBeGreaterThanOrEqual(300);
  });

  it.each(corpus.map((c, k) => [`${c.kind}: ${c.name}`, k] as const))('%s ends in 0 or 2, cleanly', (_, k) => {
    const c = corpus[k];
    const outcome = outcomes.get(c)!;
    expect(outcome.signal, 'killed: a hang or a crash').toBeNull();
    expect([0, 2], outcome.stderr).toContain(outcome.status);
    expect(outcome.stderr).not.toMatch(/bug in convgrad|\n\s+at |Error:|node:internal/);
    if (outcome.status === 2) {
      expect(outcome.stderr).toMatch(/^convgrad: /);
      expect(existsSync(join(dir, `out-${k}`)) ? readdirSync(join(dir, `out-${k}`)) : []).toEqual([]);
    } else expect(readdirSync(join(dir, `out-${k}`)).length).toBeGreaterThan(0);
    // Terminal control characters from a file never reach the terminal.
    expect(outcome.stderr).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);
  });

  it('a file that never ends (/dev/zero) is read up to the cap and refused', async () => {
    const outcome = await run(['derive', '/dev/zero', '--out', 'zero'], dir);
    expect(outcome.status).toBe(2);
    expect(outcome.stderr).toBe('convgrad: /dev/zero: larger than 4 MiB, the most convgrad reads\n');
    expect(existsSync(join(dir, 'zero'))).toBe(false);
  });

  it('nothing in any problem ran while deriving or typesetting', () => {
    expect(existsSync(join(dir, MARKER))).toBe(false);
    expect(existsSync(join(ROOT, MARKER))).toBe(false);
  });

  const TORCH = torch();
  it.skipIf(!TORCH.available)(`nothing runs in the PyTorch scripts, run by ${TORCH.label}`, () => {
    const all = [...scripts.values()];
    expect(all.length).toBeGreaterThan(10);
    for (const script of all) expect(script).toMatch(/^[\x09\x0a\x20-\x7e]*$/); // one line of ASCII per literal: nothing to break out of
    const python = spawnSync(PYTHON, [RUNNER], { cwd: dir, input: JSON.stringify(all), encoding: 'utf8', maxBuffer: 1 << 28 });
    expect(python.status, python.stderr).toBe(0);
    const results = JSON.parse(python.stdout) as { ok: boolean; output: string }[];
    results.forEach((r) => expect(r.ok, r.output).toBe(true));
    expect(existsSync(join(dir, MARKER))).toBe(false);
  }, 600_000);

  it.skipIf(!TORCH.available)('nothing runs in check, and a script that fails is never an agreement', async () => {
    const injected = corpus.filter((c) => scripts.has(c)).slice(0, 3);
    for (const c of injected) {
      const outcome = await run(['check', `case-${corpus.indexOf(c)}.json`], dir);
      expect([0, 1], outcome.stderr).toContain(outcome.status);
      expect(outcome.stdout).toContain('PyTorch (float64)');
      expect(outcome.stdout).not.toMatch(/PyTorch \(float64\).*not available/);
    }
    expect(existsSync(join(dir, MARKER))).toBe(false);
  }, 600_000);
});

// The problem reader on anything at all: it answers with a problem or with diagnostics, never throws.
describe('the problem reader, on random input (fast-check)', () => {
  const number = fc.oneof(fc.integer(), fc.double(), fc.constantFrom('1/3', '-2.5', '1e-3', '1e999', '0x10', ' 1', 'NaN', '')).map((n) => (typeof n === 'number' ? new JsonNumber(String(n)) : n));
  const leaf: fc.Arbitrary<JsonValue> = fc.oneof(number, fc.string(), fc.boolean(), fc.constant(null), fc.constantFrom('relu', 'max', 'same', 'sgd', 'none', '__proto__'));
  const value = fc.letrec<{ v: JsonValue }>((tie) => ({
    v: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('v'), { maxLength: 4 }), fc.dictionary(fc.constantFrom('type', 'size', 'lr', 'expression', '__proto__', 'constructor', 'x'), tie('v'), { maxKeys: 3 })),
  })).v;
  const fields = ['title', 'input', 'kernel', 'bias', 'stride', 'padding', 'padding_mode', 'dilation', 'groups', 'activation', 'negative_slope', 'pool', 'head', 'loss', 'beta', 'delta', 'reduction', 'target', 'optimizer', 'steps', '__proto__', 'constructor'];

  it('random values in every field', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...fields), value, { maxKeys: 12 }), (problem) => {
        const result = parseProblem(Object.assign(Object.create(null), problem));
        if (!result.ok) for (const e of result.errors) expect(typeof e.message).toBe('string');
      }),
      { numRuns: 3000 },
    );
  });

  it('random variations of a valid problem, as text', () => {
    const valid = { input: [[1, 2], [3, 4]], kernel: [[1]], target: 1 };
    fc.assert(
      fc.property(fc.constantFrom(...fields), value, (field, v) => {
        const text = JSON.stringify({ ...valid, [field]: v instanceof JsonNumber ? Number(v.text) : v }, (_, x) => (x instanceof JsonNumber ? Number(x.text) : x));
        if (text !== undefined) parseProblemText(text);
      }),
      { numRuns: 3000 },
    );
  });

  it('random text', () => {
    fc.assert(fc.property(fc.string({ maxLength: 200 }), (text) => void parseProblemText(text)), { numRuns: 3000 });
  });
});

