// `convgrad vectors` for every step: each step's loss, gradients, torch.optim's state under PyTorch's
// own names, and parameters, checked against torch.optim itself.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { vectorTensors } from '../src/engines/vectors.js';
import { OPTIMIZERS } from './helpers/cases.js';
import { runCli, tempDir } from './helpers/run-cli.js';
import { solutionOf } from './helpers/solve.js';
import { PYTHON, torch } from './helpers/tools.js';

const TORCH = torch();

describe('vectors for every step', () => {
  it('names each step\'s loss, gradients, optimizer state and parameters', () => {
    const names = (problem: object) => vectorTensors(solutionOf(problem)).map(([name]) => name).filter((name) => name.startsWith('step2_'));
    expect(names(OPTIMIZERS['sgd momentum, dampening, weight decay'])).toEqual([
      'step2_loss', 'step2_grad_kernel', 'step2_grad_bias', 'step2_kernel_momentum_buffer', 'step2_bias_momentum_buffer', 'step2_kernel', 'step2_bias',
    ]);
    expect(names(OPTIMIZERS['adam weight decay, amsgrad'])).toEqual([
      'step2_loss', 'step2_grad_kernel', 'step2_grad_bias',
      'step2_kernel_exp_avg', 'step2_kernel_exp_avg_sq', 'step2_kernel_max_exp_avg_sq', 'step2_kernel_step',
      'step2_bias_exp_avg', 'step2_bias_exp_avg_sq', 'step2_bias_max_exp_avg_sq', 'step2_bias_step',
      'step2_kernel', 'step2_bias',
    ]);
    expect(names(OPTIMIZERS['rmsprop centered, momentum, weight decay']).filter((n) => n.startsWith('step2_kernel_'))).toEqual([
      'step2_kernel_square_avg', 'step2_kernel_grad_avg', 'step2_kernel_momentum_buffer', 'step2_kernel_step',
    ]);
  });

  it.skipIf(!TORCH.available)(`match torch.optim's gradients and state after every step, for every optimizer (${TORCH.label})`, async () => {
    const cwd = tempDir();
    const files = Object.entries(OPTIMIZERS).map(([name, problem], i) => {
      writeFileSync(join(cwd, `o${i}.json`), JSON.stringify(problem));
      return [name, `o${i}`] as const;
    });
    expect((await runCli(['vectors', ...files.map(([, file]) => `${file}.json`), '--out', 'v'], { cwd })).status).toBe(0);
    // The seed's layer with a bias, in torch.optim, reading the normalized problem vectors wrote; each
    // step's gradients and every state tensor against the .npy files of that step.
    const script = `
import json, os, sys
from fractions import Fraction
import numpy as np, torch
torch.set_default_dtype(torch.float64)
folder = sys.argv[1]
p = json.load(open(folder + "/problem.json"))
number = lambda v: float(Fraction(v)) if isinstance(v, str) else v
conv = torch.nn.Conv2d(1, 1, (2, 2))
with torch.no_grad():
    conv.weight.copy_(torch.tensor([[[[number(x) for x in row] for row in p["kernel"]]]]))
    conv.bias.copy_(torch.tensor([number(p["bias"])]))
o = {k: v for k, v in p["optimizer"].items() if k != "type"}
o = {k: ([number(x) for x in v] if isinstance(v, list) else number(v)) for k, v in o.items()}
optimizer = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam, "adamw": torch.optim.AdamW, "rmsprop": torch.optim.RMSprop, "adagrad": torch.optim.Adagrad}[p["optimizer"]["type"]](conv.parameters(), **o)
x = torch.tensor([[[[number(v) for v in row] for row in p["input"]]]])
checked = 0
for t in range(1, p["steps"] + 1):
    optimizer.zero_grad()
    loss = (conv(x).sum() - number(p["target"])) ** 2
    loss.backward()
    for name, param in (("kernel", conv.weight), ("bias", conv.bias)):
        assert np.allclose(np.load(f"{folder}/step{t}_grad_{name}.npy"), param.grad.numpy(), rtol=1e-9, atol=1e-12), (t, name)
    optimizer.step()
    for name, param in (("kernel", conv.weight), ("bias", conv.bias)):
        state = {k: v for k, v in optimizer.state[param].items() if v is not None}
        for key, value in state.items():
            ours = np.load(f"{folder}/step{t}_{name}_{key}.npy")
            assert np.allclose(ours, torch.as_tensor(value).numpy(), rtol=1e-9, atol=1e-12), (t, name, key, ours, value)
            checked += 1
        assert np.allclose(np.load(f"{folder}/step{t}_{name}.npy"), param.detach().numpy(), rtol=1e-9, atol=1e-12), (t, name)
        written = sorted(f[len(f"step{t}_{name}_"):-4] for f in os.listdir(folder) if f.startswith(f"step{t}_{name}_"))
        assert written == sorted(state), (t, name, written, sorted(state))
print(checked)
`;
    for (const [name, file] of files) {
      const run = spawnSync(PYTHON, ['-c', script, join(cwd, 'v', file)], { encoding: 'utf8' });
      expect(run.stderr, name).toBe('');
      expect(Number(run.stdout), name).toBeGreaterThanOrEqual(name === 'sgd' ? 0 : 10);
    }
    // The JSON carries the same tensors with what each means.
    const vectors = JSON.parse(readFileSync(join(cwd, 'v', files[4][1], 'vectors.json'), 'utf8'));
    expect(vectors.tensors.step3_kernel_exp_avg_sq.meaning).toBe('torch.optim\'s state["exp_avg_sq"] of the kernel after step 3');
    expect(vectors.tensors.step3_bias_step.exact).toBe('3');
    expect(readdirSync(join(cwd, 'v', files[4][1])).filter((f) => f.endsWith('.npy'))).toHaveLength(Object.keys(vectors.tensors).length);
  }, 120_000);
});
