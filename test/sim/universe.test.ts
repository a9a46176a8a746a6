import { afterEach, describe, expect, it } from 'vitest';
import { startSimExchange, type SimExchange } from '../../src/sim/index.js';

let sim: SimExchange | null = null;
afterEach(async () => {
  await sim?.close();
  sim = null;
});

const get = async (ex: SimExchange, path: string): Promise<any> => (await fetch(ex.baseUrl + path)).json();

describe('sim universe', () => {
  it('generates 20,000 markets (its speed is reported by npm run bench)', async () => {
    sim = await startSimExchange({ markets: 20_000, rateLimit: false });
    expect(sim.openMarketTickers()).toHaveLength(20_000);
    const page = await get(sim, '/markets?limit=1000&status=open&mve_filter=exclude');
    expect(page.markets).toHaveLength(1000);
    // newest first
    const created = page.markets.map((m: any) => Date.parse(m.created_time));
    expect([...created].sort((a, b) => b - a)).toEqual(created);
  });

  it('is deterministic by seed', async () => {
    const clock = () => Date.parse('2026-06-11T06:00:00Z');
    const a = await startSimExchange({ markets: 300, seed: 7, clock, rateLimit: false });
    const b = await startSimExchange({ markets: 300, seed: 7, clock, rateLimit: false });
    const c = await startSimExchange({ markets: 300, seed: 8, clock, rateLimit: false });
    try {
      const pa = await get(a, '/markets?limit=1000');
      const pb = await get(b, '/markets?limit=1000');
      const pc = await get(c, '/markets?limit=1000');
      expect(pa).toEqual(pb);
      expect(pa).not.toEqual(pc);
    } finally {
      await Promise.all([a.close(), b.close(), c.close()]);
    }
  });

  it('prices move with the sim clock and markets close when their time passes', async () => {
    let now = Date.parse('2026-06-11T06:00:00Z');
    sim = await startSimExchange({ markets: 500, combos: 0, leakClosed: 0, clock: () => now, rateLimit: false });
    const snap = async () => {
      const r = await get(sim as SimExchange, '/markets?limit=1000&status=open&mve_filter=exclude');
      return new Map<string, string>(r.markets.map((m: any) => [m.ticker, `${m.yes_bid_dollars}/${m.yes_ask_dollars}`]));
    };
    const before = await snap();
    now += 60_000;
    const after = await snap();
    let moved = 0;
    for (const [t, q] of before) if (after.get(t) !== undefined && after.get(t) !== q) moved++;
    expect(moved).toBeGreaterThan(10);
    expect(moved).toBeLessThan(before.size);
    // same clock, same prices
    expect(await snap()).toEqual(after);
    const open0 = sim.openMarketTickers().length;
    now += 3 * 86_400_000;
    const open1 = sim.openMarketTickers().length;
    expect(open1).toBeLessThan(open0);
    const closed = await get(sim, '/markets?limit=1000&status=closed');
    expect(closed.markets.length).toBeGreaterThanOrEqual(open0 - open1);
    expect(closed.markets.every((m: any) => m.status === 'closed')).toBe(true);
  });
});
