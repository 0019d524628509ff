// Safety: user text is text, never markup; the Content-Security-Policy lets
// only the app's own script and wasm run.
import { App, expect, eventually } from './app.mjs';

const EVIL = '<img src=x onerror="window.__pwned=1"><b>bold</b><script>window.__pwned=2</script>';

async function noMarkup(page) {
  const injected = await page.evaluate(() => ({
    pwned: window.__pwned,
    imgs: document.querySelectorAll('img').length,
    bolds: document.querySelectorAll('b').length,
    scripts: [...document.querySelectorAll('script')].filter((s) => !s.src).length,
  }));
  expect(injected.pwned === undefined, 'no injected code ran');
  expect(injected.imgs === 0 && injected.bolds === 0 && injected.scripts === 0, `no injected elements: ${JSON.stringify(injected)}`);
}

export const tests = [
  {
    name: 'a label full of HTML is shown as text, here and through a link',
    async run({ app, page, browser, step, shot }) {
      await app.open();
      step('rename a node and the scenario to HTML');
      await app.node('Payments').dblclick();
      await page.getByRole('textbox', { name: 'Rename' }).fill(EVIL);
      await page.getByRole('textbox', { name: 'Rename' }).press('Enter');
      await page.getByLabel('Scenario name').fill(EVIL);
      await page.getByLabel('Scenario name').press('Enter');
      const node = page.locator('g[data-kind="service"][data-id="pay"]');
      await eventually(async () => (await node.getAttribute('aria-label')) === EVIL, 'aria-label is the raw text');
      await app.select('Mobile app');
      await page.getByRole('tab', { name: 'Nodes' }).click();
      await shot('html-label');
      await noMarkup(page);
      expect((await page.locator('.node-table').textContent()).includes('<img src=x'), 'the table shows the text literally');
      step('share and open the link elsewhere');
      await app.button('Share').click();
      const link = await page.getByLabel('Share link').inputValue();
      const other = await browser.newContext();
      const page2 = await other.newPage();
      await page2.goto(link);
      const app2 = new App(page2, '');
      await app2.ready();
      expect((await page2.getByLabel('Scenario name').inputValue()) === EVIL, 'name arrives as text');
      expect((await page2.locator('g[data-id="pay"]').getAttribute('aria-label')) === EVIL, 'label arrives as text');
      await noMarkup(page2);
      await other.close();
    },
  },
  {
    name: 'the Content-Security-Policy allows only the app\'s own script and wasm',
    async run({ app, page, step }) {
      step('collect policy violations from the first byte');
      await page.addInitScript(() => {
        window.__violations = [];
        document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
      });
      await app.open();
      step('the policy is in the page');
      const csp = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
      expect(/script-src 'self' 'wasm-unsafe-eval'/.test(csp), `script-src: ${csp}`);
      expect(!/unsafe-inline/.test(csp) && !/'unsafe-eval'/.test(csp), 'no unsafe-inline or unsafe-eval');
      step('the app itself runs without a single violation');
      await app.select('Payments');
      await app.button('Run to end').click();
      await app.waitForHash();
      expect((await page.evaluate(() => window.__violations)).length === 0, `violations: ${await page.evaluate(() => window.__violations)}`);
      step('an inline script is blocked');
      await page.evaluate(() => {
        const s = document.createElement('script');
        s.textContent = 'window.__inline = 1';
        document.body.appendChild(s);
      });
      await eventually(async () => (await page.evaluate(() => window.__violations.length)) > 0, 'a violation was reported');
      expect((await page.evaluate(() => window.__inline)) === undefined, 'inline script did not run');
      step('an inline event handler is blocked');
      await page.evaluate(() => {
        const b = document.createElement('button');
        b.id = 'inline-handler';
        b.setAttribute('onclick', 'window.__inlineHandler = 1');
        document.body.appendChild(b);
        b.click();
      });
      expect((await page.evaluate(() => window.__inlineHandler)) === undefined, 'inline handler did not run');
      step('a script from elsewhere is blocked');
      await page.evaluate(() => {
        const s = document.createElement('script');
        s.src = 'https://example.com/x.js';
        document.body.appendChild(s);
      });
      await eventually(
        async () => (await page.evaluate(() => window.__violations.some((v) => v.includes('example.com')))),
        'the foreign script was refused',
      );
    },
  },
  {
    name: 'light and dark themes follow the system',
    colorScheme: 'dark',
    async run({ app, page, browser, step, shot }) {
      await app.open();
      await shot('dark');
      const dark = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      step('the light theme differs');
      const light = await browser.newContext({ colorScheme: 'light', viewport: { width: 1440, height: 900 } });
      const p2 = await light.newPage();
      await p2.goto(page.url());
      await new App(p2, '').ready();
      const lightBg = await p2.evaluate(() => getComputedStyle(document.body).backgroundColor);
      await light.close();
      expect(dark !== lightBg, `backgrounds differ: ${dark} vs ${lightBg}`);
    },
  },
  {
    name: 'the layout fits a laptop screen',
    viewport: { width: 1366, height: 768 },
    async run({ app, page, step, shot }) {
      await app.open();
      await shot('laptop');
      step('the results, the canvas and the inspector are all on screen');
      for (const sel of ['.topbar', '.palette', 'svg.canvas', '.inspector', '.results']) {
        const b = await page.locator(sel).boundingBox();
        expect(b && b.y >= 0 && b.y + b.height <= 769 && b.height > 20, `${sel} on screen: ${JSON.stringify(b)}`);
      }
      const top = await page.locator('.topbar').boundingBox();
      expect(top.height < 60, `the top bar is one row (${top.height}px)`);
    },
  },
];
