// Room for the diagram: panels that collapse, results that resize, a Fit
// that keeps labels readable, whole text on hover and focus; and the phone
// layout, where the diagram fills the width and panels open as sheets.
import { expect, eventually } from './app.mjs';

const DESK = { width: 1400, height: 900 };
const PHONE = { width: 390, height: 844 };

async function canvasSize(app) {
  const b = await app.canvas().boundingBox();
  return { w: Math.round(b.width), h: Math.round(b.height) };
}

async function noHorizontalOverflow(page, where) {
  const { sw, iw } = await page.evaluate(() => ({ sw: document.documentElement.scrollWidth, iw: window.innerWidth }));
  expect(sw <= iw, `${where}: the page is ${sw} px wide in a ${iw} px window`);
}

/** A panel's toggle, found by its visible name in the Panels toolbar. */
function toggle(page, name) {
  return page.getByRole('toolbar', { name: 'Panels' }).getByRole('button', { name, exact: true });
}

export const tests = [
  {
    name: 'palette, inspector and results collapse by button and shortcut; the canvas grows',
    viewport: DESK,
    async run({ app, page, step, shot }) {
      await app.open();
      const start = await canvasSize(app);
      step('the toggles say what they do and their shortcut');
      for (const [name, key] of [['Palette', 'P'], ['Inspector', 'I'], ['Results', 'R']]) {
        const b = toggle(page, name);
        expect((await b.getAttribute('aria-expanded')) === 'true', `${name} starts open`);
        expect((await b.getAttribute('title')).includes(`Alt+Shift+${key}`), `${name}'s title shows its shortcut`);
      }
      step('hide the palette with its button');
      await toggle(page, 'Palette').click();
      await eventually(async () => !(await page.getByRole('navigation', { name: 'Palette' }).isVisible()), 'palette hidden');
      expect((await toggle(page, 'Palette').getAttribute('aria-expanded')) === 'false', 'the button says it is closed');
      step('hide the inspector and the results with the keyboard');
      await app.canvas().focus();
      await page.keyboard.press('Alt+Shift+KeyI');
      await page.keyboard.press('Alt+Shift+KeyR');
      await eventually(async () => !(await app.inspector().isVisible()), 'inspector hidden');
      await eventually(async () => !(await page.getByRole('tablist', { name: 'Result views' }).isVisible()), 'result tabs hidden');
      expect(await page.getByText('Run hash', { exact: true }).isVisible(), 'the headline figures stay');
      const roomy = await canvasSize(app);
      await shot('collapsed');
      expect(roomy.w >= start.w + 400 && roomy.h >= start.h + 120, `the canvas grew from ${JSON.stringify(start)} to ${JSON.stringify(roomy)}`);
      step('and back');
      await page.keyboard.press('Alt+Shift+KeyP');
      await toggle(page, 'Inspector').click();
      await toggle(page, 'Results').click();
      await page.getByRole('navigation', { name: 'Palette' }).waitFor();
      await app.inspector().waitFor();
      await page.getByRole('tablist', { name: 'Result views' }).waitFor();
    },
  },
  {
    name: 'the results panel resizes by dragging its handle and with the arrow keys',
    viewport: DESK,
    async run({ app, page, step }) {
      await app.open();
      const results = page.getByRole('region', { name: 'Results' });
      const handle = page.getByRole('separator', { name: 'Resize results' });
      const h0 = (await results.boundingBox()).height;
      step('arrow keys');
      await handle.focus();
      await page.keyboard.press('ArrowUp');
      await page.keyboard.press('ArrowUp');
      await page.keyboard.press('ArrowUp');
      const now = Number(await handle.getAttribute('aria-valuenow'));
      const h1 = (await results.boundingBox()).height;
      expect(h1 > h0 + 40, `taller by keys: ${h0} -> ${h1} (aria-valuenow ${now})`);
      await page.keyboard.press('Home');
      const low = (await results.boundingBox()).height;
      expect(low < h0, `Home makes it smallest: ${low}`);
      const lowValue = Number(await handle.getAttribute('aria-valuenow'));
      step('drag the handle up by 150 px');
      const b = await handle.boundingBox();
      await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2);
      await page.mouse.down();
      await page.mouse.move(b.x + b.width / 2, b.y - 75, { steps: 3 });
      await page.mouse.move(b.x + b.width / 2, b.y - 150, { steps: 3 });
      await page.mouse.up();
      const h2 = (await results.boundingBox()).height;
      expect(Math.abs(h2 - low - 150) < 12, `dragged 150 px taller: ${low} -> ${h2}`);
      const value = Number(await handle.getAttribute('aria-valuenow'));
      expect(Math.abs(value - lowValue - 150) < 12, `the handle reports the new height: ${lowValue} -> ${value}`);
    },
  },
  {
    name: 'Fit keeps labels readable on a wide diagram and shows where it starts; cut text shows whole on hover and focus',
    viewport: DESK,
    async run({ app, page, step, shot }) {
      await app.open();
      await app.example('Food ordering');
      step('Fit');
      await app.button('Fit').click();
      const zoom = parseInt(await page.locator('.zoom-level').textContent(), 10);
      expect(zoom >= 75, `Fit stops at a readable zoom: ${zoom}%`);
      const label = await app.node('Kitchen').locator('.node-label').boundingBox();
      expect(label.height >= 9, `a node name is ${label.height} px tall`);
      step('too wide to fit, it shows where it starts: the customers whole at the left, the rest to pan to');
      const box = await app.canvas().boundingBox();
      const first = await app.node('Hungry people').boundingBox();
      expect(first.x >= box.x && first.x < box.x + box.width / 4, `the first node at the left: ${first.x} in ${JSON.stringify(box)}`);
      const last = await app.node('Customer phones').boundingBox();
      expect(last.x > box.x + box.width, 'the last node is further right, past the edge');
      const c = await app.center('Kitchen');
      expect(c.x > box.x && c.x < box.x + box.width, 'the kitchen is in sight');
      step('hover a node whose settings are cut: the whole text shows');
      const cut = await app.node('Kitchen').locator('.node-sub').textContent();
      expect(cut.endsWith('…'), `the settings are cut on the canvas: ${cut}`);
      await app.node('Kitchen').hover();
      const tip = page.getByRole('tooltip');
      await tip.waitFor();
      const whole = await tip.textContent();
      expect(whole.includes('Kitchen') && whole.includes(cut.slice(0, -1)) && whole.length > cut.length + 7, `the tooltip has the whole text: ${whole}`);
      await shot('tooltip');
      step('focus shows it too');
      await page.mouse.move(5, 5);
      await eventually(async () => (await tip.count()) === 0, 'the tooltip goes with the pointer');
      await app.node('Kitchen').focus();
      await tip.waitFor();
      step('the scenario name shows whole on hover (title)');
      const name = page.getByLabel('Scenario name');
      expect((await name.getAttribute('title')) === (await name.inputValue()), 'the name box carries the whole name');
    },
  },
  {
    name: 'on a phone the diagram fills the width, nothing overflows, Run, watch and Share work, panels are sheets',
    viewport: PHONE,
    async run({ app, page, step, shot }) {
      await page.goto(app.baseUrl);
      await page.getByRole('button', { name: 'Run', exact: true }).waitFor();
      step('the canvas is there and fills the width');
      const size = await canvasSize(app);
      expect(size.w >= 300 && size.h >= 300, `canvas ${JSON.stringify(size)}`);
      await noHorizontalOverflow(page, 'first load');
      expect(await app.node('Payments').isVisible(), 'a node is drawn');
      await shot('phone');
      step('Run and watch');
      await app.button('Run').click();
      await page.locator('.hud:not(.idle)').waitFor();
      await eventually(async () => (await app.clock()).now > 0.5, 'simulated time passes');
      await noHorizontalOverflow(page, 'running');
      step('the results open as a sheet');
      await toggle(page, 'Results').click();
      const results = page.getByRole('region', { name: 'Results' });
      await results.waitFor();
      const rb = await results.boundingBox();
      expect(rb.x >= 0 && rb.x + rb.width <= PHONE.width + 1 && rb.y + rb.height <= PHONE.height + 1, `results sheet within the screen: ${JSON.stringify(rb)}`);
      expect(await page.getByText('OK', { exact: true }).first().isVisible(), 'headline figures visible');
      await shot('phone-results');
      await noHorizontalOverflow(page, 'results open');
      step('one sheet at a time: the palette replaces the results');
      await toggle(page, 'Palette').click();
      await page.getByRole('navigation', { name: 'Palette' }).waitFor();
      expect(!(await results.isVisible()), 'the results sheet closed');
      step('a block clicked in the palette sheet lands on the canvas, and the sheet closes');
      const before = await app.nodes().count();
      await app.paletteItem('Queue').click();
      await eventually(async () => (await app.nodes().count()) === before + 1, 'a node was added');
      await eventually(async () => !(await page.getByRole('navigation', { name: 'Palette' }).isVisible()), 'the sheet closed');
      step('Share');
      await app.button('Share').click();
      const link = page.getByLabel('Share link');
      await link.waitFor();
      const lb = await link.boundingBox();
      expect(lb.x >= 0 && lb.x + lb.width <= PHONE.width, `the link box fits the screen: ${JSON.stringify(lb)}`);
      expect((await link.inputValue()).includes('#'), 'a link with the scenario');
      await shot('phone-share');
      await noHorizontalOverflow(page, 'share open');
    },
  },
];

tests.push({
  name: "on a phone the results sheet shows every figure within the screen, and charts at their own text size",
  viewport: PHONE,
  async run({ app, page, step, shot }) {
    await app.open();
    await app.button('Run to end').click();
    await app.waitForHash();
    await app.button('Results').click();
    const results = page.getByRole('region', { name: 'Results' });
    await results.waitFor();
    step('every figure of Requests, Latency and Messages is inside the screen');
    const outside = await page.$$eval('.results .stat', (els) =>
      els
        .filter((e) => e.offsetParent !== null)
        .map((e) => [e.querySelector('.stat-label')?.textContent || e.textContent.trim().slice(0, 20), e.getBoundingClientRect()])
        .filter(([, r]) => r.left < 0 || r.right > window.innerWidth + 1)
        .map(([name, r]) => `${name} at ${Math.round(r.left)}–${Math.round(r.right)}`),
    );
    expect(outside.length === 0, `figures off the screen: ${outside.join(', ')}`);
    expect(await results.getByText('p99', { exact: true }).isVisible(), 'p99 is shown');
    step('a chart is drawn at the width it is shown, so its text keeps its size');
    const stretch = await page.$eval('.chart svg', (svg) => svg.getBoundingClientRect().width / svg.viewBox.baseVal.width);
    expect(stretch > 0.8 && stretch < 1.25, `the chart is stretched ×${stretch.toFixed(2)}`);
    await shot('phone-results');
  },
});
