// The P&L replies as Telegram HTML (the terminal shows them with the tags removed): /positions, /pnl, /balance,
// /profit, /daily, /performance. Every interpolated string is escaped (market titles are hostile input), the number
// that matters is bold, prices in cents, money in dollars, times with their zone, the title before the ticker. Tables
// are monospace one line at a time (<code> per line): a long reply may be split between lines.
import type { BalanceView, DailyView, PerformanceView, PnlByDay, PositionView, PositionsView, ProfitView } from '../control/pnl.js';
import { formatUsd } from '../money.js';
import type { Mode } from '../notify/alerts.js';
import { SHARD_NAMES, cents, contracts, localTime, marketName, modeTag, signedUsd } from './format.js';
import { b, code, esc } from './html.js';

/** The zone's short name as localTime writes it ("ET"). */
export const zoneName = (timeZone: string, at = Date.now()): string => localTime(at, timeZone).split(' ').at(-1) ?? timeZone;

const pct = (n: number, of: number): string => (of === 0 ? 'n/a' : `${Math.round((100 * n) / of)}%`);
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** A table row: the first column left-aligned, the others right-aligned, in monospace. */
function row(cells: string[], widths: number[]): string {
  return code(cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  '));
}

/** Cut a name to a column's width. */
const fit = (s: string, n: number) => (s.length <= n ? s : `${s.slice(0, n - 1)}…`);

// ---------- /positions ----------

/** At most this many positions are listed (the soonest to settle); the totals count every one. */
const POSITIONS_SHOWN = 40;

function positionLines(p: PositionView, timeZone: string, paper: boolean): string[] {
  const price =
    p.priceE4 !== null
      ? `now ${cents(p.priceE4)}`
      : p.status === null
        ? 'market not found'
        : p.status === 'active'
          ? 'no bid now'
          : `${esc(p.status)}, awaiting settlement`;
  const pnl = p.unrealizedE4 === null ? '' : ` · ${paper ? 'paper ' : ''}P&amp;L ${b(signedUsd(p.unrealizedE4))}`;
  const settles = p.settlesMs === null ? 'settles: not known' : `settles ${localTime(p.settlesMs, timeZone, true)}`;
  return [
    marketName(p.title, p.ticker),
    `  ${p.side.toUpperCase()} ${contracts(p.countE2)} @ avg ${cents(p.avgPriceE4)} · ${price}${pnl}`,
    `  cost ${formatUsd(p.costE4)} + fees ${formatUsd(p.feesE4)} · ${settles}`,
  ];
}

export function formatPositionsView(v: PositionsView, mode: Mode, timeZone: string): string {
  const lines: string[] = [];
  const n = v.positions.length;
  if (n === 0) lines.push(`${modeTag(mode)} No open positions.`);
  else {
    const head = `${modeTag(mode)} Open positions: ${b(n)} · cost ${formatUsd(v.costE4)} · worth ${formatUsd(v.valueE4)} at the bid · unrealized ${b(signedUsd(v.unrealizedE4))}`;
    lines.push(head);
    if (v.pricesUnavailable) lines.push('Market prices could not be read: no position is marked.');
    else if (v.unpriced > 0) lines.push(`${plural(v.unpriced, 'position')} without a price now (not in the totals).`);
    lines.push('Unrealized = what selling at the bid would get, minus the cost and fees.');
    for (const p of v.positions.slice(0, POSITIONS_SHOWN)) lines.push('', ...positionLines(p, timeZone, false));
    if (n > POSITIONS_SHOWN) lines.push('', `… and ${n - POSITIONS_SHOWN} more (the soonest to settle are shown).`);
  }
  if (v.paper.length > 0) {
    lines.push('', `Paper holdings (dry run, not money): ${v.paper.length}`);
    for (const p of v.paper.slice(0, POSITIONS_SHOWN)) lines.push('', ...positionLines(p, timeZone, true));
    if (v.paper.length > POSITIONS_SHOWN) lines.push('', `… and ${v.paper.length - POSITIONS_SHOWN} more.`);
  }
  return lines.join('\n');
}

// ---------- /pnl ----------

/** The chart's title, plain text (escape it for HTML). */
export function pnlTitle(mode: Mode, days: number): string {
  return `${modeTag(mode)} Realized P&L, last ${plural(days, 'day')}`;
}

/** The caption of the /pnl chart: the headline, then the days that had something settle (newest first). */
export function formatPnlByDay(v: PnlByDay, mode: Mode, timeZone: string): string {
  const caps = new Set(v.rows.map((r) => r.capE4));
  const cap = caps.size === 1 ? `Daily loss cap ${formatUsd([...caps][0]!)}` : `Daily loss cap ${[...caps].map(formatUsd).join(' / ')} over the window`;
  const head = [
    `${esc(pnlTitle(mode, v.days))} (${v.from} to ${v.to}, ${zoneName(timeZone)}): ${b(signedUsd(v.realizedE4))}`,
    `${plural(v.settled, 'market')} settled · ${v.won} won · ${v.lost} lost · since the start ${signedUsd(v.sinceStartE4)}`,
    `${cap} · realized = payout − cost − fees`,
  ];
  if (v.settled === 0) return [...head, 'Nothing settled in the window: /positions shows what is open.'].join('\n');
  const active = v.rows.filter((r) => r.settled > 0).reverse();
  const w = [10, 9, 9];
  return [...head, '', row(['Day', 'P&L', 'Cumul.'], w), ...active.map((r) => row([r.day, signedUsd(r.realizedE4), signedUsd(r.cumulativeE4)], w))].join('\n');
}

// ---------- /daily ----------

/** Longer windows list only the days something happened on. */
const DAILY_ALL_DAYS = 14;

export function formatDaily(v: DailyView, mode: Mode, timeZone: string): string {
  const w = [10, 9, 5, 6];
  const shown = v.days <= DAILY_ALL_DAYS ? v.rows : v.rows.filter((r) => r.settled > 0 || r.orders > 0);
  const lines = [
    `${modeTag(mode)} Daily, last ${plural(v.days, 'day')} (${zoneName(timeZone)}), newest first: realized ${b(signedUsd(v.totals.realizedE4))}`,
    'Realized: markets settled that day. W/L: won/lost. Bought: orders placed that day that filled.',
    '',
    row(['Day', 'Realized', 'W/L', 'Bought'], w),
    ...shown.map((r) => row([r.day, r.settled ? signedUsd(r.realizedE4) : '-', r.settled ? `${r.won}/${r.lost}` : '-', r.orders ? formatUsd(r.spentE4) : '-'], w)),
    ...(shown.length < v.rows.length ? [`(${plural(v.rows.length - shown.length, 'day')} with nothing settled or bought left out)`] : []),
    '',
    `Total: ${plural(v.totals.settled, 'market')} settled (${v.totals.won} won, ${v.totals.lost} lost) · bought ${formatUsd(v.totals.spentE4)} in ${plural(v.totals.orders, 'order')} · fees ${formatUsd(v.totals.feesE4)}`,
  ];
  return lines.join('\n');
}

// ---------- /profit ----------

export function formatProfit(v: ProfitView, mode: Mode, timeZone: string): string {
  const tag = modeTag(mode);
  const paper = v.paper
    ? `Paper (dry run, not money, not counted above): ${plural(v.paper.orders, 'order')} in ${plural(v.paper.markets, 'market')}, ${formatUsd(v.paper.costE4)} notional, fees ${formatUsd(v.paper.feesE4)}`
    : null;
  const t = v.trades;
  if (t.orders === 0) return [`${tag} No trades yet: nothing has been bought with real money.`, ...(paper ? [paper] : [])].join('\n');
  const lines = [
    `${tag} Profit since ${t.firstAt === null ? 'the start' : localTime(t.firstAt, timeZone, true)} (the first trade)`,
    `Realized P&amp;L: ${b(signedUsd(v.realizedE4))} (settled markets, after fees)`,
    `Settled: ${plural(v.settled, 'market')} · ${v.won} won · ${v.lost} lost${v.even ? ` · ${v.even} even` : ''} · win rate ${b(pct(v.won, v.settled))}`,
    `  paid out ${formatUsd(v.revenueE4)} for ${formatUsd(v.settledCostE4)} cost + ${formatUsd(v.settledFeesE4)} fees`,
    `Trades: ${plural(t.orders, 'order')} filled in ${plural(t.markets, 'market')}, ${contracts(t.filledE2)} contracts, ${formatUsd(t.spentE4)} spent, fees ${formatUsd(t.feesE4)}`,
    `Open: ${plural(v.open.markets, 'market')} not settled yet, cost ${formatUsd(v.open.costE4)} + fees ${formatUsd(v.open.feesE4)}`,
  ];
  if (t.lastAt !== null) lines.push(`Last trade: ${localTime(t.lastAt, timeZone, true)}`);
  if (v.best && v.worst) {
    lines.push(`Best: ${marketName(v.best.title, v.best.ticker)} ${b(signedUsd(v.best.pnlE4))}`);
    lines.push(`Worst: ${marketName(v.worst.title, v.worst.ticker)} ${b(signedUsd(v.worst.pnlE4))}`);
  }
  if (paper) lines.push(paper);
  return lines.join('\n');
}

// ---------- /performance ----------

export function formatPerformance(v: PerformanceView, mode: Mode): string {
  const tag = modeTag(mode);
  if (v.settled === 0) return `${tag} Performance by category: no market bought with real money has settled yet.`;
  const w = [13, 9, 5, 4];
  return [
    `${tag} Performance by category (settled markets since the start): ${b(signedUsd(v.realizedE4))}`,
    '',
    row(['Category', 'P&L', 'W/L', 'Win'], w),
    ...v.rows.map((r) => row([fit(r.category, w[0]!), signedUsd(r.realizedE4), `${r.won}/${r.lost}`, pct(r.won, r.settled)], w)),
    '',
    `${plural(v.settled, 'market')} · ${v.won} won · ${v.lost} lost · win rate ${b(pct(v.won, v.settled))}`,
  ].join('\n');
}

// ---------- /balance ----------

export function formatBalance(v: BalanceView, mode: Mode, timeZone: string): string {
  const lines = [`${modeTag(mode)} Balance: ${b(formatUsd(v.totalE4))} free to trade, over every shard`];
  if (v.portfolioValueE4 !== null) lines.push(`Open positions worth ${formatUsd(v.portfolioValueE4)} at the bid (the exchange's valuation)`);
  if (v.shards && v.shards.length > 0) {
    // Each shard keeps its own money: an order can only use what is free on its market's shard.
    lines.push('By shard (an order uses only its market’s shard):');
    for (const s of v.shards) {
      const name = SHARD_NAMES[s.exchangeIndex];
      lines.push(`  ${s.exchangeIndex}${name ? ` ${name}` : ''}: ${b(formatUsd(s.balanceE4))}`);
    }
  } else lines.push('By shard: the exchange sent no breakdown.');
  lines.push(`Not settled yet: ${plural(v.openMarkets, 'market')} the bot bought, cost ${formatUsd(v.openCostE4)} with fees`);
  if (mode === 'DRY-RUN') lines.push('Dry run: paper trades never touch this balance.');
  if (v.updatedMs !== null) lines.push(`As of ${localTime(v.updatedMs, timeZone, true)}`);
  return lines.join('\n');
}
