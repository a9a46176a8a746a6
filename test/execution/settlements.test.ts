// A position bought on an earlier day that settles today at a loss counts against today's cap, once.
import { afterEach, describe, expect, it } from 'vitest';
import { DAY, T0, type World, world } from '../support/app.js';

let w: World;
afterEach(async () => {
  await w?.close();
});

describe('realized losses', () => {
  it('book an earlier position that settled at a loss into today, exactly once', async () => {
    w = await world();
    const ticker = 'KXOLD-26NOV25-A';
    w.clock.set(T0 - DAY);
    w.sim.addMarket({ ticker, yesBidCents: 76, yesAskCents: 78, volume24h: 9000, closeMs: T0 - DAY + 3_600_000, expectedExpirationMs: T0 - DAY + 3_600_000 });
    const yesterday = await w.start();
    const r = await yesterday.executor.execute({ ticker, title: '', side: 'yes', contracts: 6, priceE4: 7800, cycleId: null, approvalId: null });
    expect(r.kind).toBe('filled');
    const spent = yesterday.journal.orders.atRiskE4('2026-11-24');
    await yesterday.stop();
    w.apps.length = 0;

    // The market collapses and closes; NO wins.
    w.sim.updateMarket(ticker, { yesBidCents: 1, yesAskCents: 2 });
    w.clock.set(T0);
    const today = await w.start();
    expect(today.journal.orders.atRiskE4('2026-11-25')).toBe(0);
    await today.runCycle();
    const loss = today.journal.orders.atRiskE4('2026-11-25');
    expect(loss).toBe(spent); // the whole cost of yesterday's 6 contracts plus fees
    await today.runCycle();
    expect(today.journal.orders.atRiskE4('2026-11-25')).toBe(loss); // not booked twice
    expect(today.control.settings().dailyCapE4 - loss).toBeLessThan(500_000);
  });
});
