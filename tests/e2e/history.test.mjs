// Undo and redo: every edit, by keyboard and by button, at least 100 steps.
import { expect, eventually } from './app.mjs';

const count = (app) => app.nodes().count();

export const tests = [
  {
    name: 'undo and redo every kind of edit',
    async run({ app, page, step, shot }) {
      await app.open();
      await app.blank();
      step('add two nodes and connect them');
      await app.dragFromPalette('Client', 120, 150);
      await app.dragFromPalette('Service', 420, 150);
      await app.connect('Client 1', 'Service 1');
      await eventually(async () => (await app.links().count()) === 1, 'linked');
      step('edit a field');
      await app.select('Service 1');
      await page.getByLabel('Workers', { exact: true }).fill('4');
      await page.getByLabel('Workers', { exact: true }).press('Enter');
      await eventually(async () => /4 workers/.test(await app.node('Service 1').textContent()), '4 workers');
      step('rename');
      await app.node('Service 1').dblclick();
      await page.getByRole('textbox', { name: 'Rename' }).fill('API');
      await page.getByRole('textbox', { name: 'Rename' }).press('Enter');
      await app.node('API').waitFor();
      step('delete the client');
      await app.select('Client 1');
      await page.keyboard.press('Delete');
      await eventually(async () => (await count(app)) === 1, 'client deleted');
      await shot('after-edits');

      step('Ctrl+Z undoes the delete, the rename, the field, the link, the nodes');
      await page.keyboard.press('Control+z');
      await eventually(async () => (await count(app)) === 2 && (await app.links().count()) === 1, 'delete undone');
      await page.keyboard.press('Control+z');
      await app.node('Service 1').waitFor();
      await page.keyboard.press('Control+z');
      await eventually(async () => /1 worker\b/.test(await app.node('Service 1').textContent()), 'field undone');
      await page.keyboard.press('Control+z');
      await eventually(async () => (await app.links().count()) === 0, 'link undone');
      await page.keyboard.press('Control+z');
      await page.keyboard.press('Control+z');
      await eventually(async () => (await count(app)) === 0, 'nodes undone');

      step('Ctrl+Shift+Z and Ctrl+Y redo');
      await page.keyboard.press('Control+Shift+Z');
      await eventually(async () => (await count(app)) === 1, 'redo one node');
      await page.keyboard.press('Control+y');
      await eventually(async () => (await count(app)) === 2, 'redo two nodes');
      step('the buttons do the same');
      await app.button('Redo').click();
      await eventually(async () => (await app.links().count()) === 1, 'redo link by button');
      await app.button('Undo').click();
      await eventually(async () => (await app.links().count()) === 0, 'undo link by button');
      await shot('after-undo');
    },
  },
  {
    name: 'Ctrl+Z right after typing in a field undoes that field',
    async run({ app, page, step }) {
      await app.open();
      await app.select('Mobile app');
      const rate = page.getByLabel('Rate', { exact: true });
      step('type a rate and press Ctrl+Z while still in the box');
      await rate.fill('75');
      await eventually(async () => /75\/s/.test(await app.node('Mobile app').textContent()), 'rate applied while typing');
      await rate.press('Control+z');
      await eventually(async () => /50\/s/.test(await app.node('Mobile app').textContent()), 'rate undone');
      expect((await rate.inputValue()) === '50', 'the box shows the undone value');
    },
  },
  {
    name: 'a drag is one undo step',
    async run({ app, page, step }) {
      await app.open();
      const start = await app.center('Payments');
      step('drag in many small moves');
      await page.mouse.move(start.x, start.y);
      await page.mouse.down();
      for (let i = 1; i <= 20; i++) await page.mouse.move(start.x + i * 10, start.y + i * 5);
      await page.mouse.up();
      const moved = await app.center('Payments');
      expect(moved.x - start.x > 150, 'moved');
      step('one Ctrl+Z puts it back');
      await page.keyboard.press('Control+z');
      const back = await app.center('Payments');
      expect(Math.abs(back.x - start.x) < 1 && Math.abs(back.y - start.y) < 1, 'back where it was');
    },
  },
  {
    name: 'more than a hundred steps can be undone',
    async run({ app, page, step }) {
      await app.open();
      await app.select('SMS DLQ');
      const x0 = (await app.saved()).nodes.find((n) => n.id === 'sms_dlq').x;
      step('nudge 110 times with the arrow key');
      await page.locator('svg.canvas').focus();
      for (let i = 0; i < 110; i++) await page.keyboard.press('ArrowRight');
      await eventually(async () => (await app.saved()).nodes.find((n) => n.id === 'sms_dlq').x === x0 + 110 * 20, 'nudged 110 times');
      step('undo 105 times');
      for (let i = 0; i < 105; i++) await page.keyboard.press('Control+z');
      await eventually(async () => (await app.saved()).nodes.find((n) => n.id === 'sms_dlq').x === x0 + 5 * 20, 'undid 105 nudges');
    },
  },
];
