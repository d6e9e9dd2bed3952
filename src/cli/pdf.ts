// The PDF, typeset from the LaTeX document by the TeX installation with the engine the document
// names in its first line (pdflatex for English, xelatex for Chinese and for a title in a script
// pdflatex cannot set). convgrad ships no TeX; where there is none it says what to install.
// TeX runs with shell escape off and kpathsea's paranoid file access (no reading or writing outside
// its working folder, nor of dot files), and with a fixed date, so the same document gives the same bytes.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type TexEngine = 'pdflatex' | 'xelatex';

export const TEX_PACKAGES: Record<TexEngine, string> = {
  pdflatex: 'apt-get install texlive-latex-base texlive-latex-recommended texlive-fonts-recommended lmodern texlive-pictures',
  xelatex: 'apt-get install texlive-xetex texlive-lang-chinese texlive-latex-recommended texlive-pictures fonts-noto-cjk fonts-dejavu-core fonts-symbola fonts-freefont-otf',
};

/** The engine a convgrad document names: its first line is "% !TEX program = xelatex". */
export function engineOf(tex: string): TexEngine {
  return /^% !TEX program = xelatex\n/.test(tex) ? 'xelatex' : 'pdflatex';
}

export type PdfOutcome = { readonly pdf: Buffer } | { readonly missing: string } | { readonly failed: string };

/** 2000-01-01: the date every PDF convgrad makes says it was made on. */
const FIXED_DATE = '946684800';

export function compilePdf(tex: string): PdfOutcome {
  const engine = engineOf(tex);
  if (spawnSync(engine, ['--version'], { stdio: 'ignore' }).status !== 0) {
    return { missing: `${engine} is not installed; install it with: ${TEX_PACKAGES[engine]}` };
  }
  const dir = mkdtempSync(join(tmpdir(), 'convgrad-pdf-'));
  try {
    writeFileSync(join(dir, 'document.tex'), tex);
    const env = { ...process.env, SOURCE_DATE_EPOCH: FIXED_DATE, FORCE_SOURCE_DATE: '1', openin_any: 'p', openout_any: 'p', shell_escape: 'f' };
    const run = spawnSync(engine, ['-interaction=nonstopmode', '-halt-on-error', '-no-shell-escape', 'document.tex'], { cwd: dir, env, encoding: 'utf8', timeout: 120_000 });
    if (run.status !== 0) {
      let log = '';
      try {
        log = readFileSync(join(dir, 'document.log'), 'utf8');
      } catch {
        // no log: the engine did not start
      }
      const error = log.split('\n').find((line) => line.startsWith('!')) ?? (run.error?.message || run.stdout.trim().split('\n').slice(-3).join(' '));
      return { failed: `${engine} failed: ${error}` };
    }
    return { pdf: readFileSync(join(dir, 'document.pdf')) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
