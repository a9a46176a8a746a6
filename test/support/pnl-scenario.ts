// A trading history for the P&L commands, on the real app and the simulated exchange: 6 YES at 78¢ bought in each of
// three markets; one settles YES (won), one settles NO (lost), one stays open (its title is hostile HTML).
import type { App } from '../../src/app.js';
import { syncSettlements } from '../../src/execution/settlements.js';
import { DAY, T0, type World, buyYes, inBandMarket } from './app.js';

export const WIN = 'KXWIN-26NOV25-A';
export const LOSE = 'KXLOSE-26NOV25-B';
export const OPEN = 'KXOPEN-26NOV27-C';
export const HOSTILE = '<b>&"x</b>';
/** When the two markets close (and settle, five minutes later in the sim). */
export const SOON = T0 + 3_600_000;

/** What each order cost and its fee: 6 x 78¢, and the taker fee 0.07 x 6 x 0.78 x 0.22 = $0.072072, rounded up. */
export const COST_E4 = 46_800;
export const FEE_E4 = 721;

export async function pnlHistory(w: World, env: Record<string, string> = {}): Promise<App> {
  w.sim.addMarket({ ...inBandMarket(WIN), category: 'Sports', title: 'Will the home team win?', closeMs: SOON, expectedExpirationMs: SOON });
  w.sim.addMarket({ ...inBandMarket(LOSE), category: 'Economics', title: 'Will CPI rise?', closeMs: SOON, expectedExpirationMs: SOON });
  w.sim.addMarket({ ...inBandMarket(OPEN), category: 'Economics', title: HOSTILE, expectedExpirationMs: T0 + 2 * DAY });
  const app = await w.start({ TIMEZONE: 'America/New_York', ...env });
  // Sports trades on shard 3: $10 moved there from shard 0 first (the world's transfers complete at once).
  await app.client.createTransfer({ fromShard: 0, toShard: 3, amountE4: 100_000 });
  for (const [ticker, title] of [
    [WIN, 'Will the home team win?'],
    [LOSE, 'Will CPI rise?'],
    [OPEN, HOSTILE],
  ] as const) {
    const r = await app.executor.execute({ ...buyYes(ticker), title, exchangeIndex: w.sim.shardOf(ticker) });
    if (r.kind !== 'filled') throw new Error(`${ticker}: ${r.kind}`);
  }
  w.sim.updateMarket(WIN, { result: 'yes' });
  w.sim.updateMarket(LOSE, { result: 'no' });
  w.clock.set(SOON + 6 * 60_000);
  await syncSettlements({ journal: app.journal, clock: app.clock, timeZone: 'America/New_York', source: app.client });
  return app;
}
