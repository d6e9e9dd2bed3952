// Playing the engine writer: a conv engine of our own (engine-writer/engine.ts), tested the way the
// README tells an engine writer to, on a 50-case corpus from `convgrad cases` with `convgrad compare`.
// The correct engine passes every case; each of three classic bugs is caught.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { npy } from '../src/engines/npy.js';
import { runEngine, type Bugs } from './engine-writer/engine.js';
import { runCli, tempDir } from './helpers/run-cli.js';

const COUNT = 50;
let cwd = '';
const dirs = Array.from({ length: COUNT }, (_, k) => join('cases', `case-${String(k + 1).padStart(4, '0')}`));

beforeAll(async () => {
  cwd = tempDir();
  expect((await runCli(['cases', '--count', String(COUNT), '--seed', '2024', '--out', 'cases'], { cwd })).status).toBe(0);
}, 120_000);

/** The README's loop: the engine writes mine.json for each case, and compare says whether it agrees. */
async function loop(bugs: Bugs) {
  const runs = [];
  for (const dir of dirs) {
    const problem = JSON.parse(readFileSync(join(cwd, dir, 'problem.json'), 'utf8'));
    writeFileSync(join(cwd, dir, 'mine.json'), JSON.stringify(runEngine(problem, bugs).result));
    runs.push(await runCli(['compare', join(dir, 'problem.json'), '--with', join(dir, 'mine.json')], { cwd }));
  }
  return runs;
}

describe(`an engine writer's conv engine against a ${COUNT}-case corpus`, () => {
  it('passes every case when it is right', async () => {
    const runs = await loop({});
    runs.forEach((run, k) => expect(run.status, `${dirs[k]}\n${run.stdout}`).toBe(0));
  }, 120_000);

  // Each bug, the quantity where compare must find it, and the share of the corpus that must show it.
  const bugs: [string, Bugs, RegExp, number][] = [
    ['the kernel not rotated by 180° for ∂L/∂X', { unrotatedKernel: true }, /^grad\.input: \d+ of \d+ entries differ/m, 0.9],
    ['a stride off by one in the input gradient', { strideOffByOne: true }, /^grad\.input: \d+ of \d+ entries differ/m, 0.9],
    ['the mean divided by the wrong count', { meanCount: true }, /^forward\.loss: 1 of 1 entry differs/m, 0.3],
  ];
  it.each(bugs)('catches %s', async (_, planted, where, share) => {
    const runs = await loop(planted);
    const caught = runs.filter((run) => run.status === 1 && where.test(run.stdout));
    expect(caught.length, `caught in ${caught.length} of ${COUNT} cases`).toBeGreaterThanOrEqual(Math.ceil(share * COUNT));
    // Where a case does not show it, nothing is wrong there: the engine agrees.
    runs.forEach((run, k) => expect([0, 1], `${dirs[k]}\n${run.stdout}`).toContain(run.status));
  }, 120_000);

  it('finds where the stride bug starts: compare --vectors names ∂L/∂X̃ the first stage that differs', async () => {
    const dir = dirs.find((d) => JSON.stringify(JSON.parse(readFileSync(join(cwd, d, 'problem.json'), 'utf8')).stride) !== '[1,1]')!;
    const problem = JSON.parse(readFileSync(join(cwd, dir, 'problem.json'), 'utf8'));
    const stages = join(cwd, dir, 'mine');
    mkdirSync(stages);
    for (const [name, t] of runEngine(problem, { strideOffByOne: true }).stages) writeFileSync(join(stages, `${name}.npy`), npy(t.shape, t.data));
    const run = await runCli(['compare', join(dir, 'problem.json'), '--vectors', join(dir, 'mine')], { cwd });
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/^delta: agrees/m);
    expect(run.stdout).toContain("The first stage that differs is grad_padded_input (∂L/∂X̃); the stages given before it agree, so the bug starts there.");
  }, 60_000);
});
