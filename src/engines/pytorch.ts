// PyTorch, out of process: the generated script, run with python3 where `import torch` works.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { ResultDocument } from '../result/result-document.js';
import type { Solution } from '../trajectory/train.js';
import { readForeignJson } from './foreign-json.js';
import { torchScript } from './torch-script.js';
import { torchNetworkScript } from './torch-network-script.js';
import type { NetworkSolution } from '../trajectory/train-network.js';

/** PyTorch's result; or why it could not run (torch is not installed); or how the script failed, which is the engine failing. */
export type PytorchOutcome = { readonly result: Partial<ResultDocument>; readonly python: string } | { readonly unavailable: string } | { readonly failed: string };

export const INSTALL_TORCH = 'apt-get install python3-torch (Debian), or pip install torch';

/** Debian's python3 first (where python3-torch installs), then whatever python3 the PATH finds. */
export function pythonWithTorch(): string | undefined {
  for (const python of ['/usr/bin/python3', 'python3']) {
    if (python.startsWith('/') && !existsSync(python)) continue;
    const probe = spawnSync(python, ['-c', 'import torch'], { stdio: 'ignore', timeout: 120_000 });
    if (probe.status === 0) return python;
  }
  return undefined;
}

export function pytorchResult(solution: Solution, version: string): PytorchOutcome {
  return scriptResult(torchScript(solution, version));
}

/** A network's result document from PyTorch: the script of `convgrad torch` for the network, run with --json. */
export function pytorchNetworkResult(solution: NetworkSolution, version: string): { readonly result: unknown; readonly python: string } | { readonly unavailable: string } | { readonly failed: string } {
  return scriptResult(torchNetworkScript(solution, version));
}

function scriptResult(script: string): PytorchOutcome {
  const python = pythonWithTorch();
  if (!python) return { unavailable: `python3 cannot import torch; install it with ${INSTALL_TORCH}` };
  const run = spawnSync(python, ['-', '--json'], { input: script, encoding: 'utf8', timeout: 600_000, maxBuffer: 1 << 28 });
  if (run.status !== 0) return { failed: `the PyTorch script failed: ${(run.stderr || run.error?.message || `exit status ${run.status}`).trim().split('\n').slice(-1)[0]}` };
  try {
    return { result: readForeignJson(run.stdout) as Partial<ResultDocument>, python };
  } catch (error) {
    return { failed: `the PyTorch script printed no result document: ${(error as Error).message}` };
  }
}
