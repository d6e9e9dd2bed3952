// The PDF, typeset from the LaTeX document by the TeX installation: pdflatex for English, xelatex
// (ctex) for Chinese. convgrad ships no TeX; where there is none it says what to install.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Language } from '../strings/strings.js';

export const TEX_PACKAGES: Record<Language, string> = {
  en: 'apt-get install texlive-latex-base texlive-latex-recommended texlive-fonts-recommended lmodern texlive-pictures',
  zh: 'apt-get install texlive-xetex texlive-lang-chinese texlive-latex-recommended texlive-pictures fonts-noto-cjk',
};

export function texEngine(language: Language): string {
  return language === 'zh' ? 'xelatex' : 'pdflatex';
}

export type PdfOutcome = { readonly pdf: Buffer } | { readonly missing: string } | { readonly failed: string };

export function compilePdf(tex: string, language: Language): PdfOutcome {
  const engine = texEngine(language);
  if (spawnSync(engine, ['--version'], { stdio: 'ignore' }).status !== 0) {
    return { missing: `${engine} is not installed; install it with: ${TEX_PACKAGES[language]}` };
  }
  const dir = mkdtempSync(join(tmpdir(), 'convgrad-pdf-'));
  try {
    writeFileSync(join(dir, 'document.tex'), tex);
    // Shell escape stays off: nothing in a problem can run a command through TeX.
    const run = spawnSync(engine, ['-interaction=nonstopmode', '-halt-on-error', '-no-shell-escape', 'document.tex'], { cwd: dir, encoding: 'utf8', timeout: 300_000 });
    if (run.status !== 0) {
      const log = readFileSync(join(dir, 'document.log'), 'utf8');
      const error = log.split('\n').find((line) => line.startsWith('!')) ?? run.stdout.trim().split('\n').slice(-3).join(' ');
      return { failed: `${engine} failed: ${error}` };
    }
    return { pdf: readFileSync(join(dir, 'document.pdf')) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
