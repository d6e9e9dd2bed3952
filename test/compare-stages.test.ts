// `convgrad compare --vectors DIR`: another engine's intermediate tensors as .npy files, stage by
// stage, and the first stage that differs.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { npy, readNpy } from '../src/engines/npy.js';
import { runCli, tempDir } from './helpers/run-cli.js';
import { PYTHON, torch } from './helpers/tools.js';

const NUMPY = torch(); // python3-torch brings NumPy

describe('readNpy', () => {
  it('reads what npy writes', () => {
    expect(readNpy(npy([2, 3], [1, 2, 3, 4, 5, 6.5]))).toEqual({ shape: [2, 3], data: [1, 2, 3, 4, 5, 6.5] });
    expect(readNpy(npy([], [4]))).toEqual({ shape: [], data: [4] });
    expect(readNpy(Buffer.from('not a file'))).toEqual({ error: 'not a .npy file (no \\x93NUMPY at its start)' });
  });

  it.skipIf(!NUMPY.available)('reads what numpy.save writes: float16, float32, big-endian, integers, Fortran order, format 2', () => {
    const dir = tempDir();
    const run = spawnSync(PYTHON, ['-c', `
import numpy as np, numpy.lib.format as f
a = np.arange(6, dtype=np.float64).reshape(2, 3) / 4 - 0.5
np.save("${dir}/f16.npy", a.astype(np.float16))
np.save("${dir}/f32.npy", a.astype(np.float32))
np.save("${dir}/big.npy", a.astype(">f8"))
np.save("${dir}/i64.npy", np.arange(6).reshape(2, 3))
np.save("${dir}/fortran.npy", np.asfortranarray(a))
with open("${dir}/v2.npy", "wb") as out:
    f.write_array(out, a, version=(2, 0))
`], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    const expected = [-0.5, -0.25, 0, 0.25, 0.5, 0.75];
    for (const name of ['f16', 'f32', 'big', 'fortran', 'v2']) expect(readNpy(readFileSync(join(dir, `${name}.npy`))), name).toEqual({ shape: [2, 3], data: expected });
    expect(readNpy(readFileSync(join(dir, 'i64.npy')))).toEqual({ shape: [2, 3], data: [0, 1, 2, 3, 4, 5] });
  });
});

describe('compare --vectors', () => {
  async function caseFolder() {
    const cwd = tempDir();
    expect((await runCli(['cases', '--count', '1', '--seed', '3', '--out', 'c'], { cwd })).status).toBe(0);
    const dir = join(cwd, 'c', 'case-0001');
    return { cwd, dir };
  }

  it('agrees with convgrad\'s own vectors, stage by stage', async () => {
    const { cwd } = await caseFolder();
    const run = await runCli(['compare', 'c/case-0001/problem.json', '--vectors', 'c/case-0001'], { cwd });
    expect(run.stdout).toMatch(/^conv: agrees \(\d+ entries\); largest \|Δ\| 0, largest rel Δ 0 {2}\(σ = conv\(X̃, K\) \+ b\)$/m);
    expect(run.stdout).toMatch(/^Every one of the \d+ stages given agrees with convgrad\.$/m);
    expect(run.status).toBe(0);
  });

  it('names the first stage that differs, in the order of the data flow', async () => {
    const { cwd, dir } = await caseFolder();
    const mine = join(cwd, 'mine');
    mkdirSync(mine);
    // Only some stages, as an engine has them; δ wrong at one entry, and so everything after it.
    for (const name of ['conv', 'activation', 'delta', 'grad_kernel', 'grad_input']) cpSync(join(dir, `${name}.npy`), join(mine, `${name}.npy`));
    const delta = readNpy(readFileSync(join(dir, 'delta.npy'))) as { shape: number[]; data: number[] };
    writeFileSync(join(mine, 'delta.npy'), npy(delta.shape, delta.data.map((x, k) => (k === 1 ? x + 1 : x))));
    const grad = readNpy(readFileSync(join(dir, 'grad_kernel.npy'))) as { shape: number[]; data: number[] };
    writeFileSync(join(mine, 'grad_kernel.npy'), npy(grad.shape, grad.data.map((x) => x + 1)));
    const run = await runCli(['compare', 'c/case-0001/problem.json', '--vectors', 'mine'], { cwd });
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/^delta: 1 of \d+ entries differs; largest \|Δ\| 1\.0e0 at delta\[0\]\[0\]\[\d+\]\[\d+\]/m);
    expect(run.stdout).toContain('The first stage that differs is delta (δ = ∂L/∂σ); the stages given before it agree, so the bug starts there.');
    expect(run.stdout).toMatch(/^not given \(compared where given\): input, kernel, /m);
  });

  it('fails a file of another shape, a file that is no tensor of convgrad\'s, a folder with nothing to compare', async () => {
    const { cwd, dir } = await caseFolder();
    const mine = join(cwd, 'mine');
    mkdirSync(mine);
    writeFileSync(join(mine, 'conv.npy'), npy([7], [1, 2, 3, 4, 5, 6, 7]));
    writeFileSync(join(mine, 'deltaa.npy'), readFileSync(join(dir, 'delta.npy')));
    const run = await runCli(['compare', 'c/case-0001/problem.json', '--vectors', 'mine'], { cwd });
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/^mine\/conv\.npy: shape \[7\], convgrad's is \[\d+\]\[\d+\]\[\d+\]\[\d+\]$/m);
    expect(run.stdout).toContain('mine/deltaa.npy: not a tensor convgrad vectors writes for this problem (did you mean "delta"?)');
    rmSync(mine, { recursive: true });
    mkdirSync(mine);
    const empty = await runCli(['compare', 'c/case-0001/problem.json', '--vectors', 'mine'], { cwd });
    expect(empty.status).toBe(1);
    expect(empty.stdout).toContain('mine/ holds none of the .npy files convgrad vectors writes: nothing to compare.');
    expect((await runCli(['compare', 'c/case-0001/problem.json'], { cwd })).status).toBe(2);
  });
});
