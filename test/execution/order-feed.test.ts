// Stream mode books our orders from the pushed reports (user_orders and fill) instead of polling them: the real app
// with STREAM=on against the simulated exchange's WebSocket and REST on loopback, a temp SQLite journal. A lost or
// tampered push must end exactly as a REST report would: read over REST when the push does not say it all, bounded
// like any report when it lies. And a recent balance read, less what our orders may have taken since, stands in for
// a new read only when it covers the order.
import { afterEach, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import type { SimOptions } from '../../src/sim/index.js';
import { inBandMarket, type World, world } from '../support/app.js';

const until = async (cond: () => boolean, ms = 6000): Promise<void> => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
};

const A = 'KXFEED-26NOV27-A';
const B = 'KXFEED-26NOV27-B';
const outOfBand = (ticker: string) => ({ ...inBandMarket(ticker), yesBidCents: 48, yesAskCents: 50 });

let w: World | null = null;
afterEach(async () => {
  await w?.close();
  w = null;
});

async function boot(sim: SimOptions = {}): Promise<App> {
  w = await world({ ws: { tickMs: 5 }, ...sim });
  w.sim.addMarket(outOfBand(A));
  w.sim.addMarket(outOfBand(B));
  // The taker waits out a real fill timeout here (not the tests' 200 ms): a push must land well inside it.
  const app = await w.start({ STREAM: 'on' }, { stream: { silenceMs: 2000, backoff: { baseMs: 20, maxMs: 100 } }, executor: { pollMs: 10, fillTimeoutMs: 5000 } });
  await app.runCycle();
  app.stream!.start();
  await until(() => app.stream!.health().connected);
  await new Promise((r) => setTimeout(r, 50));
  return app;
}

const reads = (route: string) => w!.sim.stats().byRoute[`GET ${route}`] ?? 0;
const ORDER = '/portfolio/orders/:order_id';
const FILLS = '/portfolio/fills';
const BALANCE = '/portfolio/balance';

/** Move a market into the band and wait until its order is booked (final) in the journal. */
async function orderOn(app: App, ticker: string): Promise<ReturnType<App['journal']['orders']['get']> & object> {
  w!.sim.updateMarket(ticker, { yesBidCents: 76, yesAskCents: 78 });
  await until(() => app.journal.orders.recent(10).some((r) => r.ticker === ticker && r.final === 1));
  return app.journal.orders.recent(10).find((r) => r.ticker === ticker)!;
}

/** What the exchange took for an order's fills (price paid), from its own records. */
const paidOn = (ticker: string) =>
  w!.sim
    .fillsSnapshot()
    .filter((f) => f.ticker === ticker)
    .reduce((a, f) => a + Math.ceil((f.countE2 * f.paidE4) / 100), 0);

describe('orders booked from the stream', () => {
  it('confirms and books an order from its pushed reports: no REST read of the order or its fills', async () => {
    const app = await boot();
    const [o0, f0] = [reads(ORDER), reads(FILLS)];
    const row = await orderOn(app, A);
    expect([row.state, row.filled_e2, row.report_flag]).toEqual(['executed', 600, null]);
    // The journal's cost is the exchange's; its fill records are the pushed ones (fill id = the exchange's trade id).
    expect(row.fill_cost_e4).toBe(paidOn(A));
    const fills = app.journal.db.prepare('SELECT fill_id, count_e2 FROM fills WHERE order_id = ?').all(row.id) as { fill_id: string; count_e2: number }[];
    expect(fills.map((f) => f.count_e2).reduce((a, b) => a + b, 0)).toBe(600);
    expect(new Set(w!.sim.fillsSnapshot().map((f) => f.fillId))).toEqual(new Set(fills.map((f) => f.fill_id)));
    expect([reads(ORDER) - o0, reads(FILLS) - f0]).toEqual([0, 0]);
    expect(app.stream!.health().fillsBooked).toBe(1);
  });

  it('a lost user_order push: the order is read over REST after a moment and booked the same', async () => {
    const app = await boot();
    w!.sim.wsFault({ kind: 'lose', channel: 'user_orders', count: 100 });
    const o0 = reads(ORDER);
    const row = await orderOn(app, A);
    expect([row.state, row.filled_e2, row.report_flag, row.fill_cost_e4]).toEqual(['executed', 600, null, paidOn(A)]);
    expect(reads(ORDER) - o0).toBeGreaterThan(0);
  });

  it('a lost fill push: the fill records are read over REST (the push did not add up to the fill count)', async () => {
    const app = await boot();
    w!.sim.wsFault({ kind: 'lose', channel: 'fill', count: 1 });
    const f0 = reads(FILLS);
    const row = await orderOn(app, A);
    expect([row.state, row.filled_e2, row.report_flag, row.fill_cost_e4]).toEqual(['executed', 600, null, paidOn(A)]);
    expect(reads(FILLS) - f0).toBe(1);
  });

  it('a pushed fill count above the order is never a whole report: the order is booked from REST, correctly', async () => {
    const app = await boot();
    w!.sim.wsFault({ kind: 'tamper', channel: 'user_orders', msg: { status: 'executed', fill_count_fp: '60.00', remaining_count_fp: '0.00' } });
    const row = await orderOn(app, A);
    expect([row.state, row.filled_e2, row.report_flag, row.fill_cost_e4]).toEqual(['executed', 600, null, paidOn(A)]);
  });

  it('a pushed fill above the limit price is not believed: the worst case stays booked, flagged, and the chat hears', async () => {
    const app = await boot();
    w!.sim.wsFault({ kind: 'tamper', channel: 'fill', msg: { yes_price_dollars: '0.9900' } });
    const row = await orderOn(app, A);
    expect(row.report_flag).toMatch(/fill cost .* above 6 x the limit 0\.78/);
    expect(row.fill_cost_e4 + row.fees_e4).toBeGreaterThanOrEqual(row.worst_case_e4);
  });

  it("a pushed fill that does not say its side (the fill channel need not) is the order's own: still booked from the push", async () => {
    const app = await boot();
    w!.sim.wsFault({ kind: 'tamper', channel: 'fill', msg: { side: undefined } });
    const [o0, f0] = [reads(ORDER), reads(FILLS)];
    const row = await orderOn(app, A);
    expect([row.state, row.filled_e2, row.report_flag, row.fill_cost_e4]).toEqual(['executed', 600, null, paidOn(A)]);
    expect([reads(ORDER) - o0, reads(FILLS) - f0]).toEqual([0, 0]);
  });

  it('a pushed fill on the other side than the order bought is not believed: flagged, the worst case stays booked', async () => {
    const app = await boot();
    w!.sim.wsFault({ kind: 'tamper', channel: 'fill', msg: { side: 'no' } });
    const row = await orderOn(app, A);
    expect(row.report_flag).toMatch(/fill record\(s\) outside their bounds/);
    expect(row.fill_cost_e4 + row.fees_e4).toBeGreaterThanOrEqual(row.worst_case_e4);
  });

  it('a pushed fill without its fee is no whole report: the fills are read over REST and their fee is booked', async () => {
    const app = await boot();
    w!.sim.wsFault({ kind: 'tamper', channel: 'fill', msg: { fee_cost: undefined } });
    const f0 = reads(FILLS);
    const row = await orderOn(app, A);
    expect(reads(FILLS) - f0).toBe(1);
    const fee = w!.sim.fillsSnapshot().filter((f) => f.ticker === A).reduce((a, f) => a + f.feeE4, 0);
    expect(fee).toBeGreaterThan(0);
    expect([row.state, row.report_flag, row.fill_cost_e4]).toEqual(['executed', null, paidOn(A)]);
    expect(row.fees_e4).toBeGreaterThanOrEqual(fee);
  });

  it("the order's own pushed fee, when above its fills', is what is booked (the larger, as from REST)", async () => {
    const app = await boot();
    w!.sim.wsFault({ kind: 'tamper', channel: 'user_orders', msg: { taker_fees_dollars: '0.300000' } });
    const row = await orderOn(app, A);
    expect(row.fees_e4).toBeGreaterThanOrEqual(3_000);
  });

  it('a second order within seconds reuses the balance read only while it, less what the first may have taken, covers it', async () => {
    // $1,000: the read less the first order's worst case covers the second, so it is not read again.
    let app = await boot();
    await orderOn(app, A);
    let b0 = reads(BALANCE);
    await orderOn(app, B);
    expect(reads(BALANCE) - b0).toBe(0);
    await w!.close();

    // $9.60: after the first order (6 x 78c + fees, worst case $4.8221) the exchange has $4.8479 free, enough for the
    // second; the read less the first's worst case ($4.7779) is not, so the balance is read again and the order goes.
    app = await boot({ balanceCents: 960 });
    await orderOn(app, A);
    b0 = reads(BALANCE);
    const second = await orderOn(app, B);
    expect(reads(BALANCE) - b0).toBe(1);
    expect([second.state, second.filled_e2]).toEqual(['executed', 600]);
 
    await w!.close();

    // $1,000 again, but a transfer of $998 out of shard 0 is not settled yet: it may leave after the read, so the read
    // less it does not cover the second order, and the balance is read again.
    app = await boot();
    await orderOn(app, A);
    app.journal.transfers.insertSent({ fromShard: 0, toShard: 2, amountE4: 9_980_000, reason: 'test: in flight', now: w!.clock.now() });
    b0 = reads(BALANCE);
    await orderOn(app, B);
    expect(reads(BALANCE) - b0).toBe(1);
  });
});
