// The review's holes in the daily cap, each reproduced against the real app and the simulated exchange: what the
// exchange takes on a trading day never exceeds that day's cap.
import { afterEach, describe, expect, it } from 'vitest';
import { tradingDay } from '../../src/clock.js';
import { buyYes, DAY, inBandMarket, T0, type World, world } from '../support/app.js';

let w: World | null = null;
afterEach(async () => {
  await w?.close();
  w = null;
});

const TZ = 'America/New_York';
/** What the exchange really took per trading day of the fill (price paid plus fee), from its own records. */
function takenOn(day: string): number {
  return w!.sim
    .fillsSnapshot()
    .filter((f) => tradingDay(f.tsMs, TZ) === day)
    .reduce((a, f) => a + Math.ceil((f.countE2 * f.paidE4) / 100) + f.feeE4, 0);
}

describe('hole 1: midnight', () => {
  it('an order sent just before midnight whose fills arrive after it counts on the new day too', async () => {
    w = await world();
    // 23:59:58 in New York; the ask is empty, so the order rests.
    const beforeMidnight = Date.parse('2026-11-26T04:59:58Z');
    w.clock.set(beforeMidnight);
    w.sim.addMarket({ ...inBandMarket('KXNIGHT-26NOV28-A'), yesAskSize: 0, closeMs: beforeMidnight + 3 * DAY, expectedExpirationMs: beforeMidnight + 2 * DAY });
    w.sim.addMarket({ ...inBandMarket('KXMORN-26NOV28-B'), closeMs: beforeMidnight + 3 * DAY, expectedExpirationMs: beforeMidnight + 2 * DAY });
    let app: Awaited<ReturnType<World['start']>> | null = null;
    app = await w.start({ DAILY_LOSS_CAP: '5' }, {
      executor: {
        pollMs: 10,
        fillTimeoutMs: 200,
        hooks: {
          // While it rests, midnight passes and a counterparty fills it.
          afterSend: (id) => {
            const row = app!.journal.orders.get(id)!;
            if (row.ticker !== 'KXNIGHT-26NOV28-A') return;
            w!.clock.set(beforeMidnight + 7_000);
            w!.sim.fillResting(row.exchange_order_id!);
          },
        },
      },
    });
    const night = await app.executor.execute(buyYes('KXNIGHT-26NOV28-A'));
    expect(night.kind).toBe('filled');
    const newDay = tradingDay(w.clock.now(), TZ);
    expect(newDay).toBe('2026-11-26');
    // The new day's cap must see the contracts bought on it.
    expect(app.journal.orders.atRiskE4(newDay)).toBeGreaterThanOrEqual(takenOn(newDay));
    await app.executor.execute(buyYes('KXMORN-26NOV28-B'));
    expect(takenOn(newDay)).toBeLessThanOrEqual(50_000);
    expect(app.journal.orders.atRiskE4(newDay)).toBeLessThanOrEqual(50_000);
  });
});

describe('hole 2: settlements between cycles', () => {
  it('an order after a loss settled since the last cycle is checked against a ledger that has it', async () => {
    w = await world();
    w.sim.addMarket({ ...inBandMarket('KXLOSE-26NOV25-A'), closeMs: T0 + DAY + 3_600_000, expectedExpirationMs: T0 + DAY + 3_600_000 });
    w.sim.addMarket(inBandMarket('KXNEXT-26NOV27-B', 500));
    const app = await w.start({ DAILY_LOSS_CAP: '6' });
    // Day 1: a position of 6 YES at 78c.
    expect((await app.executor.execute(buyYes('KXLOSE-26NOV25-A'))).kind).toBe('filled');
    // Day 2, morning: a cycle runs (nothing has settled yet) and trades nothing (both markets are priced out).
    w.clock.set(T0 + DAY);
    w.sim.updateMarket('KXNEXT-26NOV27-B', { yesAskCents: 95, yesBidCents: 93 });
    w.sim.updateMarket('KXLOSE-26NOV25-A', { yesAskCents: 95, yesBidCents: 93 });
    await app.runCycle();
    // Then the first market closes and settles NO: a $4.70 loss lands on day 2.
    w.sim.updateMarket('KXLOSE-26NOV25-A', { result: 'no' });
    w.clock.set(T0 + DAY + 3_600_000 + 6 * 60_000);
    w.sim.updateMarket('KXNEXT-26NOV27-B', { yesAskCents: 78, yesBidCents: 76 });
    // Minutes after the cycle's settlement sync, an order (an approval tap, or the next in a cycle).
    await app.executor.execute(buyYes('KXNEXT-26NOV27-B'));
    const day2 = tradingDay(w.clock.now(), TZ);
    // The exchange's own word: it settled NO on day 2, so all that day 1 paid for it is lost on day 2.
    const settled = await app.client.getSettlements({ ticker: 'KXLOSE-26NOV25-A' });
    expect(settled.map((x) => [x.marketResult, tradingDay(x.settledMs, TZ), x.revenueE4])).toEqual([['no', day2, 0]]);
    const lossE4 = takenOn(tradingDay(T0, TZ));
    // Loss realized today plus what was bought today stays within the $6 cap, and the ledger knows it.
    expect(lossE4 + takenOn(day2)).toBeLessThanOrEqual(60_000);
    expect(app.journal.orders.atRiskE4(day2)).toBeGreaterThanOrEqual(lossE4 + takenOn(day2));
  });
});

describe('hole 3: hostile settlement records', () => {
  for (const lie of ['revenue of $100,000,000', 'settled in the year 2999'] as const) {
    it(`a settlement with a ${lie} does not hide the loss`, async () => {
      w = await world();
      w.sim.addMarket(inBandMarket('KXLIE-26NOV25-A'));
      const app = await w.start({ DAILY_LOSS_CAP: '6' });
      expect((await app.executor.execute(buyYes('KXLIE-26NOV25-A'))).kind).toBe('filled');
      w.clock.set(T0 + DAY);
      const record = {
        ticker: 'KXLIE-26NOV25-A',
        market_result: 'no',
        yes_count_fp: '6.00',
        no_count_fp: '0.00',
        revenue: lie.startsWith('revenue') ? 10_000_000_000 : 0,
        settled_time: lie.startsWith('revenue') ? new Date(T0 + DAY).toISOString() : '2999-01-01T00:00:00Z',
        fee_cost: '0.000000',
      };
      w.sim.inject({ kind: 'reply', status: 200, body: { settlements: [record], cursor: '' }, count: 1, method: 'GET', pathIncludes: '/portfolio/settlements' });
      await app.runCycle();
      const day2 = tradingDay(T0 + DAY, TZ);
      // Revenue is bounded by $1 a contract held on the side that won (none: the YES position lost), and a time in
      // 2999 is clamped to now: either way the $4.75 loss counts today.
      const loss = (app.journal.db.prepare('SELECT COALESCE(SUM(loss_e4), 0) AS l FROM settlements WHERE day = ?').get(day2) as { l: number }).l;
      expect(loss).toBeGreaterThan(47_000);
      expect(app.journal.db.prepare('SELECT revenue_e4 FROM settlements').get()).toEqual({ revenue_e4: 0 });
      expect(app.journal.orders.atRiskE4(day2)).toBeGreaterThanOrEqual(loss);
    });
  }
});
