// The terminal transport: lines in, the same command handlers, replies and alerts printed.
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startConsole } from '../../src/console/console.js';
import { type World, world } from '../support/app.js';

let w: World;
let transports: { stop(): Promise<void> }[];
beforeEach(async () => {
  w = await world({ markets: 50 });
  transports = [];
});
afterEach(async () => {
  // Stop the console (readline, delivery timers) even when a test failed before its own stop(), and before the journal closes.
  for (const t of transports) await t.stop();
  await w.close();
});

async function until(probe: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!probe()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('console transport', () => {
  it('runs typed commands, confirms by a trailing word, prints alerts', async () => {
    const app = await w.start({ TIMEZONE: 'America/New_York' });
    const input = new PassThrough();
    const output = new PassThrough();
    let printed = '';
    output.on('data', (c: Buffer) => (printed += c.toString('utf8')));
    const t = startConsole(app, { input, output, delivery: { pollMs: 20, baseBackoffMs: 10 } });
    transports.push(t);

    input.write('/status\n');
    await until(() => printed.includes('of $50.00 cap'), '/status');
    expect(printed).toContain('[SIM] RUNNING');

    input.write('/setcap 40\n');
    await until(() => app.journal.settings.get().dailyCapE4 === 400_000, 'cap 40');
    await until(() => printed.includes('$50.00 → $40.00'), 'setcap reply');
    expect(app.journal.settings.audit()[0]).toMatchObject({ name: 'dailyCapE4', changed_by: 'console' });

    input.write('/setcap abc\n');
    await until(() => printed.includes('Usage: /setcap <dollars>'), 'usage');
    expect(app.journal.settings.get().dailyCapE4).toBe(400_000);

    input.write('/setcap 200\n');
    await until(() => printed.includes('/setcap 200 confirm'), 'confirm hint');
    expect(app.journal.settings.get().dailyCapE4).toBe(400_000);
    input.write('/setcap 200 confirm\n');
    await until(() => app.journal.settings.get().dailyCapE4 === 2_000_000, 'confirmed cap');

    input.write('hello\n/stopall\n');
    await until(() => printed.includes('/stopall confirm'), 'stopall hint');
    expect(printed).toContain('Commands start with "/"');
    expect(app.journal.settings.get().paused).toBe(false);
    input.write('/stopall confirm\n');
    await until(() => printed.includes('Stopped: paused'), 'stopall');
    expect(app.journal.settings.get().paused).toBe(true);
    input.write('/resume\n');
    await until(() => printed.includes('Resumed'), 'resume');

    app.alerter.send({ kind: 'order', mode: 'SIM', ticker: 'KXT-1', title: 'A test market', side: 'yes', state: 'executed', filledE2: 500, countE2: 500, priceE4: 7500, costE4: 37_500, feesE4: 1300, atRiskE4: 38_800, capE4: 2_000_000 });
    await until(() => printed.includes('[SIM] Order filled\nA test market · KXT-1'), 'order alert');
    expect(printed).toContain('Bought YES 5/5 contracts @ 75¢');
    expect(printed).toContain('At risk today: $3.88 of $200.00 cap');
    await until(() => app.journal.outbox.pendingCount() === 0, 'outbox drained');

    await t.stop();
  }, 20_000);
});
