// What each command does, as functions over the journal and the exchange. No chat types in here:
// Telegram and the terminal both call these and only format the results.
import { type Clock, tradingDay } from '../clock.js';
import type { Executor } from '../execution/executor.js';
import type { ShardFunding } from '../execution/funding.js';
import type { Market } from '../kalshi/market-schema.js';
import type { Balance, ExchangeStatus, Order, Position } from '../kalshi/schemas.js';
import type { ApprovalRow } from '../journal/approvals.js';
import type { CycleRow } from '../journal/cycles.js';
import type { Journal } from '../journal/index.js';
import type { OrderRow } from '../journal/orders.js';
import type { Settings } from '../journal/settings.js';
import type { Mode } from '../notify/alerts.js';
import { type ApprovalOutcome, decideApproval } from '../pipeline/approvals.js';
import type { DayBlocklist } from '../rules/blocklist.js';
import type { CategoryCache } from '../pipeline/categories.js';
import { Calibration, type CalibrationView } from '../pipeline/calibration.js';
import { type ApprovalRules, fitUnderCap } from '../rules/risk.js';
import { type CalibrationLookup, type EdgeView, edgeOf } from '../rules/edge.js';
import { exportCsv, parseWindow } from '../ops/export.js';
import { type PnlClient, PnlReports } from './pnl.js';
import { type Parsed, parseApprovalId, parseCap, parseNotify, parseSet, parseTicker, parseTradesCount } from './args.js';
import type { StreamHealth } from '../pipeline/stream.js';

/** PnlClient: the market, position and balance reads of /positions, /balance (src/control/pnl.ts). */
export interface ControlClient extends PnlClient {
  getMarket(ticker: string): Promise<Market>;
  getExchangeStatus(): Promise<ExchangeStatus>;
  getPositions(): Promise<Position[]>;
  getBalance(): Promise<Balance>;
  listAllOrders(params: { status?: 'resting' }): Promise<Order[]>;
  /** Every resting order of the account, on every shard. */
  cancelAllOrders(): Promise<void>;
  cancelOrder(orderId: string, route: { ticker: string; exchangeIndex?: number | null }): Promise<{ kind: 'canceled' } | { kind: 'not-found' }>;
}

export interface ControlDeps {
  journal: Journal;
  clock: Clock;
  client: ControlClient;
  executor: Executor;
  categories: CategoryCache;
  alerter: import('../notify/alerter.js').Alerter;
  mode: Mode;
  timeZone: string;
  approvalRules: ApprovalRules;
  funding?: ShardFunding;
  blocked?: DayBlocklist;
  /** The scheduler's view: when the next cycle starts (null when stopped), and starts missed while a cycle ran long. */
  nextCycleAt(): number | null;
  skippedCycles(): number;
  /** Whether a cycle is running right now. */
  cycleRunning?(): boolean;
  /** The calibration from the exchange's history and the shadow book (for /why's edge). */
  calibration?: { lookup(): CalibrationLookup | null; report(): CalibrationView };
  /** MIN_EDGE (e4), re-checked when a flagged trade is approved. */
  minEdgeE4?: number | null;
  /** ORDER_STYLE, for approved trades. */
  orderStyle?: 'taker' | 'maker';
  /** Stream mode: the WebSocket stream's health for /status (absent or null: STREAM=off). */
  streamHealth?: () => StreamHealth | null;
}

export type RunState = 'running' | 'paused' | 'halted';

export interface StatusView {
  mode: Mode;
  state: RunState;
  paused: boolean;
  halted: boolean;
  lastCycle: CycleRow | undefined;
  day: string;
  atRiskE4: number;
  capE4: number;
  openPositions: number | null;
  balanceE4: number | null;
  /** Free money per exchange shard (ascending), or null when the exchange sent no breakdown or did not answer. */
  shardBalances: { exchangeIndex: number; balanceE4: number }[] | null;
  nextCycleAt: number | null;
  skippedCycles: number;
  pendingApprovals: number;
  /** The cycle running right now, if any. */
  runningCycle: { id: number; startedAt: number } | null;
  /** Halts and pauses name when they happened, and a cap that differs from DAILY_LOSS_CAP says it came from the journal. */
  capSource: 'config' | 'journal';
  /** Stream mode's health (null: STREAM=off). */
  stream?: StreamHealth | null;
}

/** Cap raises above this factor need a confirming tap. */
export const CAP_CONFIRM_FACTOR = 2;

export type SetCapResult =
  | { ok: false; error: string }
  | { ok: true; needsConfirm: true; oldE4: number; newE4: number }
  | { ok: true; needsConfirm: false; oldE4: number; newE4: number; liftedHalt: boolean; atRiskE4: number; stillHalted: boolean };

export class Control {
  constructor(private readonly d: ControlDeps) {}

  get mode(): Mode {
    return this.d.mode;
  }

  /** P&L at a glance: /positions, /pnl, /balance, /profit, /daily, /performance (src/control/pnl.ts). */
  /**
   * The journal as CSV for a spreadsheet or taxes (orders, fills, settlements, transfers), for days `since` to `until`
   * (YYYY-MM-DD in the bot's time zone; default the last 30 days up to now).
   */
  exportCsv(args: string): Parsed<{ csv: string; filename: string; rows: number }> {
    const usage = 'Usage: /export [since] [until], days as YYYY-MM-DD (default: the last 30 days), e.g. /export 2026-11-01 2026-11-30.';
    const parts = args.trim() === '' ? [] : args.trim().split(/\s+/);
    if (parts.length > 2 || !parts.every((p) => /^\d{4}-\d{2}-\d{2}$/.test(p))) return { ok: false, error: usage };
    const now = this.d.clock.now();
    const since = parts[0] ?? tradingDay(now - 30 * 86_400_000, this.d.timeZone);
    let window: { sinceMs: number; untilMs: number };
    try {
      window = parseWindow(since, parts[1], this.d.timeZone, now);
    } catch (err) {
      return { ok: false, error: `${(err as Error).message.replace('--until', 'until').replace('--since', 'since')}. ${usage}` };
    }
    const csv = exportCsv(this.d.journal, { ...window, timeZone: this.d.timeZone });
    const rows = Math.max(0, csv.split('\n').filter(Boolean).length - 1);
    return { ok: true, value: { csv, rows, filename: `kalshi-bot-${since}_${parts[1] ?? tradingDay(now, this.d.timeZone)}.csv` } };
  }

  get reports(): PnlReports {
    return new PnlReports(this.d);
  }

  private today(): string {
    return tradingDay(this.d.clock.now(), this.d.timeZone);
  }

  async status(): Promise<StatusView> {
    const { journal } = this.d;
    const day = this.today();
    const settings = journal.settings.get();
    const halted = journal.orders.haltOf(day) !== undefined;
    // Exchange reads are best-effort: /status must answer even when Kalshi does not.
    const [positions, balance] = await Promise.all([
      this.d.client.getPositions().catch(() => null),
      this.d.client.getBalance().catch(() => null),
    ]);
    return {
      mode: this.d.mode,
      state: halted ? 'halted' : settings.paused ? 'paused' : 'running',
      paused: settings.paused,
      halted,
      lastCycle: journal.cycles.last(),
      day,
      atRiskE4: journal.orders.atRiskE4(day),
      capE4: settings.dailyCapE4,
      openPositions: positions ? positions.filter((p) => p.positionE2 !== 0).length : null,
      balanceE4: balance ? (balance.balanceExactE4 ?? balance.balanceE4) : null,
      shardBalances: balance?.shards ? [...balance.shards].sort((a, b) => a.exchangeIndex - b.exchangeIndex) : null,
      nextCycleAt: this.d.nextCycleAt(),
      skippedCycles: this.d.skippedCycles(),
      pendingApprovals: journal.approvals.pending(this.d.clock.now()).length,
      runningCycle: this.d.cycleRunning?.() ? (journal.cycles.unfinished() ?? null) : null,
      capSource: journal.settings.isDefault('dailyCapE4') ? 'config' : 'journal',
      stream: this.d.streamHealth?.() ?? null,
    };
  }

  pause(by: string): { changed: boolean } {
    return { changed: this.d.journal.settings.update({ paused: true }, by, this.d.clock.now()).length > 0 };
  }

  /** Resume sending orders. Does not lift a cap halt: only a higher cap (or the next day) does. */
  resume(by: string): { changed: boolean; halted: boolean } {
    const changed = this.d.journal.settings.update({ paused: false }, by, this.d.clock.now()).length > 0;
    return { changed, halted: this.d.journal.orders.haltOf(this.today()) !== undefined };
  }

  setCap(by: string, text: string, opts: { confirmed?: boolean } = {}): SetCapResult {
    const parsed = parseCap(text);
    if (!parsed.ok) return parsed;
    const { journal, clock } = this.d;
    const oldE4 = journal.settings.get().dailyCapE4;
    const newE4 = parsed.value;
    if (!opts.confirmed && newE4 > oldE4 * CAP_CONFIRM_FACTOR) return { ok: true, needsConfirm: true, oldE4, newE4 };
    const day = this.today();
    const result = journal.tx(() => {
      journal.settings.update({ dailyCapE4: newE4 }, by, clock.now());
      const atRiskE4 = journal.orders.atRiskE4(day);
      const wasHalted = journal.orders.haltOf(day) !== undefined;
      // A cap that leaves room for one contract at the band's cheapest price lifts the day's halt;
      // the next order's cap check still applies.
      const s = journal.settings.get();
      const room = fitUnderCap({ contracts: 1, priceE4: s.bandMinE4, atRiskE4, capE4: newE4, bandMinE4: s.bandMinE4 }).ok;
      let liftedHalt = false;
      if (wasHalted && room) {
        journal.orders.clearHalt(day);
        liftedHalt = true;
      }
      return { atRiskE4, liftedHalt, stillHalted: wasHalted && !liftedHalt };
    });
    return { ok: true, needsConfirm: false, oldE4, newE4, ...result };
  }

  async approve(by: string, idText: string): Promise<Parsed<ApprovalOutcome>> {
    return this.decide(by, idText, 'approve');
  }

  async reject(by: string, idText: string): Promise<Parsed<ApprovalOutcome>> {
    return this.decide(by, idText, 'reject');
  }

  private async decide(by: string, idText: string, answer: 'approve' | 'reject'): Promise<Parsed<ApprovalOutcome>> {
    const id = parseApprovalId(idText);
    if (!id.ok) return id;
    const outcome = await decideApproval(this.d, id.value, answer, by);
    return { ok: true, value: outcome };
  }

  /** Approvals waiting for an answer, oldest first. */
  pendingApprovals(): ApprovalRow[] {
    return this.d.journal.approvals.pending(this.d.clock.now());
  }

  /** One approval as it stands (for the toast of a tap on it). */
  approval(id: number): ApprovalRow | undefined {
    return this.d.journal.approvals.get(id);
  }

  /**
   * Answer every approval that was waiting when the "all" button was issued (`issuedMs`), one after the other through
   * the same path as a single tap: each re-checks its market and the cap. Approvals raised after the button are left.
   */
  async decideAll(by: string, answer: 'approve' | 'reject', issuedMs: number): Promise<ApprovalOutcome[]> {
    const due = this.pendingApprovals().filter((a) => a.created_at <= issuedMs);
    const out: ApprovalOutcome[] = [];
    for (const a of due) out.push(await decideApproval(this.d, a.id, answer, by));
    return out;
  }

  /** Orders resting on the exchange, and the journal's unfinished ones. */
  async orders(): Promise<{ resting: Order[]; unfinished: OrderRow[] }> {
    const [resting] = await Promise.all([this.d.client.listAllOrders({ status: 'resting' })]);
    return { resting, unfinished: this.d.journal.orders.unfinished() };
  }

  trades(nText: string): Parsed<OrderRow[]> {
    const n = parseTradesCount(nText);
    if (!n.ok) return n;
    return { ok: true, value: this.d.journal.orders.recent(n.value) };
  }

  why(
    tickerText: string,
  ): Parsed<{ ticker: string; decision: ReturnType<Journal['cycles']['decision']>; lastCycle: CycleRow | undefined; edge: EdgeView | null }> {
    const t = parseTicker(tickerText);
    if (!t.ok) return t;
    const decision = this.d.journal.cycles.decision(t.value);
    return { ok: true, value: { ticker: t.value, decision, lastCycle: this.d.journal.cycles.last(), edge: decision ? this.edgeAt(decision) : null } };
  }

  /** A decision's price, honestly: break-even after the market's taker fee, and the calibrated edge at that price. */
  private edgeAt(d: { ticker: string; side?: 'yes' | 'no' | null; priceE4?: number | null }): EdgeView | null {
    if (!d.side || d.priceE4 == null || d.priceE4 <= 0 || d.priceE4 >= 10_000) return null;
    // A market ticker is EVENT-SUFFIX: the fee rule is its event's (or its series').
    const dash = d.ticker.lastIndexOf('-');
    const fee = this.d.categories.feeOf(dash > 0 ? d.ticker.slice(0, dash) : d.ticker, this.d.clock.now());
    if (!fee) return null;
    return edgeOf({ side: d.side, quotedE4: d.priceE4, fee, calibration: this.d.calibration?.lookup() ?? null });
  }

  settings(): Settings {
    return this.d.journal.settings.get();
  }

  /** /calibration: the report of the journal's observations (an empty one when calibration is not wired). */
  calibration(): CalibrationView {
    return (this.d.calibration ?? new Calibration(this.d.journal)).report();
  }

  /** Per-kind alert levels; with text ("fills silent"), change them first. */
  notify(by: string, text: string): Parsed<{ notify: Settings['notify']; changed: boolean }> {
    const { journal, clock } = this.d;
    if (text.trim() === '') return { ok: true, value: { notify: journal.settings.get().notify, changed: false } };
    const p = parseNotify(text);
    if (!p.ok) return p;
    const next = { ...journal.settings.get().notify };
    for (const k of p.value.kinds) next[k] = p.value.level;
    const changes = journal.settings.update({ notify: next }, by, clock.now());
    return { ok: true, value: { notify: journal.settings.get().notify, changed: changes.length > 0 } };
  }

  /**
   * Change a setting. Risky values (a per-trade cost above the daily cap, a band wider than 50-99%) need a confirming
   * tap, like a large cap raise; an exclude list naming a category the exchange does not have is refused with the list.
   */
  set(by: string, text: string, opts: { confirmed?: boolean } = {}): Parsed<{ name: string; settings: Settings; changed: boolean; needsConfirm?: string }> {
    const p = parseSet(text);
    if (!p.ok) return p;
    const patch = p.value.patch as Partial<Settings>;
    const current = this.d.journal.settings.get();
    if (patch.excludedCategories) {
      const known = this.d.categories.knownCategories();
      const lower = new Set(known.map((k) => k.toLowerCase()));
      const unknown = known.length > 0 ? patch.excludedCategories.filter((c) => !lower.has(c.toLowerCase())) : [];
      if (unknown.length > 0) return { ok: false, error: `Unknown categor${unknown.length > 1 ? 'ies' : 'y'} ${unknown.map((u) => `"${u}"`).join(', ')}. Known: ${known.join(', ')}. Nothing was changed.` };
    }
    if (!opts.confirmed) {
      const risky =
        patch.maxCostPerTradeE4 !== undefined && patch.maxCostPerTradeE4 > current.dailyCapE4
          ? `a per-trade cost above the daily cap (${(patch.maxCostPerTradeE4 / 10_000).toFixed(2)} > ${(current.dailyCapE4 / 10_000).toFixed(2)} dollars)`
          : patch.bandMinE4 !== undefined && (patch.bandMinE4 < 5_000 || (patch.bandMaxE4 ?? 0) > 9_900)
            ? 'a band wider than 50-99%'
            : null;
      if (risky) return { ok: true, value: { name: p.value.name, settings: current, changed: false, needsConfirm: risky } };
    }
    try {
      const changes = this.d.journal.settings.update(p.value.patch as Partial<Settings>, by, this.d.clock.now());
      return { ok: true, value: { name: p.value.name, settings: this.d.journal.settings.get(), changed: changes.length > 0 } };
    } catch (err) {
      return { ok: false, error: `Not changed: ${(err as Error).message}` };
    }
  }

  /**
   * Cancel every resting order on every shard (Kalshi's cancel-all) and pause; if the cancel-all fails, each resting
   * order is canceled on its own shard. Callers ask for a confirming tap first. What rested before and still rests
   * after counts as failed; `unverified` when the order list could not be read to tell.
   */
  async stopAll(by: string): Promise<{ canceled: number; failed: number; unverified: boolean; dryRun: boolean }> {
    this.pause(by);
    // A dry run sends nothing to the exchange, so it cancels nothing there either.
    if (this.d.mode === 'DRY-RUN') return { canceled: 0, failed: 0, unverified: false, dryRun: true };
    const { client } = this.d;
    const before = await client.listAllOrders({ status: 'resting' }).catch(() => null);
    const sent = await client.cancelAllOrders().then(
      () => true,
      () => false,
    );
    if (!sent && before) {
      for (const o of before) await client.cancelOrder(o.orderId, { ticker: o.ticker, exchangeIndex: o.exchangeIndex }).catch(() => undefined);
    }
    const after = await client.listAllOrders({ status: 'resting' }).catch(() => null);
    if (!before || !after) return { canceled: 0, failed: after?.length ?? 0, unverified: true, dryRun: false };
    const still = new Set(after.map((o) => o.orderId));
    const failed = before.filter((o) => still.has(o.orderId)).length;
    return { canceled: before.length - failed, failed, unverified: false, dryRun: false };
  }
}
