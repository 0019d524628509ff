// Editing habits from Excalidraw and draw.io: copy, paste, duplicate,
// select all, zoom keys, palette clicks into free space, links from any
// side, moving a link's end, dead-letter queues as dashed links; and the
// actions within reach: the context menu and the running node's card.
import { expect, eventually } from './app.mjs';

const DESK = { width: 1400, height: 900 };

function overlap(a, b) {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

/** A link as its aria-label names it: "caption: From → To". */
function linkBetween(page, from, to) {
  return page.locator(`g.link[aria-label$="${from} → ${to}"]`);
}

export const tests = [
  {
    name: 'Ctrl+C / Ctrl+V copy nodes with the links between them; Ctrl+D duplicates; Ctrl+Z undoes each in one step',
    viewport: DESK,
    async run({ app, page, step, shot }) {
      await app.open();
      const nodes0 = await app.nodes().count();
      const links0 = await app.links().count();
      step('select Payments and SMS jobs, copy, paste');
      await app.select('Payments');
      await app.node('SMS jobs').click({ modifiers: ['Shift'] });
      await page.keyboard.press('Control+c');
      await page.keyboard.press('Control+v');
      await app.node('Payments 2').waitFor();
      await app.node('SMS jobs 2').waitFor();
      expect((await app.nodes().count()) === nodes0 + 2, 'two nodes pasted');
      expect((await app.links().count()) === links0 + 1, 'the link between them came along, no other');
      expect((await linkBetween(page, 'Payments 2', 'SMS jobs 2').count()) === 1, 'the copies are linked');
      expect((await page.locator('g[data-kind][aria-selected="true"]').count()) === 2, 'the copies are selected');
      const a = await app.node('Payments').boundingBox();
      const b = await app.node('Payments 2').boundingBox();
      expect(b.x > a.x && b.y > a.y, 'pasted beside the original');
      await shot('pasted');
      step('paste again: a third, further along');
      await page.keyboard.press('Control+v');
      await app.node('Payments 3').waitFor();
      step('Ctrl+Z takes the last paste back in one step');
      await page.keyboard.press('Control+z');
      await eventually(async () => (await app.node('Payments 3').count()) === 0, 'third copy gone');
      expect((await app.nodes().count()) === nodes0 + 2, 'only that paste was undone');
      step('Ctrl+D duplicates the selected node');
      await app.select('SMS sender');
      await page.keyboard.press('Control+d');
      await app.node('SMS sender 2').waitFor();
      expect((await app.saved()).nodes.find((n) => n.label === 'SMS sender 2').workers === 4, 'settings came along');
      await page.keyboard.press('Control+z');
      await eventually(async () => (await app.node('SMS sender 2').count()) === 0, 'undone');
      step('Ctrl+A selects everything');
      await app.canvas().focus();
      await page.keyboard.press('Control+a');
      expect((await page.locator('g[data-kind][aria-selected="true"]').count()) === (await app.nodes().count()), 'all selected');
    },
  },
  {
    name: 'Ctrl+= / Ctrl+- / Ctrl+0 zoom the diagram, not the page',
    viewport: DESK,
    async run({ app, page, step }) {
      await app.open();
      const level = page.locator('.zoom-level');
      const read = async () => parseInt(await level.textContent(), 10);
      await app.canvas().focus();
      const z0 = await read();
      step('Ctrl+=');
      await page.keyboard.press('Control+Equal');
      const z1 = await read();
      expect(z1 > z0, `zoomed in ${z0} -> ${z1}`);
      step('Ctrl+-');
      await page.keyboard.press('Control+Minus');
      await page.keyboard.press('Control+Minus');
      expect((await read()) < z1, 'zoomed out');
      step('Ctrl+0');
      await page.keyboard.press('Control+Digit0');
      expect((await read()) === 100, 'back to 100%');
      expect((await page.evaluate(() => window.visualViewport.scale)) === 1, 'the page itself did not zoom');
    },
  },
  {
    name: 'clicking palette entries places each block in free space, not stacked',
    viewport: DESK,
    async run({ app, page, step, shot }) {
      await app.open();
      step('click Service three times and Queue once');
      for (const title of ['Service', 'Service', 'Service', 'Queue']) await app.paletteItem(title).click();
      const added = ['Service 1', 'Service 2', 'Service 3', 'Queue 1'];
      for (const l of added) await app.node(l).waitFor();
      const boxes = [];
      for (const label of await page.$$eval('g[data-kind]', (gs) => gs.map((g) => g.getAttribute('aria-label')))) {
        boxes.push({ label, box: await app.node(label).boundingBox() });
      }
      await shot('placed');
      const canvas = await app.canvas().boundingBox();
      for (const l of added) {
        const me = boxes.find((b) => b.label === l).box;
        expect(me.x >= canvas.x && me.x + me.width <= canvas.x + canvas.width, `${l} is on the visible canvas`);
        for (const other of boxes.filter((b) => b.label !== l)) {
          expect(!overlap(me, other.box), `${l} does not overlap ${other.label}`);
        }
      }
    },
  },
  {
    name: 'links start from any side of a node, and a link end dragged to another node moves there (one undo step)',
    viewport: DESK,
    async run({ app, page, step, shot }) {
      await app.open();
      await app.blank();
      await app.dragFromPalette('Client', 150, 120);
      await app.dragFromPalette('Service', 150, 360);
      await app.dragFromPalette('Service', 520, 360);
      step('from the client\'s bottom handle to the service below it');
      await app.select('Client 1');
      await app.node('Client 1').locator('[data-handle="bottom"]').dragTo(app.node('Service 1'));
      await eventually(async () => (await linkBetween(page, 'Client 1', 'Service 1').count()) === 1, 'linked from the bottom');
      step('and from the left handle of Service 2 back... to Service 1 (a call)');
      await app.select('Service 2');
      await app.node('Service 2').locator('[data-handle="left"]').dragTo(app.node('Service 1'));
      await eventually(async () => (await linkBetween(page, 'Service 2', 'Service 1').count()) === 1, 'linked from the left');
      step('select the client link and drag its arrow end to Service 2');
      await linkBetween(page, 'Client 1', 'Service 1').locator('.link-caption').click();
      const end = page.locator('circle.end-handle[data-end="to"]');
      await end.waitFor();
      await shot('end-handles');
      const from = await end.boundingBox();
      const to = await app.center('Service 2');
      await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
      await page.mouse.down();
      await page.mouse.move((from.x + to.x) / 2, (from.y + to.y) / 2, { steps: 4 });
      await page.mouse.move(to.x, to.y, { steps: 4 });
      await page.mouse.up();
      await eventually(async () => (await linkBetween(page, 'Client 1', 'Service 2').count()) === 1, 'the link moved to Service 2');
      expect((await linkBetween(page, 'Client 1', 'Service 1').count()) === 0, 'and left Service 1');
      await shot('relinked');
      step('one Ctrl+Z puts it back');
      await page.keyboard.press('Control+z');
      await eventually(async () => (await linkBetween(page, 'Client 1', 'Service 1').count()) === 1, 'back on Service 1');
      step('an end dropped where no link may go is refused with a reason');
      await linkBetween(page, 'Client 1', 'Service 1').locator('.link-caption').click();
      const e2 = await page.locator('circle.end-handle[data-end="from"]').boundingBox();
      const c = await app.center('Service 2');
      await page.mouse.move(e2.x + e2.width / 2, e2.y + e2.height / 2);
      await page.mouse.down();
      await page.mouse.move(c.x, c.y, { steps: 6 });
      await page.mouse.up();
      const alert = page.getByRole('alert');
      await alert.waitFor();
      expect(/already linked/i.test(await alert.textContent()), `the refusal says why: ${await alert.textContent()}`);
    },
  },
  {
    name: 'dead-letter queues are dashed links, made by dragging from a queue to another queue',
    viewport: DESK,
    async run({ app, page, step, shot }) {
      await app.open();
      step('the starter\'s SMS jobs dead-letter into SMS DLQ, drawn as a dashed link');
      const dl = page.locator('g.dead-letter[aria-label="dead letters: SMS jobs → SMS DLQ"]');
      expect((await dl.count()) === 1, 'the dead-letter link is drawn');
      const dashes = await dl.locator('.link-line').evaluate((p) => getComputedStyle(p).strokeDasharray);
      expect(dashes !== 'none' && /\d/.test(dashes), `dashed: ${dashes}`);
      step('drag from one new queue to another');
      await app.blank();
      await app.dragFromPalette('Queue', 150, 200);
      await app.dragFromPalette('Queue', 500, 200);
      await app.connect('Queue 1', 'Queue 2');
      await page.locator('g.dead-letter[aria-label="dead letters: Queue 1 → Queue 2"]').waitFor();
      expect((await app.saved()).nodes.find((n) => n.label === 'Queue 1').dead_letter === 'queue2', 'saved as the dead-letter queue');
      expect((await app.links().count()) === 0, 'no ordinary link was made');
      await shot('dead-letter');
      step('clicking the dashed link selects its queue');
      await page.locator('g.dead-letter .link-caption').click();
      expect((await app.node('Queue 1').getAttribute('aria-selected')) === 'true', 'the queue is selected');
      step('undo removes it');
      await page.keyboard.press('Control+z');
      await eventually(async () => (await page.locator('g.dead-letter').count()) === 0, 'undone');
    },
  },
  {
    name: 'a context menu on nodes and links, by right-click and by keyboard',
    viewport: DESK,
    async run({ app, page, step, shot }) {
      await app.open();
      step('right-click SMS sender');
      await app.node('SMS sender').click({ button: 'right' });
      const menu = page.getByRole('menu', { name: 'Actions for SMS sender' });
      await menu.waitFor();
      const items = await menu.getByRole('menuitem').allTextContents();
      expect(items.join() === 'Crash now,Recover,Slow down,Errors,Duplicate,Delete', `items: ${items}`);
      await shot('menu');
      step('Crash now crashes it (a paused run starts)');
      await menu.getByRole('menuitem', { name: 'Crash now' }).click();
      await eventually(async () => /crashed/.test(await app.node('SMS sender').getAttribute('class')), 'crashed');
      step('Recover from the menu');
      await app.node('SMS sender').click({ button: 'right' });
      await page.getByRole('menuitem', { name: 'Recover' }).click();
      await eventually(async () => !/crashed/.test(await app.node('SMS sender').getAttribute('class')), 'recovered');
      step('Slow down marks it degraded');
      await app.node('SMS sender').click({ button: 'right' });
      await page.getByRole('menuitem', { name: 'Slow down' }).click();
      await eventually(async () => /degraded/.test(await app.node('SMS sender').getAttribute('class')), 'degraded');
      await app.button('Reset').click();
      step('keyboard: focus Payments, Shift+F10, arrows, Enter on Duplicate');
      await app.node('Payments').focus();
      await page.keyboard.press('Shift+F10');
      const pm = page.getByRole('menu', { name: 'Actions for Payments' });
      await pm.waitFor();
      expect((await page.evaluate(() => document.activeElement.textContent)) === 'Crash now', 'the first item has the focus');
      // Without a run, Recover is disabled and skipped: Slow down, Errors, Duplicate.
      expect(await pm.getByRole('menuitem', { name: 'Recover' }).isDisabled(), 'nothing to recover before a run');
      for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowDown');
      expect((await page.evaluate(() => document.activeElement.textContent)) === 'Duplicate', 'arrows move through the items');
      await page.keyboard.press('Enter');
      await app.node('Payments 2').waitFor();
      expect((await pm.count()) === 0, 'the menu closed');
      step('Escape closes a menu without doing anything');
      await app.node('Payments 2').focus();
      await page.keyboard.press('ContextMenu');
      await page.getByRole('menu', { name: 'Actions for Payments 2' }).waitFor();
      await page.keyboard.press('Escape');
      await eventually(async () => (await page.getByRole('menu').count()) === 0, 'closed');
      step('Delete from the menu');
      await app.node('Payments 2').click({ button: 'right' });
      await page.getByRole('menuitem', { name: 'Delete' }).click();
      await eventually(async () => (await app.node('Payments 2').count()) === 0, 'deleted');
      step('a link has its own menu');
      await page.locator('g.link[data-via="consume"] .link-caption').click({ button: 'right' });
      const lm = page.getByRole('menu', { name: /^Actions for link/ });
      await lm.waitFor();
      expect((await lm.getByRole('menuitem').allTextContents()).join() === 'Partition,Slow down,Recover,Delete', 'link items');
      await lm.getByRole('menuitem', { name: 'Partition' }).click();
      await eventually(async () => (await page.locator('g.link.partitioned').count()) === 1, 'the link is partitioned');
    },
  },
  {
    name: 'a running node\'s card has Crash and Recover buttons',
    viewport: DESK,
    async run({ app, page, step, shot }) {
      await app.open();
      await app.select('SMS sender');
      expect((await page.getByRole('toolbar', { name: 'Live actions for SMS sender' }).count()) === 0, 'no card before a run');
      step('Run: the card appears on the selected node');
      await app.button('Run').click();
      step('with the inspector closed, the card is the way to crash it (open, it leaves that to the inspector)');
      await app.button('Inspector').click();
      const card = page.getByRole('toolbar', { name: 'Live actions for SMS sender' });
      await card.waitFor();
      await card.getByRole('button', { name: 'Crash SMS sender' }).click();
      await eventually(async () => /crashed/.test(await app.node('SMS sender').getAttribute('class')), 'crashed');
      await shot('card-crashed');
      await card.getByRole('button', { name: 'Recover SMS sender' }).click();
      await eventually(async () => !/crashed/.test(await app.node('SMS sender').getAttribute('class')), 'recovered');
    },
  },
];
