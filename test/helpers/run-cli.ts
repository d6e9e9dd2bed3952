// The command line in process: main(argv, io) with captured output and a temporary working folder.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';

export interface CliRun {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly cwd: string;
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'convgrad-test-'));
}

export async function runCli(argv: string[], options: { stdin?: string; cwd?: string } = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const cwd = options.cwd ?? tempDir();
  const status = await main(argv, {
    stdout: (text) => { stdout += text; },
    stderr: (text) => { stderr += text; },
    readStdin: async () => options.stdin ?? '',
    cwd,
  });
  return { status, stdout, stderr, cwd };
}
