// The playground as a reader first sees it, at 1280 px (σ₁₂ hovered: its window lit, its sum written)
// and on a 390 px phone, and a network of layers: output/playground.png, output/playground.phone.png and
// output/playground.network.png, for the README.
// Run by `npm run screenshot:web` after `npm run web`.
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const page = pathToFileURL(join(root, 'output', 'playground.html')).href;
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--hide-scrollbars'] });
for (const [width, height, name] of [[1280, 860, 'playground.png'], [390, 844, 'playground.phone.png']]) {
  const p = await browser.newPage({ viewport: { width, height } });
  await p.goto(page);
  await p.waitForFunction(() => document.body.dataset.derived !== undefined);
  await p.waitForSelector('#curve svg.curve', { state: 'attached' });
  if (width > 600) await p.locator('figure.xfigure').nth(2).locator('td').nth(1).hover();
  await p.screenshot({ path: join(root, 'output', name) });
  await p.close();
  console.log(`wrote output/${name}`);
}
// A network of layers: the LeNet preset, its layers as cards in the editor.
{
  const p = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  await p.goto(page);
  await p.waitForFunction(() => document.body.dataset.derived !== undefined);
  const before = await p.evaluate(() => document.body.dataset.derived);
  await p.selectOption('#preset', 'preset.lenet');
  await p.waitForFunction((b) => document.body.dataset.derived !== b, before);
  await p.locator('.layers').scrollIntoViewIfNeeded();
  await p.screenshot({ path: join(root, 'output', 'playground.network.png') });
  await p.close();
  console.log('wrote output/playground.network.png');
}
await browser.close();
