import { chromium } from 'playwright-core';
const b = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
const shots = [[1280, 900, 'wide', ''], [390, 844, 'phone', ''], [390, 2400, 'phone-long', '']];
for (const [w, hgt, name, hash] of shots) {
  const p = await b.newPage({ viewport: { width: w, height: hgt } });
  await p.goto('file:///work/wt14/output/playground.html' + hash);
  await p.waitForFunction(() => document.body.dataset.derived !== undefined);
  await p.waitForTimeout(300);
  await p.screenshot({ path: `/tmp/wk/${name}.png` });
  if (name === 'wide') {
    await p.locator('figure.xfigure').nth(2).locator('td').nth(1).hover();
    await p.screenshot({ path: `/tmp/wk/wide-hover.png` });
    await p.evaluate(() => window.scrollTo(0, 1400));
    await p.screenshot({ path: `/tmp/wk/wide-scrolled.png` });
  }
  await p.close();
}
await b.close();
