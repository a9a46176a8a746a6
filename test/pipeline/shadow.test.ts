// The shadow book: every market the bot saw in band is kept (side, price, time to settlement, category), traded or
// not, and resolved from the exchange's settled listing when it settles. Real cycles on the simulated exchange over
// loopback HTTP, a real SQLite journal.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { Journal } from '../../src/journal/index.js';
import { ShadowBook } from '../../src/pipeline/shadow.js';
import { DAY, T0, type World, inBandMarket, world } from '../support/app.js';

let w: World;
afterEach(async () => {
  await w?.close();
});

const HOUR = 3_600_000;

describe('the shadow book', () => {
  it('keeps each market seen in band once per time-to-settlement bin, and resolves it when it settles', async () => {
    w = await world();
    const shadow = (ticker: string, settles: number, category: string, yesBid: number, yesAsk: number) =>
      w.sim.addMarket({ ...inBandMarket(ticker), category, yesBidCents: yesBid, yesAskCents: yesAsk, expectedExpirationMs: settles, closeMs: settles });
    shadow('KXSHA-26NOV27-A', T0 + 2 * DAY, 'Economics', 76, 78); // YES at 78c, 2 days out
    shadow('KXSHB-26NOV26-B', T0 + 5 * HOUR, 'Sports', 18, 21); // NO at 82c, 5 hours out
    const app = await w.start({ MAX_COST_PER_TRADE: '0.5' }); // too little for one contract: nothing is bought
    const s1 = await app.runCycle();
    expect(s1.orders).toHaveLength(0);
    // The observations reach the journal in slices after the cycle.
    await app.shadow.written();
    const rows = () =>
      app.journal.db.prepare("SELECT ticker, sample_key, side, price_e4, category, result, settles_at - observed_at AS ms FROM calibration_obs WHERE source = 'shadow' ORDER BY ticker, sample_key").all() as Array<Record<string, unknown>>;
    expect(rows()).toEqual([
      { ticker: 'KXSHA-26NOV27-A', sample_key: 72, side: 'yes', price_e4: 7800, category: 'Economics', result: null, ms: 2 * DAY },
      { ticker: 'KXSHB-26NOV26-B', sample_key: 6, side: 'no', price_e4: 8200, category: 'Sports', result: null, ms: 5 * HOUR },
    ]);
    // The next cycle sees the same markets in the same bins: nothing new.
    await app.runCycle();
    await app.shadow.written();
    expect(rows()).toHaveLength(2);
    // A day later A is under 24 hours from settlement: a new bin, a new observation at its price then.
    w.clock.set(T0 + DAY + 2 * HOUR);
    w.sim.updateMarket('KXSHA-26NOV27-A', { yesBidCents: 80, yesAskCents: 82 });
    await app.runCycle();
    await app.shadow.written();
    expect(rows().filter((r) => r.ticker === 'KXSHA-26NOV27-A').map((r) => [r.sample_key, r.price_e4])).toEqual([
      [24, 8200],
      [72, 7800],
    ]);
    // Nothing settled: nothing resolved.
    expect(await app.shadow.resolve()).toBe(0);
    // B settles NO (its NO was bought at 82c in the shadow: a win); A settles NO (both its YES observations lose).
    w.sim.updateMarket('KXSHB-26NOV26-B', { result: 'no', status: 'settled' });
    expect(await app.shadow.resolve()).toBe(1);
    w.sim.updateMarket('KXSHA-26NOV27-A', { result: 'no', status: 'settled' });
    expect(await app.shadow.resolve()).toBe(2);
    expect(rows().map((r) => r.result)).toEqual(['no', 'no', 'no']);
    const r = app.calibration.report();
    expect(r.sources).toEqual({ history: 0, shadow: 3, shadowOpen: 0 });
    expect(r.buckets.find((b) => b.side === 'no' && b.loE4 === 8200)).toMatchObject({ n: 1, realized: 1 });
    expect(r.buckets.find((b) => b.side === 'yes' && b.loE4 === 7600)).toMatchObject({ n: 1, realized: 0 });
    expect(r.byHorizon.map((g) => [g.key, g.n])).toEqual([
      ['<6h', 1],
      ['6-24h', 1],
      ['1-3d', 1],
    ]);
    // Resolved once: reading again changes nothing.
    expect(await app.shadow.resolve()).toBe(0);
  });

  it('writes a large first sighting in slices after the cycle, and a stop writes what is still queued', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shadow-'));
    const dbPath = join(dir, 'j.db');
    const journal = Journal.open(dbPath, loadConfig({ KALSHI_ENV: 'sim', DB_PATH: dbPath }));
    try {
      const book = new ShadowBook({
        journal,
        clock: { now: () => T0 },
        source: { getSettledMarketsPage: async () => ({ markets: [], cursor: null }) },
        categories: { categoryOf: () => 'Economics', feeOf: () => null },
      });
      const count = () => (journal.db.prepare('SELECT COUNT(*) AS n FROM calibration_obs').get() as { n: number }).n;
      const rows = (n: number, from = 0) =>
        Array.from({ length: n }, (_, i) => ({ ticker: `KXS-26DEC01-M${from + i}`, eventTicker: 'KXS-26DEC01', side: 'yes' as const, priceE4: 8000, settlesMs: T0 + DAY }));
      expect(book.record(rows(9000), T0)).toBe(9000);
      // Nothing is written while the caller (the cycle) runs on; a slice at a time afterwards.
      expect(count()).toBe(0);
      await new Promise((r) => setImmediate(r));
      expect(count()).toBeGreaterThan(0);
      expect(count()).toBeLessThan(9000);
      await book.written();
      expect(count()).toBe(9000);
      // Seen again in the same bin: nothing new. In the other side or a later bin: new.
      expect(book.record(rows(9000), T0)).toBe(0);
      expect(book.record([{ ...rows(1)[0]!, side: 'no' }], T0)).toBe(1);
      // Queued and flushed at once (as App.stop does before the journal closes).
      expect(book.record(rows(5000, 9000), T0)).toBe(5000);
      book.flush();
      expect(count()).toBe(9000 + 1 + 5000);
      await book.written();
      expect(count()).toBe(14_001);
    } finally {
      journal.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
