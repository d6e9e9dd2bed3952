// Tests that need an outside tool (PyTorch, TeX) run where it is installed, are skipped with the
// command that installs it where it is not, and fail in CI (CI=true), which must never skip them.
import { spawnSync } from 'node:child_process';
import { chromium as launcher, type Browser } from 'playwright-core';

export interface Tool {
  readonly available: boolean;
  /** A title suffix for a skipped suite: what to install. */
  readonly label: string;
}

export function tool(name: string, check: readonly string[], install: string): Tool {
  const result = spawnSync(check[0], check.slice(1), { stdio: 'ignore' });
  const available = result.status === 0;
  if (!available && process.env.CI === 'true') {
    throw new Error(`${name} is required in CI but is missing; install it with: ${install}`);
  }
  return { available, label: available ? name : `${name} (skipped: not installed; ${install})` };
}

export const PYTHON = '/usr/bin/python3';
export const torch = () => tool('PyTorch', [PYTHON, '-c', 'import torch'], 'apt-get install python3-torch');
export const pdflatex = () => tool('pdflatex', ['pdflatex', '--version'], 'apt-get install texlive-latex-base texlive-latex-recommended texlive-fonts-recommended');
export const xelatex = () => tool('xelatex with ctex', ['sh', '-c', 'xelatex --version && kpsewhich ctexart.cls'], 'apt-get install texlive-xetex texlive-lang-chinese fonts-noto-cjk');
export const chromium = () => tool('Chromium', ['/usr/bin/chromium', '--version'], 'apt-get install chromium');

/** Debian's Chromium driven by playwright-core, headless, with nothing of its own reaching the network. */
export function launchChromium(): Promise<Browser> {
  return launcher.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
export const pdfinfo = () => tool('pdfinfo', ['pdfinfo', '-v'], 'apt-get install poppler-utils');
