// `npm run bench -- --styles [--days 2] [--markets 1500] [--edge 0] [--toxicity 0.5] [--rest 60] [--json]`: the two
// order styles on the same simulated days. The same seeded universe, clock path and outcomes, once with
// ORDER_STYLE=taker and once with maker, on an accelerated clock (waits and rests last simulated time); then every
// position is let settle, and each run reports its fill rate, fees per contract, win rate and realized edge (the
// share of contracts that won minus what each cost with its fee) from its own journal.
//
// The simulated exchange gives resting orders realistic fills (src/sim/flow.ts): taker flow arriving over time at a
// rate that follows each market's volume, a queue at each price, and informed flow (more of it on the side that will
// lose), so a maker saves the spread and the fee and pays in adverse selection and missed fills.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from './app.js';
import { ManualClock, sleep } from './clock.js';
import { loadConfig } from './config.js';
import { syncSettlements } from './execution/settlements.js';
import { silentLogger } from './log.js';
import { wilson } from './rules/calibration.js';
import { startSimExchange } from './sim/index.js';

export interface StyleRunOptions {
  markets: number;
  days: number;
  seed: number;
  /** SIM_FAVOURITE_EDGE (e4). */
  favouriteEdgeE4: number;
  /** How much more flow hits the side that will lose (0-1). */
  toxicity: number;
  makerRestSeconds: number;
  /** Simulated minutes between cycle starts. */
  cycleMinutes: number;
  /** Simulated milliseconds per real millisecond while maker orders rest after a cycle. */
  speed: number;
  /** Contracts per market at most (the bench spreads its money over many markets). */
  positionLimit: number;
  onProgress?: (line: string) => void;
}

export interface StyleResult {
  style: 'taker' | 'maker';
  cycles: number;
  /** Orders the exchange accepted, and those it refused (a post-only order that would have crossed). */
  orders: number;
  refused: number;
  orderedContracts: number;
  filledContracts: number;
  fillRate: number;
  /** Filled contracts by role. */
  takerContracts: number;
  makerContracts: number;
  /** Per filled contract, in cents. */
  avgPriceCents: number;
  feeCents: number;
  /** Markets held to settlement, share of contracts that won, its 95% interval (markets as the units). */
  markets: number;
  winRate: number;
  winLow: number;
  winHigh: number;
  /** Share won minus (price + fee) per contract, in percentage points; and the P&L, in dollars. */
  realizedEdgePp: number;
  pnlDollars: number;
}

export const STYLE_DEFAULTS: StyleRunOptions = {
  markets: 1500,
  days: 2,
  seed: 11,
  favouriteEdgeE4: 0,
  toxicity: 0.5,
  makerRestSeconds: 60,
  cycleMinutes: 10,
  speed: 1000,
  positionLimit: 12,
};

const T0 = Date.parse('2026-11-25T15:00:00Z');
const DAY = 86_400_000;

/** One style over the simulated days, on a universe of its own (the same seed: the same markets and outcomes). */
export async function runStyle(style: 'taker' | 'maker', o: StyleRunOptions): Promise<StyleResult> {
  const clock = new ManualClock(T0);
  const sim = await startSimExchange({
    markets: o.markets,
    combos: 0,
    seed: o.seed,
    clock: () => clock.now(),
    rateLimit: false,
    makerFlow: { toxicity: o.toxicity },
    favouriteEdgeE4: o.favouriteEdgeE4,
    settleClosed: true,
    balanceCents: 1_000_000_000,
    transferDelayMs: 0,
  });
  const dir = mkdtempSync(join(tmpdir(), 'kalshi-styles-'));
  const config = loadConfig({
    KALSHI_ENV: 'sim',
    DB_PATH: join(dir, 'bot.db'),
    ORDER_STYLE: style,
    MAKER_REST_SECONDS: String(o.makerRestSeconds),
    DAILY_LOSS_CAP: '1000000',
    MAX_COST_PER_TRADE: '5',
    POSITION_LIMIT: String(o.positionLimit),
    LOG_LEVEL: 'warn',
  });
  const app = await createApp({
    config,
    sim,
    clock,
    log: silentLogger,
    dailySummary: false,
    hydrateStreams: 2,
    // A maker's rest runs on the simulated clock (flow arrives in it); a taker's fill timeout is a few real ms, so its
    // unfilled rest is canceled at once (in 10 real seconds little more would fill).
    executor: { pollMs: 1, makerPollMs: 1, fillTimeoutMs: 20, waitClock: () => clock.now() },
    http: { baseDelayMs: 1, maxDelayMs: 5, timeoutMs: 5000 },
  });
  // The market stands still while a cycle scans and orders (a few real seconds); then simulated time runs at `speed`
  // while maker orders rest, and jumps to the next cycle.
  let running = false;
  let next = T0;
  let real = performance.now();
  const ticker = setInterval(() => {
    const now = performance.now();
    // Never past the next cycle's start: both styles get the same cycles on the same days.
    if (!running && app.executor.restingCount > 0) clock.set(Math.min(next - 1, clock.now() + Math.round((now - real) * o.speed)));
    real = now;
  }, 1);
  let cycles = 0;
  try {
    const end = T0 + o.days * DAY;
    while (clock.now() < end) {
      const started = clock.now();
      next = started + o.cycleMinutes * 60_000;
      running = true;
      const s = await app.runCycle().finally(() => {
        running = false;
      });
      if (s.error) throw new Error(`cycle ${s.cycleId}: ${s.error}`);
      cycles++;
      // Maker orders rest outside the cycle: let them end before the next one.
      while (app.executor.restingCount > 0) await sleep(1);
      if (cycles % 24 === 0) o.onProgress?.(`  ${style}: ${((clock.now() - T0) / DAY).toFixed(2)} days, ${cycles} cycles`);
      if (clock.now() < next) clock.set(next);
    }
    clearInterval(ticker);
    // Everything bought settles: past every close, then one read of the settlements.
    clock.set(end + 10 * DAY);
    await syncSettlements({ journal: app.journal, clock, timeZone: config.TIMEZONE, source: app.client, fromMs: T0 - DAY });
    return { ...measure(app.journal.db), style, cycles };
  } finally {
    clearInterval(ticker);
    await app.stop();
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

type Db = import('./journal/db.js').Db;

/** The run's figures from its own journal. */
function measure(db: Db): Omit<StyleResult, 'style' | 'cycles'> {
  const o = db
    .prepare(
      `SELECT COALESCE(SUM(state != 'rejected'), 0) AS orders, COALESCE(SUM(state = 'rejected'), 0) AS refused,
              COALESCE(SUM(CASE WHEN state != 'rejected' THEN count_e2 END), 0) AS ordered, COALESCE(SUM(filled_e2), 0) AS filled,
              COALESCE(SUM(fill_cost_e4), 0) AS cost, COALESCE(SUM(fees_e4), 0) AS fees
       FROM orders`,
    )
    .get() as { orders: number; refused: number; ordered: number; filled: number; cost: number; fees: number };
  const roles = db.prepare('SELECT COALESCE(SUM(CASE WHEN is_taker = 1 THEN count_e2 END), 0) AS taker, COALESCE(SUM(CASE WHEN is_taker = 0 THEN count_e2 END), 0) AS maker FROM fills').get() as {
    taker: number;
    maker: number;
  };
  // Per market held: contracts, what they cost with fees, and whether its side won (the settlement paid).
  const held = db
    .prepare(
      `SELECT o.ticker, SUM(o.filled_e2) AS n, SUM(o.fill_cost_e4 + o.fees_e4) AS paid, MAX(s.revenue_e4) > 0 AS won
       FROM orders o JOIN settlements s ON s.ticker = o.ticker WHERE o.filled_e2 > 0 GROUP BY o.ticker`,
    )
    .all() as Array<{ ticker: string; n: number; paid: number; won: number }>;
  const contracts = held.reduce((a, h) => a + h.n, 0);
  const wonContracts = held.reduce((a, h) => a + (h.won ? h.n : 0), 0);
  const paid = held.reduce((a, h) => a + h.paid, 0);
  const marketsWon = held.filter((h) => h.won).length;
  const [lo, hi] = wilson(held.length > 0 ? marketsWon / held.length : 0, held.length);
  const winRate = contracts > 0 ? wonContracts / contracts : 0;
  // paid is e4 dollars for e2 contracts: per contract, in dollars (= probability units) it is paid / contracts / 100.
  const costPerContract = contracts > 0 ? paid / contracts / 100 : 0;
  return {
    orders: o.orders,
    refused: o.refused,
    orderedContracts: o.ordered / 100,
    filledContracts: o.filled / 100,
    fillRate: o.ordered > 0 ? o.filled / o.ordered : 0,
    takerContracts: roles.taker / 100,
    makerContracts: roles.maker / 100,
    avgPriceCents: o.filled > 0 ? o.cost / o.filled : 0,
    feeCents: o.filled > 0 ? o.fees / o.filled : 0,
    markets: held.length,
    winRate,
    winLow: lo,
    winHigh: hi,
    realizedEdgePp: (winRate - costPerContract) * 100,
    pnlDollars: (wonContracts * 100 - paid) / 10_000,
  };
}

export async function compareStyles(o: StyleRunOptions): Promise<{ taker: StyleResult; maker: StyleResult }> {
  const taker = await runStyle('taker', o);
  const maker = await runStyle('maker', o);
  return { taker, maker };
}

const num = (args: string[], flag: string, def: number): number => {
  const i = args.indexOf(flag);
  const v = i >= 0 ? Number(args[i + 1]) : def;
  if (!Number.isFinite(v)) throw new Error(`${flag} must be a number`);
  return v;
};

export function formatStyles(r: { taker: StyleResult; maker: StyleResult }, o: StyleRunOptions): string {
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const rows: Array<[string, (x: StyleResult) => string]> = [
    ['cycles', (x) => String(x.cycles)],
    ['orders accepted / refused (post-only cross)', (x) => `${x.orders} / ${x.refused}`],
    ['contracts ordered -> filled (fill rate)', (x) => `${x.orderedContracts} -> ${x.filledContracts} (${pct(x.fillRate)})`],
    ['filled as taker / as maker', (x) => `${x.takerContracts} / ${x.makerContracts}`],
    ['avg price paid, fee per contract', (x) => `${x.avgPriceCents.toFixed(2)}¢, ${x.feeCents.toFixed(3)}¢`],
    ['markets held to settlement', (x) => String(x.markets)],
    ['won (95% CI, by market)', (x) => `${pct(x.winRate)} (${pct(x.winLow)}-${pct(x.winHigh)})`],
    ['realized edge (won - price - fee)', (x) => `${x.realizedEdgePp >= 0 ? '+' : ''}${x.realizedEdgePp.toFixed(2)}pp`],
    ['P&L', (x) => `$${x.pnlDollars.toFixed(2)}`],
  ];
  const w = Math.max(...rows.map(([k]) => k.length));
  return [
    `order styles on the same ${o.days} simulated days: ${o.markets} markets, seed ${o.seed}, favourite edge ${(o.favouriteEdgeE4 / 100).toFixed(1)}pp, flow toxicity ${o.toxicity}, maker rest ${o.makerRestSeconds} s`,
    `${''.padEnd(w)}  ${'taker'.padEnd(28)}maker`,
    ...rows.map(([k, f]) => `${k.padEnd(w)}  ${f(r.taker).padEnd(28)}${f(r.maker)}`),
  ].join('\n');
}

export async function stylesBenchCommand(args: string[]): Promise<void> {
  const o: StyleRunOptions = {
    ...STYLE_DEFAULTS,
    markets: num(args, '--markets', STYLE_DEFAULTS.markets),
    days: num(args, '--days', STYLE_DEFAULTS.days),
    seed: num(args, '--seed', STYLE_DEFAULTS.seed),
    favouriteEdgeE4: Math.round(num(args, '--edge', 0) * 10_000),
    toxicity: num(args, '--toxicity', STYLE_DEFAULTS.toxicity),
    makerRestSeconds: num(args, '--rest', STYLE_DEFAULTS.makerRestSeconds),
    onProgress: (l) => process.stderr.write(`${l}\n`),
  };
  const t0 = performance.now();
  const r = await compareStyles(o);
  if (args.includes('--json')) process.stdout.write(`${JSON.stringify(r)}\n`);
  else process.stdout.write(`${formatStyles(r, o)}\n(${((performance.now() - t0) / 1000).toFixed(0)} s)\n`);
}
