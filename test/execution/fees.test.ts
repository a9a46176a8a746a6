// The fee rule in force decides every worst case: an event's override wins over its series', a scheduled change
// takes effect on its date, and `flat` is bounded above every quadratic fee. Real app, real sim, real HTTP.
import { afterEach, describe, expect, it } from 'vitest';
import { scheduleFeeE4 } from '../../src/money.js';
import { worstCaseE4 } from '../../src/rules/risk.js';
import { inBandMarket, messagesOf, T0, type World, world } from '../support/app.js';

let w: World | null = null;
afterEach(async () => {
  await w?.close();
  w = null;
});

const T = 'KXFEE-26NOV27-A';
const HOUR = 3_600_000;
const worstOf = (w: World, app: Awaited<ReturnType<World['start']>>) => app.journal.orders.recent(1)[0]!.worst_case_e4;

describe('fee rules', () => {
  it("an event's fee multiplier override wins over its series' in the worst case (and on the exchange)", async () => {
    w = await world();
    w.sim.addMarket({ ...inBandMarket(T), feeMultiplierE4: 10_000, eventFeeMultiplierOverrideE4: 20_000 });
    const app = await w.start();
    const s = await app.runCycle();
    expect(s.orders).toHaveLength(1);
    // 6 at 78c: the trade fee 0.07 x 2 x 6 x 0.78 x 0.22 = $0.144144 -> $0.1442, not $0.0721; then the rounding allowance.
    expect(worstOf(w, app)).toBe(46_800 + 1442 + 600 + 100);
    expect(worstOf(w, app)).toBe(worstCaseE4(6, 7800, { feeType: 'quadratic', multiplierE4: 20_000 }));
  });

  it('a scheduled series fee change takes effect on its date, without waiting for the series list to refresh', async () => {
    w = await world();
    w.sim.addMarket({ ...inBandMarket(T), yesAskSize: 500 });
    w.sim.scheduleFeeChange({ seriesTicker: 'KXFEE', feeType: 'quadratic', feeMultiplierE4: 30_000, scheduledMs: T0 + HOUR });
    const app = await w.start();
    await app.runCycle();
    expect(worstOf(w, app)).toBe(46_800 + 721 + 700); // before the change: multiplier 1
    w.clock.advance(2 * HOUR);
    await app.runCycle();
    // 0.07 x 3 x 6 x 0.78 x 0.22 = $0.216216 -> $0.2163
    expect(worstOf(w, app)).toBe(46_800 + 2163 + 700);
  });

  it("an order sent later in a cycle is sized and capped under the fee rule of its own moment, not the cycle start's", async () => {
    w = await world();
    w.sim.addMarket({ ...inBandMarket('KXFEE-26NOV27-A'), volume24h: 9000 });
    w.sim.addMarket({ ...inBandMarket('KXFEE-26NOV27-B'), volume24h: 8000 });
    // The series' fee triples 5 minutes after the cycle starts: beyond the first order's horizon.
    w.sim.scheduleFeeChange({ seriesTicker: 'KXFEE', feeType: 'quadratic', feeMultiplierE4: 30_000, scheduledMs: T0 + 5 * 60_000 });
    const app = await w.start();
    // Layer 4 sends one order after another: here the first takes until 6 minutes past the start.
    const clock = w.clock;
    const read = clock.now.bind(clock);
    clock.now = () => (w!.sim.ordersSnapshot().length > 0 ? Math.max(read(), T0 + 6 * 60_000) : read());
    const s = await app.runCycle();
    expect(s.orders.map((o) => o.ticker)).toEqual(['KXFEE-26NOV27-A', 'KXFEE-26NOV27-B']);
    const [second, first] = app.journal.orders.recent(2);
    expect(first!.worst_case_e4).toBe(worstCaseE4(6, 7800, { feeType: 'quadratic', multiplierE4: 10_000 }));
    expect(second!.worst_case_e4).toBe(worstCaseE4(6, 7800, { feeType: 'quadratic', multiplierE4: 30_000 }));
  });

  it('flat fees (formula unpublished) are bounded above any quadratic fee; maker fees only where the type charges makers', () => {
    const flat = scheduleFeeE4({ feeType: 'flat', multiplierE4: 10_000 }, 100, 7800);
    const quad = scheduleFeeE4({ feeType: 'quadratic', multiplierE4: 10_000 }, 100, 5000); // the quadratic peak
    expect(flat).toBe(700);
    expect(flat).toBeGreaterThanOrEqual(4 * quad);
    expect(scheduleFeeE4({ feeType: 'quadratic', multiplierE4: 10_000 }, 100, 7800, true)).toBe(0);
    expect(scheduleFeeE4({ feeType: 'quadratic_with_maker_fees', multiplierE4: 10_000 }, 100, 7800, true)).toBe(31); // 0.0175 x 0.1716
  });
});

describe('a 403 on create', () => {
  it('skips that category for the rest of the day with one alert saying why, instead of retrying every cycle', async () => {
    w = await world();
    w.sim.addMarket({ ...inBandMarket('KXNBAGAME-26NOV27-LAL'), category: 'Sports', exchangeIndex: 0 });
    w.sim.addMarket({ ...inBandMarket('KXNFLGAME-26NOV27-KC'), category: 'Sports', exchangeIndex: 0, volume24h: 8000 });
    w.sim.addMarket({ ...inBandMarket('KXCPI-26NOV27-T3'), category: 'Economics', volume24h: 7000 });
    const app = await w.start();
    const forbidden = { error: { code: 'forbidden', message: 'api key region attestation expired' } };
    w.sim.inject({ kind: 'reply', status: 403, body: forbidden, count: 1, method: 'POST', pathIncludes: '/portfolio/events/orders' });
    const first = await app.runCycle();
    // The first sports order is refused; the other sports market is not tried; economics trades.
    expect(first.orders.map((o) => [o.ticker, o.status])).toEqual([
      ['KXNBAGAME-26NOV27-LAL', 'rejected'],
      ['KXCPI-26NOV27-T3', 'executed'],
    ]);
    const why = app.control.why('KXNFLGAME-26NOV27-KC');
    expect(why.ok && why.value.decision?.reason).toMatch(/^category Sports refused by the exchange today \(403 forbidden\)/);
    await app.runCycle();
    expect(w.sim.ordersSnapshot().filter((o) => o.ticker.startsWith('KXN'))).toHaveLength(0);
    const alerts = messagesOf(app, 'error').filter((m) => m.includes('403'));
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatch(/attestation/);
    // The next day it is tried again.
    w.clock.advance(24 * HOUR);
    const next = await app.runCycle();
    expect(next.orders.map((o) => o.ticker)).toContain('KXNBAGAME-26NOV27-LAL');
  });
});

describe('a 401 on create', () => {
  it('stops ordering for the rest of the cycle with one alert (every later order would be refused too)', async () => {
    w = await world();
    w.sim.addMarket(inBandMarket('KXAUTHA-26NOV27-A'));
    w.sim.addMarket({ ...inBandMarket('KXAUTHB-26NOV27-B'), volume24h: 8000 });
    const app = await w.start();
    const expired = { error: { code: 'header_timestamp_expired', message: 'header timestamp expired' } };
    w.sim.inject({ kind: 'reply', status: 401, body: expired, count: 1, method: 'POST', pathIncludes: '/portfolio/events/orders' });
    const s = await app.runCycle();
    expect(s.orders.map((o) => [o.ticker, o.status])).toEqual([['KXAUTHA-26NOV27-A', 'rejected']]);
    expect(w.sim.stats().byRoute['POST /portfolio/events/orders']).toBe(1);
    expect(messagesOf(app, 'error').filter((m) => m.includes('clock is off'))).toHaveLength(1);
    // The next cycle (clock fine again) trades both.
    const next = await app.runCycle();
    expect(next.orders.map((o) => o.status)).toEqual(['executed', 'executed']);
  });
});
