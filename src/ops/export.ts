// Orders, fills, settlements and transfers in a time window, as one flat table for a spreadsheet or taxes:
// one row per record, a `kind` column to filter on, the same columns for every kind (empty where they mean
// nothing). Money is dollars with 4 decimals and no sign of currency ("4.6800", "-4.7521"), so a spreadsheet
// reads it as a number; counts are contracts with 2 decimals. CSV follows RFC 4180 (CRLF, quotes doubled).
import { tradingDay } from '../clock.js';
import type { Db } from '../journal/db.js';
import { ExportQueries, type ExportWindow } from '../journal/export-queries.js';
import { costE4, formatCountE2, formatPriceE4 } from '../money.js';

export type ExportKind = 'order' | 'fill' | 'settlement' | 'transfer';

/** The columns, in order, with what each holds (for the README and `--help`). */
export const EXPORT_COLUMNS = [
  ['kind', 'order | fill | settlement | transfer'],
  ['time_utc', 'when, ISO 8601 UTC: an order placed, a fill executed, a market settled, a transfer sent'],
  ['time_local', 'the same instant as YYYY-MM-DD HH:MM:SS in TIMEZONE'],
  ['trading_day', 'the trading day (TIMEZONE) the record counts on'],
  ['mode', 'orders and fills: SIM, DEMO, DRY-RUN (paper orders, never sent) or LIVE'],
  ['ticker', 'the market (empty for transfers)'],
  ['side', 'orders and fills: yes or no, the side bought'],
  ['contracts', 'order: contracts ordered; fill: contracts filled'],
  ['filled', 'order: contracts filled in all'],
  ['price', 'dollars per contract of the side bought (order: its limit; fill: what it filled at)'],
  ['cost', 'order: what its fills cost in all; fill: contracts x price; settlement: what the bot paid for the position on earlier days; transfer: the amount moved'],
  ['fees', 'order and fill: exchange fees'],
  ['revenue', 'settlement: what the exchange paid out'],
  ['cash', 'money into (+) or out of (-) the account: fill -(cost + fees), settlement +revenue; empty for orders (their fills carry the money) and transfers (the money stays in the account)'],
  ['state', 'order: intent, sent, resting, executed, canceled, rejected or paper; transfer: sent, pending, complete, refused or failed'],
  ['shard', 'the exchange shard (transfer: the one the money left)'],
  ['to_shard', 'transfer: the shard the money went to'],
  ['client_order_id', 'orders and fills: the bot\'s id of the order (a fill\'s order)'],
  ['exchange_id', 'order: the exchange\'s order id; fill: its fill id; transfer: its transfer id'],
  ['note', 'order: an error or a report the bot did not believe; settlement: the loss booked against the daily cap; transfer: why'],
] as const;

export type ExportColumn = (typeof EXPORT_COLUMNS)[number][0];

/** One record, money as integer e4 and counts as e2 (null: the column means nothing for this kind). */
export interface ExportRow {
  kind: ExportKind;
  timeMs: number;
  tradingDay: string;
  mode: string | null;
  ticker: string | null;
  side: string | null;
  contractsE2: number | null;
  filledE2: number | null;
  priceE4: number | null;
  costE4: number | null;
  feesE4: number | null;
  revenueE4: number | null;
  cashE4: number | null;
  state: string | null;
  shard: number | null;
  toShard: number | null;
  clientOrderId: string | null;
  exchangeId: string | null;
  note: string | null;
}

export interface ExportOptions {
  sinceMs: number;
  /** Excluded. */
  untilMs: number;
  timeZone: string;
}

const KIND_ORDER: Record<ExportKind, number> = { order: 0, fill: 1, settlement: 2, transfer: 3 };

const blank = {
  mode: null,
  ticker: null,
  side: null,
  contractsE2: null,
  filledE2: null,
  priceE4: null,
  costE4: null,
  feesE4: null,
  revenueE4: null,
  cashE4: null,
  state: null,
  shard: null,
  toShard: null,
  clientOrderId: null,
  exchangeId: null,
  note: null,
} satisfies Omit<ExportRow, 'kind' | 'timeMs' | 'tradingDay'>;

/** Every record in [sinceMs, untilMs), oldest first (an order before its own fills at the same instant). */
export function exportRows(source: Db | { db: Db }, opts: ExportOptions): ExportRow[] {
  const q = new ExportQueries('prepare' in source ? source : source.db);
  const w: ExportWindow = { sinceMs: opts.sinceMs, untilMs: opts.untilMs };
  const day = (ms: number) => tradingDay(ms, opts.timeZone);
  const rows: ExportRow[] = [];
  for (const o of q.orders(w)) {
    rows.push({
      ...blank,
      kind: 'order',
      timeMs: o.created_at,
      tradingDay: o.day,
      mode: o.mode,
      ticker: o.ticker,
      side: o.side,
      contractsE2: o.count_e2,
      filledE2: o.filled_e2,
      priceE4: o.price_e4,
      costE4: o.fill_cost_e4,
      feesE4: o.fees_e4,
      state: o.state,
      shard: o.exchange_index,
      clientOrderId: o.client_order_id,
      exchangeId: o.exchange_order_id,
      note: [o.error, o.report_flag ? `report not believed: ${o.report_flag}` : null].filter(Boolean).join('; ') || null,
    });
  }
  for (const f of q.fills(w)) {
    const cost = costE4(f.count_e2, f.price_e4);
    rows.push({
      ...blank,
      kind: 'fill',
      timeMs: f.created_at,
      tradingDay: day(f.created_at),
      mode: f.mode,
      ticker: f.ticker,
      side: f.side,
      contractsE2: f.count_e2,
      priceE4: f.price_e4,
      costE4: cost,
      feesE4: f.fee_e4,
      cashE4: -(cost + f.fee_e4),
      shard: f.exchange_index,
      clientOrderId: f.client_order_id,
      exchangeId: f.fill_id,
    });
  }
  for (const s of q.settlements(w)) {
    rows.push({
      ...blank,
      kind: 'settlement',
      timeMs: s.settled_at,
      tradingDay: s.day,
      ticker: s.ticker,
      costE4: s.cost_e4,
      revenueE4: s.revenue_e4,
      cashE4: s.revenue_e4,
      shard: s.exchange_index,
      note: s.loss_e4 > 0 ? `loss booked against the daily cap: ${dollars(s.loss_e4)}` : null,
    });
  }
  for (const t of q.transfers(w)) {
    rows.push({
      ...blank,
      kind: 'transfer',
      timeMs: t.created_at,
      tradingDay: day(t.created_at),
      costE4: t.amount_e4,
      state: t.state,
      shard: t.from_shard,
      toShard: t.to_shard,
      exchangeId: t.transfer_id,
      note: t.reason,
    });
  }
  return rows.sort((a, b) => a.timeMs - b.timeMs || KIND_ORDER[a.kind] - KIND_ORDER[b.kind]);
}

/** e4 -> "4.6800" / "-4.7521": exact, 4 decimals, no currency sign. */
export function dollars(e4: number): string {
  return formatPriceE4(e4);
}

/** A row as the strings a file holds, keyed by column; '' where the column means nothing for the kind. */
export function formatRow(r: ExportRow, timeZone: string): Record<ExportColumn, string> {
  const money = (v: number | null) => (v === null ? '' : dollars(v));
  const count = (v: number | null) => (v === null ? '' : formatCountE2(v));
  const text = (v: string | number | null) => (v === null ? '' : String(v));
  return {
    kind: r.kind,
    time_utc: new Date(r.timeMs).toISOString(),
    time_local: localTime(r.timeMs, timeZone),
    trading_day: r.tradingDay,
    mode: text(r.mode),
    ticker: text(r.ticker),
    side: text(r.side),
    contracts: count(r.contractsE2),
    filled: count(r.filledE2),
    price: money(r.priceE4),
    cost: money(r.costE4),
    fees: money(r.feesE4),
    revenue: money(r.revenueE4),
    cash: money(r.cashE4),
    state: text(r.state),
    shard: text(r.shard),
    to_shard: text(r.toShard),
    client_order_id: text(r.clientOrderId),
    exchange_id: text(r.exchangeId),
    note: text(r.note),
  };
}

// Columns whose text comes from outside (tickers, ids, error messages): a leading = + - @ would make a spreadsheet
// run it as a formula, so such a value is prefixed with an apostrophe (OWASP's advice). Money columns are ours.
const TEXT_COLUMNS = new Set<ExportColumn>(['ticker', 'client_order_id', 'exchange_id', 'note', 'mode', 'state']);

/** RFC 4180: a header line, CRLF line ends, a field quoted when it holds a comma, a quote or a line break. */
export function toCsv(rows: ExportRow[], timeZone: string): string {
  const names = EXPORT_COLUMNS.map(([name]) => name);
  const lines = [names.join(',')];
  for (const r of rows) {
    const f = formatRow(r, timeZone);
    lines.push(names.map((n) => csvField(TEXT_COLUMNS.has(n) ? defuse(f[n]) : f[n])).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}

/** The same rows as JSON: an array of objects keyed by column, null where the CSV has an empty field. */
export function toJson(rows: ExportRow[], timeZone: string): string {
  const out = rows.map((r) => Object.fromEntries(Object.entries(formatRow(r, timeZone)).map(([k, v]) => [k, v === '' ? null : v])));
  return `${JSON.stringify(out, null, 2)}\n`;
}

/** What a chat command (/export) sends as a file: the CSV of a window, straight from the journal. */
export function exportCsv(journal: Db | { db: Db }, opts: ExportOptions): string {
  return toCsv(exportRows(journal, opts), opts.timeZone);
}

function csvField(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

function defuse(v: string): string {
  return /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
}

const localFormatters = new Map<string, Intl.DateTimeFormat>();

/** "2026-11-25 10:00:00" in a time zone (24-hour clock). */
export function localTime(ms: number, timeZone: string): string {
  let f = localFormatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    localFormatters.set(timeZone, f);
  }
  const p = Object.fromEntries(f.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`;
}

/** Epoch ms of local midnight starting `day` (YYYY-MM-DD) in a time zone (DST-safe: the offset is read at that instant). */
export function startOfDayMs(day: string, timeZone: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) throw new RangeError(`not a date YYYY-MM-DD: ${day}`);
  const utc = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  let guess = utc;
  // Two rounds settle it: the offset at the guess, then at the corrected instant (they differ across a DST change).
  for (let i = 0; i < 2; i++) guess = utc - offsetMs(guess, timeZone);
  return guess;
}

function offsetMs(ms: number, timeZone: string): number {
  const [date, time] = localTime(ms, timeZone).split(' ') as [string, string];
  const [y, mo, d] = date.split('-').map(Number) as [number, number, number];
  const [h, mi, s] = time.split(':').map(Number) as [number, number, number];
  return Date.UTC(y, mo - 1, d, h, mi, s) - Math.floor(ms / 1000) * 1000;
}

/**
 * A window from command-line dates: `since` and `until` are days (YYYY-MM-DD, in the time zone; `until` included
 * whole) or ISO instants. No `until`: up to now.
 */
export function parseWindow(since: string, until: string | undefined, timeZone: string, now: number): ExportWindow {
  const at = (v: string, endOfDay: boolean): number => {
    if (/^\d{4}-\d{2}-\d{2}$/.test(v)) {
      const start = startOfDayMs(v, timeZone);
      if (!endOfDay) return start;
      const next = new Date(Date.parse(`${v}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
      return startOfDayMs(next, timeZone);
    }
    const ms = Date.parse(v);
    if (!/^\d{4}-\d{2}-\d{2}T/.test(v) || Number.isNaN(ms)) throw new RangeError(`"${v}" is not a date (YYYY-MM-DD) or an ISO time`);
    return ms;
  };
  const w = { sinceMs: at(since, false), untilMs: until === undefined ? now + 1 : at(until, true) };
  if (w.untilMs <= w.sinceMs) throw new RangeError('--until must be after --since');
  return w;
}
