// P&L at a glance, as plain data: open positions marked at the bid, realized P&L by day (and cumulative, with the
// day's cap), totals since the start, the daily table, performance by category, the balance per shard. No chat
// types: src/chat/commands-pnl.ts formats these for Telegram and the terminal alike.
//
// What "realized" means here: for each market the bot bought with real money that has settled, what the settlement
// paid minus what the bot's filled orders on it cost, minus their fees, counted on the trading day the settlement was
// booked. Fees are those the journal booked: the exchange's trade fees plus the rounding fee Kalshi may add to floor
// the balance to the cent, at its bound of 1¢ an order (so a result errs low by at most a cent an order).
// A market with a positive result is a win, a negative one a loss, zero is even. The journal's settlement
// sync (each cycle, and before each order) is what these see: nothing here asks the exchange for settlements.
//
// Paper rows (a dry run's fills) are not money and never settle on the exchange: they are left out of every figure
// and reported apart (a count and their notional cost in /profit, their holdings marked at the bid in /positions).
import { z } from 'zod';
import { type Clock, tradingDay } from '../clock.js';
import type { Market } from '../kalshi/market-schema.js';
import type { Balance, Position } from '../kalshi/schemas.js';
import type { Journal } from '../journal/index.js';
import type { SettledMarketRow } from '../journal/pnl-queries.js';
import { CONTRACT_PAYOUT_E4, E2_PER_CONTRACT } from '../money.js';
import type { Mode } from '../notify/alerts.js';
import type { CategoryCache } from '../pipeline/categories.js';
import type { Parsed } from './args.js';

export interface PnlClient {
  getPositions(): Promise<Position[]>;
  getBalance(): Promise<Balance>;
  getMarketsPage(params: { tickers?: string[]; limit?: number; mveFilter?: 'exclude' | 'only' | 'all' }): Promise<{ markets: Market[] }>;
}

export interface PnlDeps {
  journal: Journal;
  clock: Clock;
  client: PnlClient;
  categories: Pick<CategoryCache, 'ensure' | 'categoryOf'>;
  mode: Mode;
  timeZone: string;
}

/** The longest window /pnl and /daily take. */
export const MAX_DAYS = 90;
export const DEFAULT_DAYS = 7;

/** "/pnl [days]": nothing -> 7; 1 to 90 whole days; anything else -> the usage line. */
export function parseDays(text: string, command: string): Parsed<number> {
  const t = text.trim();
  if (t === '') return { ok: true, value: DEFAULT_DAYS };
  const r = z.string().regex(/^\d{1,3}$/).transform(Number).pipe(z.number().int().min(1).max(MAX_DAYS)).safeParse(t);
  return r.success ? { ok: true, value: r.data } : { ok: false, error: `Usage: /${command} [days], days from 1 to ${MAX_DAYS} (default ${DEFAULT_DAYS}).` };
}

/** "2026-11-25" + n days (calendar arithmetic, so a DST change never skips or repeats a day). */
export function addDays(day: string, n: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}

/** The last `n` trading days up to and including `today`, oldest first. */
export function lastDays(today: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => addDays(today, i - n + 1));
}

const today = (d: PnlDeps) => tradingDay(d.clock.now(), d.timeZone);

/** A settled market's realized result: revenue - cost - fees. */
export const pnlOf = (s: Pick<SettledMarketRow, 'revenue_e4' | 'cost_e4' | 'fees_e4'>): number => s.revenue_e4 - s.cost_e4 - s.fees_e4;

/** The daily cap in force at the end of each day, from the settings' audit trail (the current cap where it has none). */
export function capsByDay(d: Pick<PnlDeps, 'journal' | 'timeZone'>, days: readonly string[]): Map<string, number> {
  const changes = d.journal.pnl.capChanges();
  const current = d.journal.settings.get().dailyCapE4;
  const num = (json: string | null): number | null => {
    const v = json === null ? null : Number(JSON.parse(json));
    return v !== null && Number.isSafeInteger(v) ? v : null;
  };
  const out = new Map<string, number>();
  for (const day of days) {
    let cap = changes.length > 0 ? (num(changes[0]!.old_value) ?? current) : current;
    for (const c of changes) {
      if (tradingDay(c.changed_at, d.timeZone) > day) break;
      cap = num(c.new_value) ?? cap;
    }
    out.set(day, cap);
  }
  return out;
}

interface Tally {
  settled: number;
  won: number;
  lost: number;
  realizedE4: number;
}

const emptyTally = (): Tally => ({ settled: 0, won: 0, lost: 0, realizedE4: 0 });

function add(t: Tally, s: SettledMarketRow): void {
  const p = pnlOf(s);
  t.settled += 1;
  if (p > 0) t.won += 1;
  else if (p < 0) t.lost += 1;
  t.realizedE4 += p;
}

// ---------- /pnl ----------

export interface PnlDayRow extends Tally {
  day: string;
  /** Realized P&L from the window's first day up to this one. */
  cumulativeE4: number;
  capE4: number;
}

export interface PnlByDay extends Tally {
  days: number;
  from: string;
  to: string;
  /** Every day of the window, oldest first (days with nothing settled included, at 0). */
  rows: PnlDayRow[];
  /** Realized P&L since the journal began. */
  sinceStartE4: number;
}

export function pnlByDay(d: PnlDeps, days: number): PnlByDay {
  const dayList = lastDays(today(d), days);
  const from = dayList[0]!;
  const caps = capsByDay(d, dayList);
  const all = d.journal.pnl.settledMarkets();
  const byDay = new Map(dayList.map((day) => [day, emptyTally()]));
  const total = emptyTally();
  let sinceStartE4 = 0;
  for (const s of all) {
    sinceStartE4 += pnlOf(s);
    const t = byDay.get(s.day);
    if (!t) continue;
    add(t, s);
    add(total, s);
  }
  let cumulativeE4 = 0;
  const rows = dayList.map((day) => {
    const t = byDay.get(day)!;
    cumulativeE4 += t.realizedE4;
    return { day, ...t, cumulativeE4, capE4: caps.get(day)! };
  });
  return { days, from, to: dayList.at(-1)!, rows, ...total, sinceStartE4 };
}

// ---------- /daily ----------

export interface DailyRow extends Tally {
  day: string;
  /** Orders placed that day that filled (real money), their contracts, cost and fees. */
  orders: number;
  filledE2: number;
  spentE4: number;
  feesE4: number;
  capE4: number;
}

export interface DailyView {
  days: number;
  /** Newest first, every day of the window. */
  rows: DailyRow[];
  totals: Tally & { orders: number; spentE4: number; feesE4: number };
}

export function daily(d: PnlDeps, days: number): DailyView {
  const dayList = lastDays(today(d), days);
  const from = dayList[0]!;
  const caps = capsByDay(d, dayList);
  const settled = new Map(dayList.map((day) => [day, emptyTally()]));
  for (const s of d.journal.pnl.settledMarkets(from)) {
    const t = settled.get(s.day);
    if (t) add(t, s);
  }
  const fills = new Map(d.journal.pnl.fillsByDay(from).map((f) => [f.day, f]));
  const rows = dayList
    .map((day) => {
      const f = fills.get(day);
      return { day, ...settled.get(day)!, orders: f?.orders ?? 0, filledE2: f?.filled_e2 ?? 0, spentE4: f?.cost_e4 ?? 0, feesE4: f?.fees_e4 ?? 0, capE4: caps.get(day)! };
    })
    .reverse();
  const totals = { ...emptyTally(), orders: 0, spentE4: 0, feesE4: 0 };
  for (const r of rows) {
    totals.settled += r.settled;
    totals.won += r.won;
    totals.lost += r.lost;
    totals.realizedE4 += r.realizedE4;
    totals.orders += r.orders;
    totals.spentE4 += r.spentE4;
    totals.feesE4 += r.feesE4;
  }
  return { days, rows, totals };
}

// ---------- /profit ----------

export interface MarketResult {
  ticker: string;
  title: string;
  day: string;
  pnlE4: number;
}

export interface ProfitView extends Tally {
  /** Settled markets that came out at exactly zero. */
  even: number;
  /** Filled orders with real money since the start (settled or not). */
  trades: { orders: number; markets: number; filledE2: number; spentE4: number; feesE4: number; firstAt: number | null; lastAt: number | null };
  /** Of the realized figure: what settlements paid, what those markets cost, and their fees. */
  revenueE4: number;
  settledCostE4: number;
  settledFeesE4: number;
  /** Bought, not settled yet. */
  open: { markets: number; costE4: number; feesE4: number };
  best: MarketResult | null;
  worst: MarketResult | null;
  /** A dry run's paper fills (not money), or null when there are none. */
  paper: { orders: number; markets: number; costE4: number; feesE4: number } | null;
}

export function profit(d: PnlDeps): ProfitView {
  const q = d.journal.pnl;
  const t = q.tradeTotals();
  const settled = q.settledMarkets();
  const tally = emptyTally();
  let revenueE4 = 0;
  let settledCostE4 = 0;
  let settledFeesE4 = 0;
  let best: MarketResult | null = null;
  let worst: MarketResult | null = null;
  for (const s of settled) {
    add(tally, s);
    revenueE4 += s.revenue_e4;
    settledCostE4 += s.cost_e4;
    settledFeesE4 += s.fees_e4;
    const r = { ticker: s.ticker, title: s.title, day: s.day, pnlE4: pnlOf(s) };
    if (!best || r.pnlE4 > best.pnlE4) best = r;
    if (!worst || r.pnlE4 < worst.pnlE4) worst = r;
  }
  const open = q.openMarkets();
  const paper = q.paperTotals();
  return {
    ...tally,
    even: tally.settled - tally.won - tally.lost,
    trades: { orders: t.orders, markets: t.markets, filledE2: t.filled_e2, spentE4: t.cost_e4, feesE4: t.fees_e4, firstAt: t.first_at, lastAt: t.last_at },
    revenueE4,
    settledCostE4,
    settledFeesE4,
    open: { markets: open.markets, costE4: open.cost_e4, feesE4: open.fees_e4 },
    best: settled.length > 1 ? best : null,
    worst: settled.length > 1 ? worst : null,
    paper: paper.orders > 0 ? { orders: paper.orders, markets: paper.markets, costE4: paper.cost_e4, feesE4: paper.fees_e4 } : null,
  };
}

// ---------- /performance ----------

export interface CategoryRow extends Tally {
  category: string;
  costE4: number;
  feesE4: number;
}

export interface PerformanceView extends Tally {
  /** Best category first. */
  rows: CategoryRow[];
}

/** A market's event ticker by Kalshi's convention (EVENT-SUFFIX): what the category cache looks up. */
export const eventOf = (ticker: string): string => (ticker.includes('-') ? ticker.slice(0, ticker.lastIndexOf('-')) : ticker);

export const UNKNOWN_CATEGORY = 'Unknown';

export async function performance(d: PnlDeps): Promise<PerformanceView> {
  const settled = d.journal.pnl.settledMarkets();
  // The cycle keeps the cache warm; a cold one costs the series list once (and an event read for odd tickers).
  await d.categories.ensure(settled.map((s) => eventOf(s.ticker))).catch(() => undefined);
  const rows = new Map<string, CategoryRow>();
  const total = emptyTally();
  for (const s of settled) {
    const category = d.categories.categoryOf(eventOf(s.ticker)) || UNKNOWN_CATEGORY;
    let r = rows.get(category);
    if (!r) rows.set(category, (r = { category, ...emptyTally(), costE4: 0, feesE4: 0 }));
    add(r, s);
    add(total, s);
    r.costE4 += s.cost_e4;
    r.feesE4 += s.fees_e4;
  }
  return { ...total, rows: [...rows.values()].sort((a, b) => b.realizedE4 - a.realizedE4 || a.category.localeCompare(b.category)) };
}

// ---------- /positions ----------

export interface PositionView {
  ticker: string;
  /** The market's title ('' when neither the exchange nor the journal has one). */
  title: string;
  side: 'yes' | 'no';
  countE2: number;
  /** What the position cost (fees apart), and per contract. */
  costE4: number;
  avgPriceE4: number;
  feesE4: number;
  /** The bid of the side held (what selling now would get), null when there is none or the market does not trade. */
  priceE4: number | null;
  valueE4: number | null;
  /** value - cost - fees; null when there is no price. */
  unrealizedE4: number | null;
  /** When the market is expected to settle; null when the exchange did not say. */
  settlesMs: number | null;
  /** The market's status on the exchange ('active', 'closed', ...), null when it was not found. */
  status: string | null;
  exchangeIndex: number | null;
}

export interface PositionsView {
  /** Real positions on the exchange, the soonest to settle first. */
  positions: PositionView[];
  /** Totals over the priced positions; `unpriced` counts the others. */
  costE4: number;
  valueE4: number;
  unrealizedE4: number;
  unpriced: number;
  /** Market data could not be read: no position has a price. */
  pricesUnavailable: boolean;
  /** A dry run's recent paper holdings whose markets have not settled (not money), soonest to settle first. */
  paper: PositionView[];
}

/** Paper holdings older than this are not marked (their markets have almost always settled). */
const PAPER_WINDOW_MS = 30 * 86_400_000;
const PAPER_MAX = 100;
/** Tickers per GET /markets?tickers=... */
const TICKERS_PER_PAGE = 100;
const SETTLED_STATUSES = new Set(['determined', 'disputed', 'amended', 'finalized', 'settled']);

async function marketsOf(client: PnlClient, tickers: string[]): Promise<Map<string, Market> | null> {
  const out = new Map<string, Market>();
  const unique = [...new Set(tickers)];
  try {
    for (let i = 0; i < unique.length; i += TICKERS_PER_PAGE) {
      const page = await client.getMarketsPage({ tickers: unique.slice(i, i + TICKERS_PER_PAGE), limit: 1000, mveFilter: 'all' });
      for (const m of page.markets) out.set(m.ticker, m);
    }
  } catch {
    return null;
  }
  return out;
}

/** The bid of the side held: YES sells into the YES bid, NO into 1 - the YES ask. Only while the market trades. */
function bidOf(m: Market | undefined, side: 'yes' | 'no'): number | null {
  if (!m || m.status !== 'active') return null;
  if (side === 'yes') return m.yesBidSizeE2 > 0 ? m.yesBidE4 : null;
  return m.yesAskSizeE2 > 0 ? CONTRACT_PAYOUT_E4 - m.yesAskE4 : null;
}

function view(p: { ticker: string; title: string; side: 'yes' | 'no'; countE2: number; costE4: number; feesE4: number; exchangeIndex: number | null }, m: Market | undefined): PositionView {
  const priceE4 = bidOf(m, p.side);
  const valueE4 = priceE4 === null ? null : Math.floor((p.countE2 * priceE4) / E2_PER_CONTRACT);
  return {
    ...p,
    title: m?.title || p.title,
    avgPriceE4: p.countE2 > 0 ? Math.round((p.costE4 * E2_PER_CONTRACT) / p.countE2) : 0,
    priceE4,
    valueE4,
    unrealizedE4: valueE4 === null ? null : valueE4 - p.costE4 - p.feesE4,
    settlesMs: m?.settlesMs ?? null,
    status: m?.status ?? null,
  };
}

const bySettle = (a: PositionView, b: PositionView) =>
  (a.settlesMs ?? Number.POSITIVE_INFINITY) - (b.settlesMs ?? Number.POSITIVE_INFINITY) || a.ticker.localeCompare(b.ticker) || a.side.localeCompare(b.side);

export async function positions(d: PnlDeps): Promise<PositionsView> {
  const held = (await d.client.getPositions()).filter((p) => p.positionE2 !== 0);
  const paperRows = d.mode === 'DRY-RUN' ? d.journal.pnl.paperHoldings(d.clock.now() - PAPER_WINDOW_MS, PAPER_MAX) : [];
  const markets = await marketsOf(d.client, [...held.map((p) => p.ticker), ...paperRows.map((p) => p.ticker)]);
  const titles = d.journal.pnl.titles(held.map((p) => p.ticker));
  const real = held
    .map((p) =>
      view(
        {
          ticker: p.ticker,
          title: titles.get(p.ticker) ?? '',
          side: p.positionE2 > 0 ? 'yes' : 'no',
          countE2: Math.abs(p.positionE2),
          costE4: p.exposureE4,
          feesE4: p.feesPaidE4,
          exchangeIndex: p.exchangeIndex,
        },
        markets?.get(p.ticker),
      ),
    )
    .sort(bySettle);
  const paper = paperRows
    .filter((p) => {
      const m = markets?.get(p.ticker);
      return m !== undefined && !SETTLED_STATUSES.has(m.status);
    })
    .map((p) => view({ ticker: p.ticker, title: p.title, side: p.side, countE2: p.filled_e2, costE4: p.cost_e4, feesE4: p.fees_e4, exchangeIndex: null }, markets?.get(p.ticker)))
    .sort(bySettle);
  const priced = real.filter((p) => p.valueE4 !== null);
  const sum = (f: (p: PositionView) => number) => priced.reduce((a, p) => a + f(p), 0);
  return {
    positions: real,
    costE4: sum((p) => p.costE4),
    valueE4: sum((p) => p.valueE4 ?? 0),
    unrealizedE4: sum((p) => p.unrealizedE4 ?? 0),
    unpriced: real.length - priced.length,
    pricesUnavailable: markets === null && real.length > 0,
    paper,
  };
}

// ---------- /balance ----------

export interface BalanceView {
  /** Free money over every shard (sub-cent digits kept where the exchange sent them). */
  totalE4: number;
  /** What open positions are worth at the bid, as the exchange values them; null when it did not say. */
  portfolioValueE4: number | null;
  /** Free money per shard, ascending; null when the exchange sent no breakdown. */
  shards: { exchangeIndex: number; balanceE4: number }[] | null;
  updatedMs: number | null;
  /** The journal's view: what the bot's unsettled markets cost. */
  openCostE4: number;
  openMarkets: number;
}

export async function balance(d: PnlDeps): Promise<BalanceView> {
  const b = await d.client.getBalance();
  const open = d.journal.pnl.openMarkets();
  return {
    totalE4: b.balanceExactE4 ?? b.balanceE4,
    portfolioValueE4: b.portfolioValueE4,
    shards: b.shards ? [...b.shards].sort((x, y) => x.exchangeIndex - y.exchangeIndex) : null,
    updatedMs: b.updatedMs,
    openCostE4: open.cost_e4 + open.fees_e4,
    openMarkets: open.markets,
  };
}

/** The P&L reports over one set of deps: what Control hands the command table. */
export class PnlReports {
  constructor(private readonly d: PnlDeps) {}

  get mode(): Mode {
    return this.d.mode;
  }
  get timeZone(): string {
    return this.d.timeZone;
  }

  positions(): Promise<PositionsView> {
    return positions(this.d);
  }
  pnlByDay(daysText: string): Parsed<PnlByDay> {
    const n = parseDays(daysText, 'pnl');
    return n.ok ? { ok: true, value: pnlByDay(this.d, n.value) } : n;
  }
  daily(daysText: string): Parsed<DailyView> {
    const n = parseDays(daysText, 'daily');
    return n.ok ? { ok: true, value: daily(this.d, n.value) } : n;
  }
  profit(): ProfitView {
    return profit(this.d);
  }
  performance(): Promise<PerformanceView> {
    return performance(this.d);
  }
  balance(): Promise<BalanceView> {
    return balance(this.d);
  }
}
