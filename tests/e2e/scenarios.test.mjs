// My scenarios: every scenario the user worked on is kept, whatever else
// they open (links, examples, files, New), and storage trouble gets a
// message, never a blank page.
import { App, expect, eventually } from './app.mjs';

/** A share link to an example, made in a browser of its own. */
async function linkTo(browser, baseUrl, example) {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  const app = new App(page, baseUrl);
  await app.open();
  await app.example(example);
  await app.button('Share').click();
  const link = await page.getByLabel('Share link').inputValue();
  await context.close();
  return link;
}

async function rename(page, name) {
  await page.getByLabel('Scenario name').fill(name);
  await page.getByLabel('Scenario name').press('Enter');
}

/** Builds a two-node scenario named `name` from a blank page. */
async function build(app, page, name) {
  await app.blank();
  await app.dragFromPalette('Client', 160, 200);
  await app.dragFromPalette('Service', 460, 200);
  await app.connect('Client 1', 'Service 1');
  await rename(page, name);
  await eventually(async () => (await app.saved())?.name === name && (await app.saved()).links.length === 1, 'saved');
}

/** The banner that stays until dismissed (toasts are alerts too). */
const banner = (page) => page.locator('.alert[role="alert"]');

/** Opens the page without running the app, to set up its storage. */
async function atOrigin(page, baseUrl) {
  await page.goto(baseUrl + 'robots.txt');
}

export const tests = [
  {
    name: 'a shared link opened in another page does not replace the scenario built here',
    async run({ app, page, context, browser, baseUrl, step, shot }) {
      const link = await linkTo(browser, baseUrl, 'Retry storm');
      await app.open();
      step('build a scenario');
      await build(app, page, 'My build');
      step('open a shared link in another page of the same browser');
      const page2 = await context.newPage();
      const app2 = new App(page2, baseUrl);
      await page2.goto(link);
      await app2.ready();
      expect((await page2.getByLabel('Scenario name').inputValue()).startsWith('Retry storm'), 'the link opened');
      await shot('link-opened', page2);
      step('come back and reload: the built scenario is still here');
      await page.bringToFront();
      await page.reload();
      await app.ready();
      expect((await page.getByLabel('Scenario name').inputValue()) === 'My build', 'the build survived');
      expect((await app.nodeList()).join() === 'client:Client 1,service:Service 1', `nodes: ${await app.nodeList()}`);
      step('My scenarios lists both, and the build opens from the other page');
      const dialog = await app2.myScenarios();
      await shot('my-scenarios', page2);
      const names = await dialog.locator('.saved-name').allTextContents();
      expect(names.includes('My build') && names.some((n) => n.startsWith('Retry storm')), `listed: ${names}`);
      await dialog.getByRole('button', { name: 'Open My build' }).click();
      await eventually(async () => (await page2.getByLabel('Scenario name').inputValue()) === 'My build', 'opened');
      expect((await app2.nodeList()).join() === 'client:Client 1,service:Service 1', 'with its nodes');
      expect((await page2.getByRole('dialog', { name: 'My scenarios' }).count()) === 0, 'the list closes');
      step('the same link opened again reopens its unedited entry instead of adding a copy');
      await page2.goto(link);
      await app2.ready();
      const again = await app2.savedNames();
      expect(again.filter((n) => n.startsWith('Retry storm')).length === 1, `one copy: ${again}`);
    },
  },
  {
    name: 'an example or New opens as a scenario of its own; rename and delete ask nothing of the rest',
    async run({ app, page, step, shot }) {
      await app.open();
      step('edit the starter');
      await rename(page, 'Payments, my version');
      await app.select('Payments');
      await page.getByLabel('Workers', { exact: true }).fill('3');
      await page.getByLabel('Workers', { exact: true }).press('Enter');
      await eventually(async () => (await app.saved()).nodes.find((n) => n.id === 'pay').workers === 3, 'saved');
      step('open an example');
      await app.example('LeetCode');
      await eventually(async () => /LeetCode/.test(await page.getByLabel('Scenario name').inputValue()), 'example open');
      expect(!(await app.button('Undo').isEnabled()), 'a fresh history: Undo cannot reach the other scenario');
      let names = await app.savedNames();
      expect(names.length === 2 && names[0].startsWith('LeetCode') && names[1] === 'Payments, my version', `listed: ${names}`);
      step('a blank page left untouched leaves nothing behind');
      await app.blank();
      await app.example('Booking saga');
      names = await app.savedNames();
      expect(names.length === 3 && !names.includes('Untitled'), `no empty entry: ${names}`);
      step('rename another scenario from the list');
      let dialog = await app.myScenarios();
      await dialog.getByRole('button', { name: 'Rename Payments, my version' }).click();
      const box = dialog.getByRole('textbox', { name: 'New name for Payments, my version' });
      await box.fill('Payments v2');
      await box.press('Enter');
      await dialog.getByText('Payments v2', { exact: true }).waitFor();
      await shot('renamed');
      step('delete asks first; Cancel keeps it');
      await dialog.getByRole('button', { name: /^Delete LeetCode/ }).click();
      await dialog.getByText(/This cannot be undone/).waitFor();
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      expect((await dialog.locator('.saved-name').allTextContents()).some((n) => n.startsWith('LeetCode')), 'kept');
      await dialog.getByRole('button', { name: /^Delete LeetCode/ }).click();
      await dialog.getByRole('button', { name: /^Yes, delete LeetCode/ }).click();
      await eventually(async () => !(await dialog.locator('.saved-name').allTextContents()).some((n) => n.startsWith('LeetCode')), 'deleted');
      step('the renamed one opens with its edit');
      await dialog.getByRole('button', { name: 'Open Payments v2' }).click();
      await eventually(async () => (await page.getByLabel('Scenario name').inputValue()) === 'Payments v2', 'opened');
      await app.select('Payments');
      expect((await page.getByLabel('Workers', { exact: true }).inputValue()) === '3', 'the edit is there');
      step('the page shown cannot be lost: deleting it opens another');
      dialog = await app.myScenarios();
      await dialog.getByRole('button', { name: 'Delete Payments v2' }).click();
      await dialog.getByRole('button', { name: 'Yes, delete Payments v2' }).click();
      await eventually(async () => /Booking saga/.test(await page.getByLabel('Scenario name').inputValue()), 'the next one opened');
    },
  },
  {
    name: 'the old single autosave moves into My scenarios',
    async run({ app, page, baseUrl, step }) {
      step('a browser that used the earlier version');
      await atOrigin(page, baseUrl);
      await page.evaluate(() => {
        localStorage.clear();
        localStorage.setItem(
          'crosstalk.scenario',
          JSON.stringify({ crosstalk: 1, name: 'Work from before', nodes: [{ id: 'api', kind: 'service', x: 100, y: 100 }], links: [] }),
        );
      });
      await app.open();
      expect((await page.getByLabel('Scenario name').inputValue()) === 'Work from before', 'the old work is shown');
      const names = await app.savedNames();
      expect(names.join() === 'Work from before', `listed: ${names}`);
      expect((await page.evaluate(() => localStorage.getItem('crosstalk.scenario'))) === null, 'the old key is gone');
    },
  },
  {
    name: 'damaged or full storage gives a message and loses nothing on screen',
    async run({ app, page, baseUrl, step, shot }) {
      await app.open();
      await rename(page, 'Precious');
      await eventually(async () => (await app.saved())?.name === 'Precious', 'saved');
      step('a damaged list is rebuilt from the scenarios, with a message');
      await page.evaluate(() => localStorage.setItem('crosstalk.scenarios', '{"entries": [oops'));
      await page.reload();
      await app.ready();
      const alert = banner(page);
      await alert.waitFor();
      expect(/damaged/.test(await alert.textContent()) && /rebuilt/.test(await alert.textContent()), await alert.textContent());
      expect((await page.getByLabel('Scenario name').inputValue()) === 'Precious', 'the work is shown');
      await shot('rebuilt');
      await app.button('Dismiss').click();
      step('a scenario stored but missing from the list (two tabs saving at once) is listed again');
      await page.evaluate(() => localStorage.setItem('crosstalk.scenarios', '{"entries": []}'));
      expect((await app.savedNames()).includes('Precious'), 'listed again');
      step('a damaged scenario is named when opened and left alone');
      await app.example('Retry storm');
      const broken = await page.evaluate(() => {
        const ix = JSON.parse(localStorage.getItem('crosstalk.scenarios'));
        const e = ix.entries.find((x) => x.name === 'Precious');
        localStorage.setItem('crosstalk.scenario.' + e.id, '{"crosstalk": 1, "nodes": [{"id": 5}]');
        return e.id;
      });
      const dialog = await app.myScenarios();
      await dialog.getByRole('button', { name: 'Open Precious' }).click();
      await eventually(async () => /Precious.*could not be opened/.test(await banner(page).textContent()), 'named');
      expect(/Retry storm/.test(await page.getByLabel('Scenario name').inputValue()), 'the page still shows its work');
      expect((await page.evaluate((id) => localStorage.getItem('crosstalk.scenario.' + id), broken)) !== null, 'not deleted');
      await page.keyboard.press('Escape');
      step('full storage: the edit stays on screen and a message says it is not saved');
      await page.evaluate(() => {
        Storage.prototype.setItem = function () {
          throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
        };
      });
      await rename(page, 'Edited while full');
      await eventually(async () => /storage is full/.test(await banner(page).textContent()), 'says storage is full');
      expect((await page.getByLabel('Scenario name').inputValue()) === 'Edited while full', 'the edit is on screen');
      await shot('full');
    },
  },
  {
    name: 'a full list of My scenarios says so instead of dropping work',
    async run({ app, page, baseUrl, step }) {
      step('fifty scenarios of work');
      await atOrigin(page, baseUrl);
      await page.evaluate(() => {
        localStorage.clear();
        const entries = [];
        for (let i = 0; i < 50; i++) {
          const id = 's' + (1000 + i).toString(36);
          entries.push({ id, name: `Work ${i}`, edited_ms: 1.7e12 + i });
          localStorage.setItem('crosstalk.scenario.' + id, JSON.stringify({ crosstalk: 1, name: `Work ${i}`, nodes: [], links: [] }));
        }
        localStorage.setItem('crosstalk.scenarios', JSON.stringify({ entries }));
      });
      await app.open();
      expect((await page.getByLabel('Scenario name').inputValue()) === 'Work 49', 'the last edited opens');
      step('opening an example says the list is full; no work is dropped');
      await app.example('LeetCode');
      const alert = banner(page);
      await alert.waitFor();
      expect(/full \(50 scenarios\)/.test(await alert.textContent()), await alert.textContent());
      const count = await page.evaluate(() => JSON.parse(localStorage.getItem('crosstalk.scenarios')).entries.length);
      expect(count === 50, `still 50: ${count}`);
    },
  },
];
