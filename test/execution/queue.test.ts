// Orders from the cycle and from approvals go through one queue; shutdown waits for it; a send whose
// outcome is unknown stays counted until its exchange-side expiry has passed.
import { afterEach, describe, expect, it } from 'vitest';
import { type World, buyYes, inBandMarket, world } from '../support/app.js';

let w: World;
afterEach(async () => {
  await w?.close();
});


describe('the order queue', () => {
  it('runs concurrent requests one after the other: each intent is written after the previous order settled', async () => {
    w = await world();
    w.sim.addMarket(inBandMarket('KXQ-26NOV27-A', 2)); // partial fill: the first order rests until the fill timeout
    w.sim.addMarket(inBandMarket('KXQ-26NOV27-B'));
    const unfinishedAtIntent: number[] = [];
    const app = await w.start(
      {},
      {
        executor: {
          pollMs: 10,
          fillTimeoutMs: 300,
          hooks: { afterIntent: () => void unfinishedAtIntent.push(app.journal.orders.unfinished().length) },
        },
      },
    );
    const [a, b] = await Promise.all([app.executor.execute(buyYes('KXQ-26NOV27-A')), app.executor.execute(buyYes('KXQ-26NOV27-B'))]);
    expect(a.kind).toBe('partial');
    expect(b.kind).toBe('filled');
    expect(unfinishedAtIntent).toEqual([1, 1]); // only itself: the other one had settled
    expect(app.executor.busy).toBe(false);
  });

  it('stop waits for the order in flight, cancels what rests, and refuses new orders', async () => {
    w = await world();
    w.sim.addMarket(inBandMarket('KXS-26NOV27-A', 2));
    const app = await w.start({}, { executor: { pollMs: 10, fillTimeoutMs: 5_000 } });
    const inFlight = app.executor.execute(buyYes('KXS-26NOV27-A'));
    await new Promise((r) => setTimeout(r, 100));
    const t = performance.now();
    await app.executor.stop();
    expect(performance.now() - t).toBeLessThan(3_000); // did not sit out the 5 s fill timeout
    expect((await inFlight).kind).toBe('partial');
    expect(w.sim.ordersSnapshot()[0]).toMatchObject({ status: 'canceled', filledE2: 200 });
    expect(app.journal.orders.unfinished()).toHaveLength(0);
    expect(await app.executor.execute(buyYes('KXS-26NOV27-A'))).toMatchObject({ kind: 'cap', reason: 'shutting down' });
    expect(w.sim.ordersSnapshot()).toHaveLength(1);
  });

  it('a send that never reached the exchange stays counted until its expiry has passed, then is closed', async () => {
    w = await world();
    w.sim.addMarket(inBandMarket('KXU-26NOV27-A'));
    const app = await w.start({}, { http: { retries: 2, baseDelayMs: 5, maxDelayMs: 10, timeoutMs: 1000 } });
    w.sim.inject({ kind: 'drop', count: 3, method: 'POST', pathIncludes: '/portfolio/events/orders' });
    const r = await app.executor.execute(buyYes('KXU-26NOV27-A'));
    expect(r.kind).toBe('unknown');
    const day = '2026-11-25';
    const worst = app.journal.orders.atRiskE4(day);
    expect(worst).toBeGreaterThan(6 * 7800); // counted at its worst case
    expect(await app.reconcile()).toMatchObject({ checked: 1, unresolved: 1, notSent: 0 });
    expect(app.journal.orders.atRiskE4(day)).toBe(worst);
    w.clock.advance(2 * 60_000);
    expect(await app.reconcile()).toMatchObject({ checked: 1, notSent: 1 });
    expect(app.journal.orders.atRiskE4(day)).toBe(0);
    expect(w.sim.ordersSnapshot()).toHaveLength(0);
  });
});
