// Property: over random sequences of trades, full and partial fills, crashes and restarts, cap changes
// and day turns, the worst-case loss of a day never exceeds the daily cap, neither in the journal's
// ledger nor in what the exchange actually filled.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { tradingDay } from '../../src/clock.js';
import { SimulatedCrash } from '../../src/execution/executor.js';
import { DAY, T0, type World, crash, orderRecord, world } from '../support/app.js';

const TZ = 'America/New_York';
const TICKERS = ['KXP-26DEC01-A', 'KXP-26DEC01-B', 'KXP-26DEC01-C', 'KXP-26DEC01-D'];

type Step =
  | { kind: 'trade'; market: number; side: 'yes' | 'no'; contracts: number; crashAt: 'none' | 'intent' | 'send'; lateFillHours: number }
  | { kind: 'liquidity'; market: number; askSize: number; askCents: number }
  | { kind: 'hostile'; what: 'negative-fee' | 'negative-count' | 'no-cost' | 'order-report' }
  | { kind: 'restart' }
  | { kind: 'setCap'; dollars: number }
  | { kind: 'advance'; hours: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('trade' as const),
      market: fc.integer({ min: 0, max: TICKERS.length - 1 }),
      side: fc.constantFrom('yes' as const, 'no' as const),
      contracts: fc.integer({ min: 1, max: 40 }),
      crashAt: fc.constantFrom('none' as const, 'none' as const, 'none' as const, 'intent' as const, 'send' as const),
      // While the order rests, time passes (across midnight, say) and a counterparty fills what rests.
      lateFillHours: fc.constantFrom(0, 0, 0, 2, 14, 23),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('liquidity' as const),
      market: fc.integer({ min: 0, max: TICKERS.length - 1 }),
      askSize: fc.integer({ min: 1, max: 30 }),
      askCents: fc.integer({ min: 70, max: 87 }),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'restart' as const }) },
  // The exchange's next reports about our orders lie (a fee of -$20, a count of -6, a fill with no cost).
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('hostile' as const), what: fc.constantFrom('negative-fee' as const, 'negative-count' as const, 'no-cost' as const, 'order-report' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('setCap' as const), dollars: fc.integer({ min: 3, max: 60 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('advance' as const), hours: fc.integer({ min: 1, max: 30 }) }) },
);

let w: World;
let crashNext: 'none' | 'intent' | 'send' = 'none';
let lateFillHours = 0;
let current: App | null = null;
const hooks = {
  afterIntent: () => {
    if (crashNext === 'intent') throw new SimulatedCrash('intent');
  },
  afterSend: (id: number) => {
    if (lateFillHours > 0) {
      w.clock.advance(lateFillHours * 3_600_000);
      const exchangeId = current?.journal.orders.get(id)?.exchange_order_id;
      const resting = w.sim.ordersSnapshot().find((o) => o.order_id === exchangeId && o.status === 'resting');
      if (resting) w.sim.fillResting(resting.order_id);
    }
    if (crashNext === 'send') throw new SimulatedCrash('send');
  },
};

beforeAll(async () => {
  w = await world({ balanceCents: 100_000_000 });
});
afterAll(async () => {
  await w.close();
});

async function boot(): Promise<App> {
  const app = await w.start({}, { executor: { pollMs: 5, fillTimeoutMs: 30, hooks } });
  current = app;
  await app.reconcile();
  return app;
}

/** An order report that lies: executed, nothing paid, a negative fee (whichever order is read next). */
function hostileOrder(ticker: string): unknown {
  return orderRecord({
    order_id: 'hostile-order',
    client_order_id: 'hostile-client-id',
    ticker,
    taker_fill_cost_dollars: '0.000000',
    taker_fees_dollars: '-20.000000',
    created_time: new Date(w.clock.now()).toISOString(),
  });
}

/** A fills page that lies about an order (whichever order asks next). */
function hostileFills(what: 'negative-fee' | 'negative-count' | 'no-cost' | 'order-report'): unknown {
  const fill = {
    fill_id: `hostile-${what}-${Math.random()}`,
    order_id: 'whatever',
    ticker: 'KXP-HOSTILE',
    book_side: 'bid',
    outcome_side: 'yes',
    count_fp: what === 'negative-count' ? '-6.00' : '6.00',
    yes_price_dollars: what === 'no-cost' ? '0.0000' : '0.7800',
    is_taker: true,
    fee_cost: what === 'negative-fee' ? '-20.000000' : '0.020000',
    created_time: new Date(w.clock.now()).toISOString(),
  };
  return { fills: [fill], cursor: '' };
}

/** Realized losses of earlier days' positions booked into a day's ledger. */
const realized = (app: App, day: string): number =>
  (app.journal.db.prepare('SELECT COALESCE(SUM(realized_loss_e4), 0) AS l FROM risk_days WHERE day = ?').get(day) as { l: number }).l;

/** Money the exchange really took from this bot per trading day of the fill: what each fill paid, plus its fee. */
function exchangeSpentByDay(): Map<string, number> {
  const out = new Map<string, number>();
  for (const f of w.sim.fillsSnapshot()) {
    const day = tradingDay(f.tsMs, TZ);
    out.set(day, (out.get(day) ?? 0) + Math.ceil((f.countE2 * f.paidE4) / 100) + f.feeE4);
  }
  return out;
}

describe('the daily cap', () => {
  it('is never crossed, whatever happens', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 3, maxLength: 14 }), async (steps) => {
        run++;
        // Each run starts on its own fresh day, far from the others.
        w.clock.set(T0 + run * 10 * DAY);
        const tickers = TICKERS.map((t) => `${t}-${run}`);
        for (const t of tickers) {
          w.sim.addMarket({ ticker: t, yesBidCents: 20, yesAskCents: 78, yesAskSize: 10, yesBidSize: 10, volume24h: 9000, closeMs: w.clock.now() + 9 * DAY });
        }
        let app = await boot();
        // The largest cap in force each day: the day's ledger and fills can never exceed it.
        const capAt = new Map<string, number>();
        const noteCap = () => {
          const day = tradingDay(w.clock.now(), TZ);
          capAt.set(day, Math.max(capAt.get(day) ?? 0, app.journal.settings.get().dailyCapE4));
        };
        noteCap();
        for (const s of steps) {
          const ts = performance.now();
          if (s.kind === 'trade') {
            crashNext = s.crashAt;
            lateFillHours = s.lateFillHours;
            const q = w.sim.ordersSnapshot().length;
            const today = tradingDay(w.clock.now(), TZ);
            const capNow = app.journal.settings.get().dailyCapE4;
            const before = app.journal.orders.atRiskE4(today);
            const realizedBefore = realized(app, today);
            try {
              await app.executor.execute({
                ticker: tickers[s.market]!,
                title: '',
                side: s.side,
                contracts: s.contracts,
                priceE4: s.side === 'yes' ? 7800 : 8000,
                cycleId: null,
                approvalId: null,
              });
            } catch (err) {
              if (!(err instanceof SimulatedCrash)) throw err;
              crash(app);
              crashNext = 'none';
              app = await boot();
            }
            crashNext = 'none';
            lateFillHours = 0;
            noteCap(); // a late fill may have moved the clock to another day
            expect(w.sim.ordersSnapshot().length - q).toBeLessThanOrEqual(1);
            // A trade never lifts today's worst case above the cap in force (a lowered cap included). A loss of an
            // earlier position that settles meanwhile is booked first (the order then has that much less room).
            const settledMeanwhile = realized(app, today) - realizedBefore;
            expect(app.journal.orders.atRiskE4(today)).toBeLessThanOrEqual(Math.max(capNow, before + settledMeanwhile));
          } else if (s.kind === 'liquidity') {
            w.sim.updateMarket(tickers[s.market]!, { yesAskCents: s.askCents, yesAskSize: s.askSize, yesBidCents: 20, yesBidSize: s.askSize });
          } else if (s.kind === 'hostile' && s.what === 'order-report') {
            // The next reads of any order by id claim it executed for nothing with a fee of -$20.
            w.sim.inject({ kind: 'reply', status: 200, body: hostileOrder(tickers[0]!), count: 4, method: 'GET', pathIncludes: '/portfolio/orders/' });
          } else if (s.kind === 'hostile') {
            w.sim.inject({ kind: 'reply', status: 200, body: hostileFills(s.what), count: 3, method: 'GET', pathIncludes: '/portfolio/fills' });
          } else if (s.kind === 'restart') {
            await app.stop();
            app = await boot();
          } else if (s.kind === 'setCap') {
            app.control.setCap('prop', String(s.dollars), { confirmed: true });
          } else {
            w.clock.advance(s.hours * 3_600_000);
          }
          noteCap();
          if (process.env.PROP_DEBUG) console.log(s.kind, Math.round(performance.now() - ts));
          // The invariant, checked after every step, for every day touched so far.
          const spent = exchangeSpentByDay();
          for (const [day, cap] of capAt) {
            // What the exchange really took on a day stays within that day's cap, and the ledger never counts less.
            expect(spent.get(day) ?? 0).toBeLessThanOrEqual(cap);
            expect(app.journal.orders.atRiskE4(day)).toBeGreaterThanOrEqual(spent.get(day) ?? 0);
          }
        }
        // Every intent is settled after a final restart: none is left counting at its worst case forever.
        await app.stop();
        app = await boot();
        expect(app.journal.orders.unfinished()).toHaveLength(0);
        await app.stop();
      }),
      process.env.PROP_CASE
        ? { numRuns: 1, examples: [[JSON.parse(readFileSync(process.env.PROP_CASE, 'utf8'))]] }
        : { numRuns: Number(process.env.PROP_RUNS ?? 25) },
    );
  }, 120_000);
});
