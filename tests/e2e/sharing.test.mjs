// Keeping and sharing: links, localStorage, JSON import and export.
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { App, expect, eventually } from './app.mjs';

async function shareLink(app, page) {
  await app.button('Share').click();
  const box = page.getByLabel('Share link');
  await box.waitFor();
  const link = await box.inputValue();
  await page.keyboard.press('Escape');
  return link;
}

export const tests = [
  {
    name: 'a shared link opens the same scenario in a fresh page and runs to the same hash',
    async run({ app, page, browser, step, shot }) {
      await app.open();
      step('load the LeetCode example and change the seed');
      await app.example('LeetCode');
      await page.getByLabel('Seed').fill('99');
      await page.getByLabel('Seed').press('Enter');
      const name = await page.getByLabel('Scenario name').inputValue();
      const nodes = await app.nodeList();
      step('Share');
      const link = await shareLink(app, page);
      expect(/#s1\./.test(link), `a codec link: ${link.slice(0, 60)}`);
      await shot('shared');
      step('run it here');
      await app.button('Run to end').click();
      const here = await app.waitForHash();
      step('open the link in a fresh browser context');
      const other = await browser.newContext({ viewport: { width: 1440, height: 900 } });
      const page2 = await other.newPage();
      const app2 = new App(page2, '');
      await page2.goto(link);
      await app2.ready();
      await shot('opened', page2);
      expect((await page2.getByLabel('Scenario name').inputValue()) === name, 'same name');
      expect((await app2.nodeList()).join() === nodes.join(), 'same nodes');
      expect((await page2.getByLabel('Seed').inputValue()) === '99', 'same seed');
      await app2.button('Run to end').click();
      const there = await app2.waitForHash();
      expect(there === here, `same run hash: ${here} vs ${there}`);
      await other.close();
    },
  },
  {
    name: 'a shared link runs to the same hash as `crosstalk run`',
    async run({ app, page, root, step, skip }) {
      const runner = process.env.CROSSTALK_BIN || path.join(root, 'target', 'release', process.platform === 'win32' ? 'crosstalk.exe' : 'crosstalk');
      if (!fs.existsSync(runner)) {
        skip('target/release/crosstalk is not built (cargo build --release --bin crosstalk)');
      }
      await app.open();
      await app.example('Retry storm');
      step('Share and run to end in the browser');
      const link = await shareLink(app, page);
      await app.button('Run to end').click();
      const inBrowser = await app.waitForHash();
      step('run the same link with the command-line runner');
      let out;
      try {
        out = execFileSync(runner, ['run', link, '--json'], { encoding: 'utf8', maxBuffer: 64 << 20 });
      } catch (e) {
        skip(`the runner could not run a link yet: ${String(e.stderr || e.message).split('\n')[0]}`);
      }
      let report;
      try {
        report = JSON.parse(out);
      } catch {
        skip('the runner did not print JSON yet');
      }
      if (!report.run_hash) skip('the runner printed no run_hash yet');
      expect(report.run_hash === inBrowser, `runner ${report.run_hash} vs browser ${inBrowser}`);
    },
  },
  {
    name: 'a broken link shows an alert and keeps the current work',
    async run({ app, page, baseUrl, step, shot }) {
      await app.open();
      step('make some work');
      await page.getByLabel('Scenario name').fill('Keep me');
      await page.getByLabel('Scenario name').press('Enter');
      await eventually(async () => (await app.saved())?.name === 'Keep me', 'saved');
      step('open a damaged link');
      await page.goto('about:blank');
      await page.goto(baseUrl + '#s1.AAAAthis-is-not-a-scenario');
      await app.ready();
      const alert = page.getByRole('alert');
      await alert.waitFor();
      await shot('broken-link');
      expect(/could not be opened/.test(await alert.textContent()), 'says the link could not be opened');
      expect((await page.getByLabel('Scenario name').inputValue()) === 'Keep me', 'the work is kept');
      step('a link from another site is refused the same way');
      await page.goto('about:blank');
      await page.goto(baseUrl + '#hello');
      await app.ready();
      await page.getByRole('alert').waitFor();
      expect((await page.getByLabel('Scenario name').inputValue()) === 'Keep me', 'the work is kept again');
      step('Dismiss');
      await app.button('Dismiss').click();
      expect((await page.getByRole('alert').count()) === 0, 'alert dismissed');
    },
  },
  {
    name: 'a reload never loses work',
    async run({ app, page, step }) {
      await app.open();
      await app.blank();
      await app.dragFromPalette('Saga orchestrator', 200, 200);
      await app.node('Saga orchestrator 1').waitFor();
      step('reload');
      await page.reload();
      await app.ready();
      expect((await app.nodeList()).join() === 'saga:Saga orchestrator 1', `after reload: ${await app.nodeList()}`);
      step('a burst of edits right before a reload is kept');
      await app.select('Saga orchestrator 1');
      const x0 = (await app.saved()).nodes[0].x;
      for (let i = 0; i < 6; i++) await page.keyboard.press('ArrowRight');
      await page.reload();
      await app.ready();
      expect((await app.saved()).nodes[0].x === x0 + 6 * 20, 'all six nudges survived the reload');
      const box = await app.node('Saga orchestrator 1').boundingBox();
      expect(box !== null, 'the node is drawn');
      step('reload without the fragment uses localStorage');
      await page.goto(page.url().split('#')[0]);
      await app.ready();
      expect((await app.nodeList()).join() === 'saga:Saga orchestrator 1', 'kept in localStorage');
    },
  },
  {
    name: 'export and import JSON; a malformed file keeps the current work',
    async run({ app, page, outDir, step, shot }) {
      await app.open();
      step('export');
      await app.button('Export').click();
      const [download] = await Promise.all([page.waitForEvent('download'), app.button('Scenario (JSON)').click()]);
      const file = path.join(outDir, 'exported.json');
      await download.saveAs(file);
      const text = fs.readFileSync(file, 'utf8');
      const doc = JSON.parse(text);
      expect(doc.crosstalk === 1 && doc.nodes.length === 5, 'exported the scenario');
      expect(download.suggestedFilename() === 'payments-with-sms-over-a-queue.json', download.suggestedFilename());
      step('import a malformed file');
      await app.importJson('{"crosstalk": 1, "nodes": [ {"id": "x", "kind": "spaceship"} ]}', 'bad.json');
      const alert = page.getByRole('alert');
      await alert.waitFor();
      await shot('bad-import');
      expect(/bad\.json/.test(await alert.textContent()) && /spaceship/.test(await alert.textContent()), 'names the file and the problem');
      expect((await app.nodes().count()) === 5, 'current work unchanged');
      step('import not-JSON');
      await app.importJson('this is not json', 'notes.txt');
      await eventually(async () => /not valid JSON/.test(await page.getByRole('alert').textContent()), 'says not JSON');
      step('import the exported file over some other work');
      await app.blank();
      await page.getByLabel('Scenario name').fill('Scratch');
      await page.getByLabel('Scenario name').press('Enter');
      await eventually(async () => (await app.saved())?.name === 'Scratch', 'saved');
      await app.importJson(text, 'exported.json');
      await eventually(async () => (await app.nodes().count()) === 5, 'imported back');
      step('the import opened as a scenario of its own: the other work is kept');
      const names = await app.savedNames();
      expect(names[0] === 'Payments with SMS over a queue' && names.includes('Scratch'), `My scenarios: ${names}`);
    },
  },
  {
    name: 'every example opens without problems',
    async run({ app, page, step, shot }) {
      await app.open();
      for (const title of ['Payments, SMS over a queue', 'Payments, SMS over HTTP', 'LeetCode', 'Food ordering', 'Booking saga', 'Retry storm']) {
        step(title);
        await app.example(title);
        await eventually(async () => (await app.nodes().count()) > 2, `${title} has nodes`);
        await page.keyboard.press('Escape');
        // No problem; an example that teaches a design flaw (a retry storm,
        // a timeout longer than its caller's) lists it as a design warning.
        await page.locator('.ok-note, [aria-label="Design warnings"]').first().waitFor();
        expect((await page.locator('.problems li.error').count()) === 0, `${title} has no problem`);
        await shot(title.replace(/\W+/g, '-').toLowerCase());
      }
    },
  },
];

tests.push({
  name: 'a link whose scenario and variant B are both damaged never says the scenario opened',
  async run({ app, page, baseUrl }) {
    await app.open();
    await page.getByLabel('Scenario name').fill('Keep me');
    await page.getByLabel('Scenario name').press('Enter');
    await eventually(async () => (await app.saved())?.name === 'Keep me', 'saved');
    await page.goto('about:blank');
    await page.goto(baseUrl + '#s1.AAAA&b=s1.zzz');
    await app.ready();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    const said = await alert.textContent();
    expect(/could not be opened/.test(said) && /variant B/.test(said), `names both parts: ${said}`);
    expect(!/scenario opened/.test(said), `does not claim the scenario opened: ${said}`);
    expect((await page.getByLabel('Scenario name').inputValue()) === 'Keep me', 'the work is kept');
  },
});
