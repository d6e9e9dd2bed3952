// Builds output/playground.html: the playground page (web/) and convgrad's core, bundled by esbuild
// into one self-contained file that works from file:// with no request. The core runs in a worker
// made from the page's own copy of it (a blob: URL); KaTeX's stylesheet, fonts inlined, comes with the
// first document. Run by `npm run web`; `npm test` runs it before the browser tests.
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
const MAX_BYTES = 3 * 1024 * 1024;

// convgrad's `import katex from 'katex'` gets web/katex-memo.ts, which imports the real one.
const memo = join(root, 'web', 'katex-memo.ts');
const katexMemo = {
  name: 'katex-memo',
  setup(build) {
    build.onResolve({ filter: /^katex$/ }, (args) => (args.importer === memo ? undefined : { path: memo }));
  },
};

async function bundle(entry, extra = {}) {
  const result = await build({
    entryPoints: [join(root, 'web', entry)],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    minify: process.env.MINIFY !== "0",
    legalComments: 'none',
    charset: 'utf8',
    write: false,
    metafile: true,
    define: { __CONVGRAD_VERSION__: JSON.stringify(version) },
    plugins: [katexMemo],
    ...extra,
  });
  return { code: result.outputFiles[0].text, inputs: Object.keys(result.metafile.inputs) };
}

const worker = await bundle('worker.ts');
const app = await bundle('app.ts');
// The seed's document, rendered now by the same code the worker runs.
const prerenderFile = join(tmpdir(), `convgrad-prerender-${process.pid}.mjs`);
await build({ entryPoints: [join(root, 'web', 'prerender.ts')], bundle: true, format: 'esm', platform: 'node', outfile: prerenderFile, logLevel: 'error', define: { __CONVGRAD_VERSION__: JSON.stringify(version) } });
let seed;
try {
  seed = (await import(pathToFileURL(prerenderFile).href)).prerender();
} finally {
  rmSync(prerenderFile, { force: true });
}

// mathjs is a tool of the tests only: nothing of it may reach the page.
for (const input of [...worker.inputs, ...app.inputs]) if (/node_modules\/(mathjs|@tensorflow)\//.test(input)) throw new Error(`the page would bundle ${input}`);

// Nothing in a script may close its <script> element.
const inert = (code) => {
  if (/<!--/.test(code)) throw new Error('a bundle holds "<!--", which would change how its <script> element ends');
  return code.replace(/<\/(script)/gi, '<\\/$1');
};
const fill = (template, values) => template.replace(/\{\{(\w+)\}\}/g, (_, name) => values[name]);
// The seed's document, cut where its first section's second step begins: the part before shows at
// first paint, the rest waits in a <template> (parsed, never laid out) until the page has painted and
// web/app.ts moves it in. The first frame then lays out one screen of formulas, not the whole derivation.
const seedCut = (() => {
  const steps = [...seed.main.matchAll(/<!--c\d+--><h3[ >]/g)];
  const at = steps.length > 1 ? steps[1].index : -1;
  const openSection = at >= 0 && seed.main.lastIndexOf('<section ', at) > seed.main.lastIndexOf('</section>', at);
  if (!openSection) throw new Error('internal error: the seed has no second step inside its first section');
  return at;
})();
const page = fill(readFileSync(join(root, 'web', 'page.html'), 'utf8'), {
  version,
  documentStyles: seed.styles.map((css) => `<style class="document-style">${css}</style>`).join('\n'),
  seed: `${seed.main.slice(0, seedCut)}</section>`,
  seedRestOfSection: seed.main.slice(seedCut, seed.main.indexOf('</section>', seedCut)),
  seedRest: seed.main.slice(seed.main.indexOf('</section>', seedCut) + '</section>'.length),
  css: readFileSync(join(root, 'web', 'page.css'), 'utf8').trimEnd(),
  worker: inert(worker.code),
  app: inert(app.code),
});
mkdirSync(join(root, 'output'), { recursive: true });
const target = join(root, 'output', 'playground.html');
writeFileSync(target, page);
const bytes = statSync(target).size;
if (bytes > MAX_BYTES) throw new Error(`output/playground.html is ${bytes} bytes, over the 3 MB budget`);
console.log(`wrote output/playground.html (${(bytes / 1024 / 1024).toFixed(2)} MB: worker ${(worker.code.length / 1024).toFixed(0)} kB, page ${(app.code.length / 1024).toFixed(0)} kB)`);
