// A lost create response, a crash between intent and send, and a crash between send and fill each end
// with exactly one order on the exchange and a journal that matches it.
import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedCrash } from '../../src/execution/executor.js';
import { type World, buyYes, crash, crashingAt, inBandMarket, world } from '../support/app.js';

let w: World;
afterEach(async () => {
  await w?.close();
});



function journalMatchesExchange(app: Awaited<ReturnType<World['start']>>, ticker: string) {
  const onExchange = w.sim.ordersSnapshot().filter((o) => o.ticker === ticker);
  expect(onExchange).toHaveLength(1);
  const rows = app.journal.db.prepare('SELECT * FROM orders WHERE ticker = ? AND exchange_order_id IS NOT NULL').all(ticker) as {
    exchange_order_id: string;
    filled_e2: number;
    final: number;
    client_order_id: string;
  }[];
  expect(rows).toHaveLength(1);
  expect(rows[0]).toMatchObject({
    exchange_order_id: onExchange[0]!.order_id,
    client_order_id: onExchange[0]!.client_order_id,
    filled_e2: onExchange[0]!.filledE2,
    final: 1,
  });
  return onExchange[0]!;
}

describe('execution never double-orders', () => {
  it('a lost create response is retried with the same client_order_id and resolves to the one order', async () => {
    w = await world();
    w.sim.addMarket(inBandMarket('KXLOST-26NOV27-A'));
    const app = await w.start();
    w.sim.inject({ kind: 'drop-after', count: 1, method: 'POST', pathIncludes: '/portfolio/events/orders' });
    const r = await app.executor.execute(buyYes('KXLOST-26NOV27-A'));
    expect(r.kind).toBe('filled');
    // The answer really was lost and the create really was sent again (then answered 409).
    expect(w.sim.stats().byRoute['POST /portfolio/events/orders']).toBe(2);
    const o = journalMatchesExchange(app, 'KXLOST-26NOV27-A');
    expect(o.filledE2).toBe(600);
    expect(o.status).toBe('executed');
    // The exchange's fills are kept beside the order and add up to it.
    const fills = app.journal.db.prepare('SELECT SUM(count_e2) AS n, COUNT(*) AS rows FROM fills').get() as { n: number; rows: number };
    expect(fills.n).toBe(600);
    expect(fills.rows).toBeGreaterThan(0);
  });

  it('a lost answer whose retry is refused (not 409) is looked up, not journaled as rejected', async () => {
    w = await world();
    w.sim.addMarket(inBandMarket('KXREFUSE-26NOV27-A'));
    const app = await w.start();
    w.sim.inject({ kind: 'drop-after', count: 1, method: 'POST', pathIncludes: '/portfolio/events/orders' });
    w.sim.inject({
      kind: 'reply',
      count: 1,
      method: 'POST',
      pathIncludes: '/portfolio/events/orders',
      status: 400,
      body: { error: { code: 'insufficient_balance', message: 'insufficient balance', service: 'exchange' } },
    });
    const r = await app.executor.execute(buyYes('KXREFUSE-26NOV27-A'));
    expect(r.kind).toBe('filled');
    const o = journalMatchesExchange(app, 'KXREFUSE-26NOV27-A');
    expect(o.filledE2).toBe(600);
    expect(app.journal.orders.atRiskE4('2026-11-25')).toBeGreaterThanOrEqual(6 * 7800);
  });

  it('a crash between intent and send: the intent is closed at restart and the next cycle places exactly one order', async () => {
    w = await world();
    w.sim.addMarket(inBandMarket('KXCRASH-26NOV27-A'));
    const first = await w.start({}, crashingAt('intent'));
    await expect(first.executor.execute(buyYes('KXCRASH-26NOV27-A'))).rejects.toThrow(SimulatedCrash);
    expect(first.journal.orders.unfinished()).toHaveLength(1);
    // Before the restart, the unfinished intent counts against the cap at its worst case.
    expect(first.journal.orders.atRiskE4('2026-11-25')).toBeGreaterThan(0);
    crash(first);
    expect(w.sim.ordersSnapshot()).toHaveLength(0);

    const second = await w.start();
    const rec = await second.reconcile();
    expect(rec).toMatchObject({ checked: 1, notSent: 1, unresolved: 0 });
    const s = await second.runCycle();
    expect(s.orders).toHaveLength(1);
    journalMatchesExchange(second, 'KXCRASH-26NOV27-A');
    const closed = second.journal.db.prepare(`SELECT state, error FROM orders WHERE exchange_order_id IS NULL`).get() as { state: string; error: string };
    expect(closed).toEqual({ state: 'canceled', error: 'never reached the exchange' });
  });

  it('a crash between send and fill: restart finds the resting order, cancels the rest and records the partial fill', async () => {
    w = await world();
    w.sim.addMarket(inBandMarket('KXHALF-26NOV27-A', 2)); // only 2 contracts at the ask: 2 fill, 4 rest
    const first = await w.start({}, crashingAt('send'));
    await expect(first.executor.execute(buyYes('KXHALF-26NOV27-A'))).rejects.toThrow(SimulatedCrash);
    crash(first);
    expect(w.sim.ordersSnapshot()[0]).toMatchObject({ status: 'resting', filledE2: 200 });

    const second = await w.start();
    const rec = await second.reconcile();
    expect(rec).toMatchObject({ checked: 1, canceled: 1, unresolved: 0 });
    const o = journalMatchesExchange(second, 'KXHALF-26NOV27-A');
    expect(o).toMatchObject({ status: 'canceled', filledE2: 200 });
    // What counts against the cap now is what was actually spent, not the 6-contract worst case.
    const row = second.journal.orders.unfinished();
    expect(row).toHaveLength(0);
    const spent = second.journal.db.prepare('SELECT fill_cost_e4, fees_e4, state FROM orders').get() as { fill_cost_e4: number; fees_e4: number; state: string };
    expect(spent.state).toBe('canceled');
    expect(spent.fill_cost_e4).toBe(2 * 7800);
    expect(second.journal.orders.atRiskE4('2026-11-25')).toBe(spent.fill_cost_e4 + spent.fees_e4);
    // Nothing was sent twice: a second reconcile has nothing to do.
    expect(await second.reconcile()).toMatchObject({ checked: 0 });
  });

  it('an order the shard cannot pay for is not sent: the reason names the shard, the free money and the need', async () => {
    w = await world({ balanceCents: 100 }); // $1 on shard 0: a $4.82 worst case does not fit
    w.sim.addMarket(inBandMarket('KXPOOR-26NOV27-A'));
    const app = await w.start();
    const r = await app.executor.execute(buyYes('KXPOOR-26NOV27-A'));
    expect(r).toEqual({ kind: 'funds', reason: 'shard 0 has $1.00 free, needs $4.8221' }); // 6 x 78c + the worst-case fee $0.1421
    expect(app.journal.orders.recent(5)).toHaveLength(0);
    expect(w.sim.ordersSnapshot()).toHaveLength(0);
  });

  it('an order the exchange refuses is journaled as rejected and costs nothing', async () => {
    w = await world();
    w.sim.addMarket(inBandMarket('KXPOOR-26NOV27-A'));
    const app = await w.start();
    // Refused by the exchange itself (its balance view can differ from the one read just before).
    w.sim.inject({ kind: 'reply', status: 400, body: { error: { code: 'insufficient_balance', message: 'insufficient balance' } }, count: 1, method: 'POST', pathIncludes: '/portfolio/events/orders' });
    const r = await app.executor.execute(buyYes('KXPOOR-26NOV27-A'));
    expect(r).toMatchObject({ kind: 'rejected', reason: 'insufficient_balance', status: 400 });
    expect(app.journal.orders.atRiskE4('2026-11-25')).toBe(0);
    expect(w.sim.ordersSnapshot()).toHaveLength(0);
  });
});
