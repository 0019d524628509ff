// The embedded player (`#…&embed`): Share offers the <iframe> code; the
// player shows the diagram, the run controls and a way to the full editor,
// edits nothing, keeps nothing, and fits an iframe and a phone.
import { expect, eventually } from './app.mjs';

/** Share's link and embed code for the LeetCode example. */
async function shareCodes(app, page) {
  await app.open();
  await app.example('LeetCode judge');
  await app.button('Share').click();
  const link = await page.getByLabel('Share link').inputValue();
  const code = await page.getByLabel('Embed code').inputValue();
  await page.getByRole('button', { name: 'Copy embed code' }).click();
  await page.keyboard.press('Escape');
  return { link, code };
}

async function player(size) {
  return async ({ app, page, context, step, shot }) => {
    step('Share offers an iframe with the player link');
    await context.grantPermissions(['clipboard-read', 'clipboard-write']).catch(() => {});
    const { link, code } = await shareCodes(app, page);
    const src = (code.match(/<iframe src="([^"]+)"/) || [])[1]?.replace(/&amp;/g, '&');
    expect(src === `${link}&embed`, `iframe src ${src} for link ${link}`);
    expect(/width="640" height="400"/.test(code) && /title="Crosstalk: LeetCode/.test(code), code);
    const savedBefore = await page.evaluate(() => Object.keys(localStorage).length);

    step(`the player at ${size.width}x${size.height}`);
    const p = await context.newPage();
    await p.setViewportSize(size);
    await p.goto(src);
    await p.getByRole('button', { name: 'Run', exact: true }).waitFor();
    await p.waitForFunction(() => document.querySelectorAll('g[data-kind]').length === 7);
    const open = p.getByRole('link', { name: 'Open in Crosstalk' });
    expect((await open.getAttribute('href')) === link, `Open in Crosstalk goes to ${await open.getAttribute('href')}`);
    expect((await p.getByRole('button', { name: 'Share', exact: true }).count()) === 0, 'no Share in the player');
    expect((await p.getByRole('navigation', { name: 'Palette' }).count()) === 0, 'no palette');
    expect((await p.getByRole('complementary', { name: 'Inspector' }).count()) === 0, 'no inspector');
    expect((await p.getByRole('button', { name: 'Undo' }).count()) === 0, 'no undo');

    step('it fits: no sideways scrolling, the controls and the diagram on screen');
    const fits = await p.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
    expect(fits, 'the page is no wider than the frame');
    for (const el of [p.getByRole('button', { name: 'Run', exact: true }), open, p.getByRole('slider', { name: 'Simulated time' })]) {
      const b = await el.boundingBox();
      expect(b && b.x >= 0 && b.y >= 0 && b.x + b.width <= size.width + 1 && b.y + b.height <= size.height + 1, `on screen: ${JSON.stringify(b)}`);
    }
    const nodes = await p.$$eval('g[data-kind]', (gs) =>
      gs.map((g) => g.getBoundingClientRect()).filter((r) => r.width > 0 && r.left >= 0 && r.top >= 0 && r.right <= innerWidth && r.bottom <= innerHeight).length,
    );
    expect(nodes === 7, `all 7 nodes in the frame (${nodes})`);

    step('it runs');
    await p.getByRole('button', { name: 'Run to end', exact: true }).click();
    await eventually(async () => /Finished/.test((await p.locator('.hud').textContent()) || ''), 'the run finishes', 60_000);
    await shot(`player-${size.width}x${size.height}`, p);

    step('read-only: a drag moves nothing, nothing is saved');
    const before = await p.locator('g[data-kind]').first().getAttribute('transform');
    const box = await p.locator('g[data-kind]').first().boundingBox();
    await p.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await p.mouse.down();
    await p.mouse.move(box.x + box.width / 2 + 80, box.y + box.height / 2 + 40, { steps: 5 });
    await p.mouse.up();
    expect((await p.locator('g[data-kind]').first().getAttribute('transform')) === before, 'the node did not move');
    const savedAfter = await p.evaluate(() => Object.keys(localStorage).length);
    expect(savedAfter === savedBefore, `My scenarios unchanged (${savedBefore} -> ${savedAfter} keys)`);
    expect(p.url().endsWith('&embed'), `the player keeps its link: ${p.url()}`);
  };
}

export const tests = [
  {
    name: 'a lesson link with embed opens the lesson in the player',
    viewport: { width: 640, height: 400 },
    async run({ app, page, shot }) {
      await app.open('#lesson=retry-storm&step=2&embed');
      await page.getByRole('heading', { name: /Retry storm/ }).first().waitFor();
      await page.getByRole('button', { name: 'Run to end', exact: true }).waitFor();
      const href = await page.getByRole('link', { name: 'Open in Crosstalk' }).getAttribute('href');
      expect(/#lesson=retry-storm&step=2$/.test(href), `the editor link keeps the lesson: ${href}`);
      const drawn = await page.$$eval('g[data-kind]', (gs) => gs.filter((g) => g.getBoundingClientRect().width > 0).length);
      expect(drawn > 0, 'the lesson diagram is drawn');
      expect((await page.getByRole('button', { name: 'Share', exact: true }).count()) === 0, 'no Share in the player');
      await shot('lesson-player');
    },
  },
  { name: 'Share offers an iframe; the player fits 640x400', run: await player({ width: 640, height: 400 }) },
  { name: 'the player fits a phone (390x844)', run: await player({ width: 390, height: 844 }) },
];
