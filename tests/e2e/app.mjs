// Page objects for the Crosstalk app: how a person (or a test) finds and
// uses things, by visible names, roles and labels.

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];

export async function launch() {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
  });
}

export class App {
  constructor(page, baseUrl) {
    this.page = page;
    this.baseUrl = baseUrl;
  }

  /** Opens the app (optionally at a `#fragment`) and waits for it to draw. */
  async open(fragment = '') {
    await this.page.goto(this.baseUrl + fragment);
    await this.ready();
  }

  async ready() {
    await this.page.getByRole('button', { name: 'Run', exact: true }).waitFor();
    await this.page.locator('svg.canvas').waitFor();
  }

  /** Starts from an empty scenario (New). */
  async blank() {
    await this.button('New').click();
    await this.page.waitForFunction(() => document.querySelectorAll('g[data-kind]').length === 0);
  }

  button(name) {
    return this.page.getByRole('button', { name, exact: true });
  }

  paletteItem(title) {
    return this.page.getByRole('navigation', { name: 'Palette' }).getByRole('button', { name: title, exact: true });
  }

  canvas() {
    return this.page.locator('svg.canvas');
  }

  nodes(kind) {
    return this.page.locator(kind ? `g[data-kind="${kind}"]` : 'g[data-kind]');
  }

  node(label) {
    return this.page.locator(`g[data-kind][aria-label="${label.replace(/"/g, '\\"')}"]`);
  }

  links() {
    return this.page.locator('g.link');
  }

  inspector() {
    return this.page.getByRole('complementary', { name: 'Inspector' });
  }

  /** Drags a palette item to a point of the canvas (relative to its top-left). */
  async dragFromPalette(title, x, y) {
    await this.paletteItem(title).dragTo(this.canvas(), { targetPosition: { x, y } });
  }

  /** Connects two nodes by dragging from the first's handle onto the second. */
  async connect(fromLabel, toLabel) {
    const handle = this.node(fromLabel).locator('[data-handle="out"]');
    await handle.dragTo(this.node(toLabel));
  }

  async select(label) {
    await this.node(label).click();
  }

  async runHash() {
    return (await this.page.locator('#run-hash').textContent()).trim();
  }

  /** Waits until the run hash shows (the run finished), returns it. */
  async waitForHash(timeout = 60_000) {
    await this.page.waitForFunction(
      () => /^[0-9a-f]{16}$/.test((document.querySelector('#run-hash')?.textContent || '').trim()),
      null,
      { timeout },
    );
    return this.runHash();
  }
}

/** Extra page-object methods used by several tests. */
Object.assign(App.prototype, {
  /** The document on screen as saved in My scenarios (localStorage). */
  async saved() {
    return this.page.evaluate(() => {
      const id = sessionStorage.getItem('crosstalk.open');
      return JSON.parse((id && localStorage.getItem('crosstalk.scenario.' + id)) || 'null');
    });
  },

  /** The My scenarios dialog, opened. */
  async myScenarios() {
    const dialog = this.page.getByRole('dialog', { name: 'My scenarios' });
    if (!(await dialog.isVisible())) await this.button('My scenarios').click();
    await dialog.waitFor();
    return dialog;
  },

  /** The names listed in My scenarios, last edited first. */
  async savedNames() {
    const dialog = await this.myScenarios();
    const names = await dialog.locator('.saved-name').allTextContents();
    await this.page.keyboard.press('Escape');
    return names;
  },

  /** A node's centre on screen. */
  async center(label) {
    const b = await this.node(label).boundingBox();
    return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
  },

  /** The node kinds and labels on the canvas, in document order. */
  async nodeList() {
    return this.page.$$eval('g[data-kind]', (gs) => gs.map((g) => `${g.dataset.kind}:${g.getAttribute('aria-label')}`));
  },

  /** The run's clock as the HUD shows it: { now, end } in seconds. */
  async clock() {
    const text = (await this.page.locator('.hud .clock').textContent()) || '';
    const m = text.match(/([\d.]+) s \/ ([\d.]+) s/);
    return m ? { now: Number(m[1]), end: Number(m[2]) } : null;
  },

  /** Whether the engine behind the app is still the stub (runs end at 0 s). */
  async engineIsStub() {
    const c = await this.clock();
    return !c || c.end === 0;
  },

  /** Loads an example from the Examples menu. */
  async example(titlePart) {
    await this.button('Examples').click();
    await this.page.getByRole('menuitem', { name: new RegExp(titlePart) }).click();
  },

  /** Sets the scenario as the current document by importing its JSON. */
  async importJson(text, name = 'scenario.json') {
    await this.page.locator('input[type="file"]').setInputFiles({ name, mimeType: 'application/json', buffer: Buffer.from(text) });
  },
});

export function expect(cond, message) {
  if (!cond) throw new Error(message);
}

export async function eventually(fn, message, timeout = 5000) {
  const end = Date.now() + timeout;
  let last;
  while (Date.now() < end) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${message} (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`);
}
