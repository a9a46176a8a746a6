// A designed universe on the simulated exchange over real HTTP and a real SQLite file: exactly the
// markets that pass every layer are bought, on the right side; each decoy is rejected with its reason.
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DAY, T0, type World, world } from '../support/app.js';

let w: World;
afterEach(async () => {
  await w?.close();
});

const soon = { expectedExpirationMs: T0 + 2 * DAY, closeMs: T0 + 3 * DAY };

async function designedWorld(): Promise<World> {
  w = await world();
  const add = w.sim.addMarket.bind(w.sim);
  // Should be bought:
  add({ ticker: 'KXGOOD-26NOV27-YES', yesBidCents: 76, yesAskCents: 78, yesAskSize: 50, yesBidSize: 50, volume24h: 9000, ...soon });
  add({ ticker: 'KXGOOD-26NOV27-NO', yesBidCents: 20, yesAskCents: 23, yesAskSize: 50, yesBidSize: 50, volume24h: 9000, ...soon }); // NO ask 80%
  // Decoys:
  add({ ticker: 'KXDECOY-OUT-BAND', yesBidCents: 50, yesAskCents: 52, volume24h: 9000, ...soon });
  add({ ticker: 'KXDECOY-EMPTY-ASK', yesBidCents: 5, yesAskCents: 80, yesAskSize: 0, yesBidSize: 0, volume24h: 9000, ...soon });
  add({ ticker: 'KXDECOY-TOO-FAR', yesBidCents: 76, yesAskCents: 78, volume24h: 9000, expectedExpirationMs: T0 + 30 * DAY, closeMs: T0 + 31 * DAY });
  add({ ticker: 'KXDECOY-THIN', yesBidCents: 76, yesAskCents: 78, volume24h: 100, ...soon });
  add({ ticker: 'KXSPORTS-26NOV27-X', category: 'Sports', yesBidCents: 76, yesAskCents: 78, volume24h: 9000, ...soon });
  add({ ticker: 'KXDECOY-CLOSED', status: 'closed', yesBidCents: 76, yesAskCents: 78, volume24h: 9000, ...soon });
  add({ ticker: 'KXDECOY-FULL', yesBidCents: 76, yesAskCents: 78, yesAskSize: 800, volume24h: 9000, ...soon });
  return w;
}

describe('one cycle over a designed universe', () => {
  it('buys exactly the markets that pass all four layers, on the right side, and says why each decoy was rejected', async () => {
    await designedWorld();
    // Fill the position-limit decoy up to the limit first: a holding bought yesterday, so today's cap is untouched.
    w.clock.set(T0 - DAY);
    const pre = await w.start({ POSITION_LIMIT: '700', MAX_COST_PER_TRADE: '1000', DAILY_LOSS_CAP: '100000', BAND_MIN: '0.78', BAND_MAX: '0.78' });
    await pre.executor.execute({ ticker: 'KXDECOY-FULL', title: '', side: 'yes', contracts: 700, priceE4: 7800, cycleId: null, approvalId: null });
    await pre.stop();
    w.apps.length = 0;
    w.clock.set(T0);

    const app = await w.start({ EXCLUDED_CATEGORIES: 'sports' });
    const before = w.sim.ordersSnapshot().length;
    const s = await app.runCycle();

    expect(s.error).toBeUndefined();
    expect(s.markets).toBe(8); // the closed one never reaches the pipeline: hydration re-checks status
    const bought = s.orders.map((o) => `${o.ticker}:${o.side}`).sort();
    expect(bought).toEqual(['KXGOOD-26NOV27-NO:no', 'KXGOOD-26NOV27-YES:yes']);
    for (const o of s.orders) {
      expect(o.status).toBe('executed');
      expect(o.filled).toBe(o.count);
    }
    // $5 per trade: floor(5 / 0.78) = 6 YES contracts; NO ask is 1 - 0.20 = 0.80 -> 6 contracts.
    expect(s.orders.find((o) => o.side === 'yes')).toMatchObject({ count: 6, price: 0.78 });
    expect(s.orders.find((o) => o.side === 'no')).toMatchObject({ count: 6, price: 0.8 });

    // The exchange has exactly these two new orders: YES as a bid at 0.78, NO as an ask at YES price 0.20.
    const placed = w.sim.ordersSnapshot().slice(before);
    expect(placed.map((o) => [o.ticker, o.side, o.priceE4]).sort()).toEqual([
      ['KXGOOD-26NOV27-NO', 'ask', 2000],
      ['KXGOOD-26NOV27-YES', 'bid', 7800],
    ]);

    const why = (t: string) => app.journal.cycles.decision(t);
    expect(why('KXDECOY-OUT-BAND')).toMatchObject({ layer: 2, outcome: 'rejected' });
    expect(why('KXDECOY-OUT-BAND')?.reason).toMatch(/out of band/);
    expect(why('KXDECOY-EMPTY-ASK')).toMatchObject({ layer: 2 });
    expect(why('KXDECOY-EMPTY-ASK')?.reason).toMatch(/no size/);
    expect(why('KXDECOY-TOO-FAR')).toMatchObject({ layer: 3 });
    expect(why('KXDECOY-TOO-FAR')?.reason).toMatch(/beyond the 7-day horizon/);
    expect(why('KXDECOY-THIN')?.reason).toMatch(/24h volume 100 < minimum 5000/);
    expect(why('KXSPORTS-26NOV27-X')?.reason).toMatch(/category Sports is excluded/);
    expect(why('KXDECOY-FULL')?.reason).toMatch(/700-contract limit/);
    expect(why('KXGOOD-26NOV27-YES')).toMatchObject({ layer: 5, outcome: 'ordered' });
    // The closed market leaked nowhere: no decision, no order.
    expect(why('KXDECOY-CLOSED')).toBeUndefined();

    expect(s).toMatchObject({ candidates: 6, validated: 2, halted: false, cap: 50 });
  });

  it('paused: scans go on, no order is sent, and the trail says so', async () => {
    await designedWorld();
    const app = await w.start();
    app.control.pause('test');
    const before = w.sim.ordersSnapshot().length;
    const s = await app.runCycle();
    expect(s.markets).toBe(8);
    expect(s.validated).toBeGreaterThan(0);
    expect(s.orders).toEqual([]);
    expect(w.sim.ordersSnapshot().length).toBe(before);
    expect(app.journal.cycles.decision('KXGOOD-26NOV27-YES')?.reason).toMatch(/paused/);
  });

  it('halts for the day when the cap leaves no room, and tells the chat once', async () => {
    await designedWorld();
    // One $5 trade fits; the next is shrunk to what is left, then nothing fits.
    const app = await w.start({ DAILY_LOSS_CAP: '6' });
    const s = await app.runCycle();
    expect(s.orders.map((o) => o.count)).toEqual([6, 1]);
    expect(s.halted).toBe(true);
    expect(s.atRisk).toBeLessThanOrEqual(6);
    const s2 = await app.runCycle();
    expect(s2.orders).toHaveLength(0);
    expect(s2.halted).toBe(true);
    const halts = app.journal.db.prepare(`SELECT COUNT(*) AS n FROM outbox WHERE kind = 'halt'`).get() as { n: number };
    expect(halts.n).toBe(1);
  });

  it('prod without LIVE_TRADING is a dry run: same decisions, paper orders, nothing sent', async () => {
    await designedWorld();
    // A prod configuration whose base URL points at the simulated exchange, with a real key file.
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const keyPath = join(w.dir, 'prod.pem');
    writeFileSync(keyPath, pair.privateKey.export({ type: 'pkcs1', format: 'pem' }));
    w.sim.registerKey('prod-key', pair.publicKey.export({ type: 'spki', format: 'pem' }).toString());
    const app = await w.start({ KALSHI_ENV: 'prod', KALSHI_KEY_ID: 'prod-key', KALSHI_PRIVATE_KEY_PATH: keyPath, KALSHI_BASE_URL: w.sim.baseUrl });
    expect(app.mode).toBe('DRY-RUN');
    const before = w.sim.ordersSnapshot().length;
    const s = await app.runCycle();
    expect(s.orders.length).toBe(s.validated);
    expect(new Set(s.orders.map((o) => o.status))).toEqual(new Set(['paper']));
    expect(w.sim.ordersSnapshot().length).toBe(before);
    // Paper holdings count toward the position limit and the cap exactly like real ones.
    expect(s.atRisk).toBeGreaterThan(0);
    const s2 = await app.runCycle();
    expect(s2.atRisk).toBeGreaterThanOrEqual(s.atRisk);
  });
});
