// Building a diagram: the palette, the canvas gestures and the inspector.
import { expect, eventually } from './app.mjs';

export const tests = [
  {
    name: 'a first visit shows the starter example, ready to run',
    async run({ app, page, step, shot }) {
      step('open a fresh page');
      await app.open();
      await shot('starter');
      expect((await page.getByLabel('Scenario name').inputValue()) === 'Payments with SMS over a queue', 'starter scenario name');
      expect((await app.nodes().count()) === 5, 'five nodes in the starter');
      expect((await app.links().count()) === 3, 'three links in the starter');
      step('every kind is in the palette');
      for (const title of ['Client', 'Service', 'Queue', 'Topic', 'WebSocket server', 'Browsers', 'Saga orchestrator']) {
        expect(await app.paletteItem(title).isVisible(), `palette item ${title}`);
      }
    },
  },
  {
    name: 'dragging from the palette adds a node where it is dropped',
    async run({ app, page, step, shot }) {
      await app.open();
      await app.blank();
      step('drag a Service onto the canvas');
      await app.dragFromPalette('Service', 300, 220);
      await eventually(async () => (await app.nodes('service').count()) === 1, 'one service node');
      const box = await app.canvas().boundingBox();
      const c = await app.center('Service 1');
      expect(Math.abs(c.x - (box.x + 300)) <= 25 && Math.abs(c.y - (box.y + 220)) <= 25, `dropped near the pointer, got ${JSON.stringify(c)}`);
      step('drag a Client and a Queue');
      await app.dragFromPalette('Client', 80, 100);
      await app.dragFromPalette('Queue', 520, 330);
      await shot('three-nodes');
      expect((await app.nodeList()).join() === 'service:Service 1,client:Client 1,queue:Queue 1', `nodes: ${await app.nodeList()}`);
      step('the new node is selected and inspected');
      expect((await app.inspector().getByRole('heading', { name: 'Queue' }).count()) === 1, 'inspector shows the queue');
    },
  },
  {
    name: 'the keyboard adds a palette item at the centre',
    async run({ app, page, step }) {
      await app.open();
      await app.blank();
      step('focus the Topic item and press Enter');
      await app.paletteItem('Topic').focus();
      await page.keyboard.press('Enter');
      await eventually(async () => (await app.nodes('topic').count()) === 1, 'a topic was added');
      const box = await app.canvas().boundingBox();
      const c = await app.center('Topic 1');
      expect(Math.abs(c.x - (box.x + box.width / 2)) < 40 && Math.abs(c.y - (box.y + box.height / 2)) < 40, 'added at the centre');
    },
  },
  {
    name: 'connecting nodes infers the link kind, which the inspector can change',
    async run({ app, page, step, shot }) {
      await app.open();
      await app.blank();
      await app.dragFromPalette('Client', 120, 150);
      await app.dragFromPalette('Service', 420, 150);
      await app.dragFromPalette('Queue', 420, 350);
      step('drag from the client handle to the service');
      await app.connect('Client 1', 'Service 1');
      await eventually(async () => (await page.locator('g.link[data-via="http"]').count()) === 1, 'an http link');
      await shot('client-to-service');
      step('the link is selected and its kind shown');
      expect((await page.getByLabel('Link kind').inputValue()) === 'http', 'link kind http');
      step('service to queue is an enqueue, changeable to request/reply');
      await app.connect('Service 1', 'Queue 1');
      await eventually(async () => (await page.locator('g.link[data-via="enqueue"]').count()) === 1, 'an enqueue link');
      await page.getByLabel('Link kind').selectOption('request_reply');
      await eventually(async () => (await page.locator('g.link[data-via="request_reply"]').count()) === 1, 'changed to request_reply');
      await shot('request-reply');
    },
  },
  {
    name: 'a pair that cannot talk is refused with a message',
    async run({ app, page, step, shot }) {
      await app.open();
      await app.blank();
      await app.dragFromPalette('Service', 150, 150);
      await app.dragFromPalette('Client', 450, 150);
      step('drag from the service to the client');
      await app.connect('Service 1', 'Client 1');
      const alert = page.getByRole('alert');
      await alert.waitFor();
      await shot('refused');
      expect(/clients only send/i.test(await alert.textContent()), 'the refusal says why');
      expect((await app.links().count()) === 0, 'no link was made');
    },
  },
  {
    name: 'editing in the inspector changes the node; invalid values never apply',
    async run({ app, page, step, shot }) {
      await app.open();
      step('select Payments');
      await app.select('Payments');
      const workers = page.getByLabel('Workers', { exact: true });
      expect((await workers.inputValue()) === '16', 'workers shown');
      // Under a value the default is set apart, never read as the value.
      expect(await page.getByText('(default 1)', { exact: true }).first().isVisible(), 'default shown');
      step('set 8 workers');
      await workers.fill('8');
      await workers.press('Enter');
      await eventually(async () => /8 workers/.test(await app.node('Payments').textContent()), 'node shows 8 workers');
      expect((await app.saved()).nodes.find((n) => n.id === 'pay').workers === 8, 'saved with 8 workers');
      step('0 workers is refused with a message by the field');
      await workers.fill('0');
      await workers.press('Enter');
      await page.getByText('must be at least 1').waitFor();
      await shot('invalid');
      expect(/8 workers/.test(await app.node('Payments').textContent()), 'node still shows 8 workers');
      expect((await app.saved()).nodes.find((n) => n.id === 'pay').workers === 8, 'document still has 8');
      step('text that is not a number is refused');
      await workers.fill('lots');
      await page.getByText('is not a whole number').waitFor();
      step('clearing returns to the default');
      await workers.fill('');
      await workers.press('Tab');
      await eventually(async () => /1 worker\b/.test(await app.node('Payments').textContent()), 'node shows the default 1 worker');
    },
  },
  {
    name: 'select, shift-click, rubber band and delete',
    async run({ app, page, step, shot }) {
      await app.open();
      step('shift-click two nodes');
      await app.select('Payments');
      await app.node('SMS jobs').click({ modifiers: ['Shift'] });
      expect((await page.locator('g[data-kind][aria-selected="true"]').count()) === 2, 'two selected');
      step('Delete removes them and their links');
      await page.keyboard.press('Delete');
      await eventually(async () => (await app.nodes().count()) === 3, 'three nodes left');
      expect((await app.links().count()) === 0, 'their links went too');
      step('rubber band with shift selects what it touches');
      const box = await app.canvas().boundingBox();
      await page.keyboard.down('Shift');
      await page.mouse.move(box.x + 5, box.y + 5);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width - 5, box.y + box.height - 5, { steps: 5 });
      await shot('band');
      await page.mouse.up();
      await page.keyboard.up('Shift');
      expect((await page.locator('g[data-kind][aria-selected="true"]').count()) === 3, 'band selected all three');
      step('Backspace deletes them');
      await page.keyboard.press('Backspace');
      await eventually(async () => (await app.nodes().count()) === 0, 'all gone');
    },
  },
  {
    name: 'move, pan, zoom and fit',
    async run({ app, page, step, shot }) {
      await app.open();
      step('drag a node by 200 px');
      const before = await app.center('SMS DLQ');
      await page.mouse.move(before.x, before.y);
      await page.mouse.down();
      await page.mouse.move(before.x + 100, before.y + 40, { steps: 4 });
      await page.mouse.move(before.x + 200, before.y + 80, { steps: 4 });
      await page.mouse.up();
      const after = await app.center('SMS DLQ');
      expect(Math.abs(after.x - before.x - 200) < 20 && Math.abs(after.y - before.y - 80) < 20, 'the node followed the pointer');
      const saved = (await app.saved()).nodes.find((n) => n.id === 'sms_dlq');
      expect(saved.x % 20 === 0 && saved.y % 20 === 0, 'snapped to the grid');
      step('drag the background to pan');
      const box = await app.canvas().boundingBox();
      const p0 = await app.center('Mobile app');
      await page.mouse.move(box.x + 30, box.y + box.height - 80);
      await page.mouse.down();
      await page.mouse.move(box.x + 90, box.y + box.height - 50, { steps: 5 });
      await page.mouse.up();
      const p1 = await app.center('Mobile app');
      expect(Math.abs(p1.x - p0.x - 60) < 3 && Math.abs(p1.y - p0.y - 30) < 3, 'the diagram moved with the pointer');
      step('zoom buttons');
      const level = page.locator('.zoom-level');
      const z0 = parseInt(await level.textContent(), 10);
      await app.button('Zoom in').click();
      const z1 = parseInt(await level.textContent(), 10);
      expect(z1 > z0, `zoomed in ${z0} -> ${z1}`);
      await app.button('Zoom out').click();
      await app.button('Zoom out').click();
      expect(parseInt(await level.textContent(), 10) < z1, 'zoomed out');
      step('wheel zooms at the pointer');
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      const z2 = parseInt(await level.textContent(), 10);
      await page.mouse.wheel(0, -300);
      await eventually(async () => parseInt(await level.textContent(), 10) > z2, 'wheel zoomed in');
      step('Fit shows every node');
      await app.button('Fit').click();
      await shot('fit');
      for (const label of ['Mobile app', 'SMS sender', 'SMS DLQ']) {
        const b = await app.node(label).boundingBox();
        expect(b.x >= box.x && b.y >= box.y && b.x + b.width <= box.x + box.width && b.y + b.height <= box.y + box.height, `${label} is visible after Fit`);
      }
    },
  },
  {
    name: 'double-click renames a node',
    async run({ app, page, step, shot }) {
      await app.open();
      step('double-click Payments');
      await app.node('Payments').dblclick();
      const box = page.getByRole('textbox', { name: 'Rename' });
      await box.waitFor();
      await box.fill('Ledger');
      await shot('renaming');
      await box.press('Enter');
      await app.node('Ledger').waitFor();
      expect((await app.saved()).nodes.find((n) => n.id === 'pay').label === 'Ledger', 'saved');
      step('Escape cancels a rename');
      await app.node('Ledger').dblclick();
      await box.fill('Nope');
      await box.press('Escape');
      expect((await app.node('Ledger').count()) === 1, 'label kept');
    },
  },
];

tests.push({
  name: 'the top bar answers to the names the controls are known by',
  async run({ app, page, step }) {
    await app.open();
    step('Import is one button, and it asks for a file');
    const imports = page.getByRole('button', { name: 'Import' });
    expect((await imports.count()) === 1, `${await imports.count()} buttons answer to Import`);
    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), imports.click()]);
    expect(!chooser.isMultiple(), 'one file');
    step('Speed and Seed by their exact names');
    const speed = page.getByRole('spinbutton', { name: 'Speed', exact: true });
    await speed.fill('20');
    await speed.press('Enter');
    await eventually(async () => (await page.getByLabel('Speed', { exact: true }).inputValue()) === '20', 'speed 20×');
    await page.getByRole('spinbutton', { name: 'Seed', exact: true }).waitFor();
  },
});

tests.push({
  name: "the palette's Queue and Topic are one button each, beside the Kafka log and SQS FIFO presets",
  async run({ app, page, step }) {
    await app.open();
    await app.blank();
    const palette = page.getByRole('navigation', { name: 'Palette' });
    for (const name of ['Queue', 'Topic']) {
      step(`${name}, by that name`);
      const item = page.getByRole('button', { name });
      expect((await item.count()) === 1, `${await item.count()} buttons answer to ${name}`);
      await item.dragTo(app.canvas(), { targetPosition: { x: name === 'Queue' ? 300 : 600, y: 300 } });
    }
    step('the presets, by their own names');
    await palette.getByRole('button', { name: 'Kafka log' }).click();
    await palette.getByRole('button', { name: 'SQS FIFO' }).click();
    await eventually(async () => (await app.nodes('queue').count()) === 2 && (await app.nodes('topic').count()) === 2, 'two queues, two topics');
    const saved = await app.saved();
    expect(saved.nodes.some((n) => n.fifo === true) && saved.nodes.some((n) => n.delivery === 'log'), 'one FIFO, one log');
  },
});
