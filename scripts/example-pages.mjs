// npm run pages:examples: each network example's PDF (A4, pdflatex) typeset, and its first page as the
// PNG the README shows: examples/NAME.pdf-page-1.png.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const examples = readdirSync('examples').filter((f) => f.endsWith('.json'));
const dir = mkdtempSync(join(tmpdir(), 'convgrad-pages-'));
for (const file of examples) {
  const name = file.replace(/\.json$/, '');
  execFileSync(process.execPath, ['bin/convgrad.js', 'derive', join('examples', file), '--format', 'pdf', '--out', dir], { stdio: 'pipe' });
  execFileSync('pdftoppm', ['-png', '-r', '100', '-f', '1', '-l', '1', '-singlefile', join(dir, `${name}.pdf`), join('examples', `${name}.pdf-page-1`)]);
  console.log(`wrote examples/${name}.pdf-page-1.png`);
}
rmSync(dir, { recursive: true });
