// One scan cycle: L1 hydrate -> L2 band -> L3 validate -> L4 risk + execute, journaled.
import { type Clock, tradingDay } from '../clock.js';
import type { Executor } from '../execution/executor.js';
import { type ShardFunding, transfersOpen } from '../execution/funding.js';
import type { SettlementSource, SettlementSync } from '../execution/settlements.js';
import { KalshiApiError } from '../kalshi/errors.js';
import { type HydrateProgress, type MarketsPageSource, hydrateUniverse } from '../kalshi/hydrate.js';
import type { Market } from '../kalshi/market-schema.js';
import type { ExchangeStatus, Position } from '../kalshi/schemas.js';
import type { Decision } from '../journal/cycles.js';
import type { Journal } from '../journal/index.js';
import { E2_PER_CONTRACT, e4ToDollarsNumber } from '../money.js';
import type { Alerter } from '../notify/alerter.js';
import type { Mode } from '../notify/alerts.js';
import { type Side, bandCheck } from '../rules/band.js';
import type { DayBlocklist } from '../rules/blocklist.js';
import type { CategoryCache } from './categories.js';
import { type EvaluationContext, FEE_HORIZON_MARGIN_MS, evaluateMarket, toValidationContext } from '../rules/evaluate.js';
import { shardTradingOf } from '../rules/validate.js';
import type { ApprovalRules } from '../rules/risk.js';

export interface CycleClient extends MarketsPageSource, SettlementSource {
  getExchangeStatus(): Promise<ExchangeStatus>;
  getPositions(): Promise<Position[]>;
}

export interface CycleDeps {
  client: CycleClient;
  journal: Journal;
  clock: Clock;
  alerter: Alerter;
  executor: Executor;
  categories: CategoryCache;
  mode: Mode;
  timeZone: string;
  approvalRules: ApprovalRules;
  approvalTtlMs: number;
  /** Collateral per shard; absent: orders are not funded (dry-run, tests of the cap alone). */
  funding?: ShardFunding;
  /** Categories or series the exchange refused (403) today. */
  blocked: DayBlocklist;
  settlements: SettlementSync;
  hydrateStreams?: number;
  onProgress?: (p: HydrateProgress) => void;
}

export interface CycleOrder {
  ticker: string;
  side: Side;
  count: number;
  price: number;
  status: string;
  filled: number;
}

/** The JSON summary of one cycle (money in dollars). */
export interface CycleSummary {
  cycleId: number;
  mode: Mode;
  markets: number;
  skipped: number;
  candidates: number;
  validated: number;
  orders: CycleOrder[];
  approvals: number;
  halted: boolean;
  paused: boolean;
  atRisk: number;
  cap: number;
  hydrateMs: number;
  durationMs: number;
  timings: Record<string, number>;
  error?: string;
}

export class Cycle {
  private previousCreatedS: number[] | undefined;

  constructor(private readonly d: CycleDeps) {}

  /** Positions held plus resting, per ticker, from the exchange and the journal's unfinished and paper orders. */
  private async exposures(): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    const add = (t: string, n: number) => out.set(t, (out.get(t) ?? 0) + n);
    for (const p of await this.d.client.getPositions()) add(p.ticker, Math.abs(p.positionE2));
    for (const [t, n] of this.d.journal.orders.pendingByTicker()) add(t, n);
    if (this.d.mode === 'DRY-RUN') for (const [t, n] of this.d.journal.orders.paperByTicker()) add(t, n);
    return out;
  }

  async run(): Promise<CycleSummary> {
    const { journal, clock } = this.d;
    const t0 = performance.now();
    const cycleId = journal.cycles.start(this.d.mode, clock.now());
    const timings: Record<string, number> = {};
    const lap = (name: string, since: number) => {
      timings[name] = Math.round(performance.now() - since);
      return performance.now();
    };
    const summary: CycleSummary = {
      cycleId,
      mode: this.d.mode,
      markets: 0,
      skipped: 0,
      candidates: 0,
      validated: 0,
      orders: [],
      approvals: 0,
      halted: false,
      paused: journal.settings.get().paused,
      atRisk: 0,
      cap: 0,
      hydrateMs: 0,
      durationMs: 0,
      timings,
    };
    const decisions = new Map<string, Decision>();
    try {
      // L1
      let t = performance.now();
      // allSettled, not all: a failed status read must not leave the scan paging on into the next cycle.
      const [scanned, exchange] = await Promise.allSettled([
        hydrateUniverse(this.d.client, {
          nowMs: clock.now(),
          ...(this.d.hydrateStreams !== undefined ? { streams: this.d.hydrateStreams } : {}),
          ...(this.previousCreatedS ? { previousCreatedS: this.previousCreatedS } : {}),
          ...(this.d.onProgress ? { onProgress: this.d.onProgress } : {}),
        }),
        this.d.client.getExchangeStatus(),
      ]);
      if (scanned.status === 'rejected') throw scanned.reason;
      if (exchange.status === 'rejected') throw exchange.reason;
      const universe = scanned.value;
      const status = exchange.value;
      this.previousCreatedS = universe.markets.map((m) => Math.floor(m.createdMs / 1000));
      summary.markets = universe.markets.length;
      summary.skipped = universe.skipped;
      summary.hydrateMs = universe.elapsedMs;
      t = lap('hydrate', t);
      if (!status.tradingActive && status.shards.every((s) => !s.tradingActive)) {
        this.d.alerter.send(
          { kind: 'error', mode: this.d.mode, message: 'The exchange is not trading: no orders until it reopens.' },
          { key: 'exchange-closed', withinMs: 6 * 3_600_000 },
        );
      }

      // L2 over the whole universe.
      const settings = journal.settings.get();
      const candidates: Market[] = [];
      for (const m of universe.markets) {
        const band = bandCheck(m, settings);
        if (!band.ok) decisions.set(m.ticker, { ticker: m.ticker, layer: 2, outcome: 'rejected', reason: band.reason });
        else candidates.push(m);
      }
      summary.candidates = candidates.length;
      t = lap('band', t);

      // L3: categories are looked up only for candidates that pass the cheap checks.
      const exposures = await this.exposures();
      const now = clock.now();
      const horizonMs = settings.horizonDays * 86_400_000;
      await this.d.categories.ensure(
        candidates
          .filter((m) => m.settlesMs > now && m.settlesMs - now <= horizonMs && m.volume24hE2 >= settings.minVolume24h * E2_PER_CONTRACT)
          .map((m) => m.eventTicker),
      );
      const ctx: EvaluationContext = {
        nowMs: now,
        ...shardTradingOf(status.tradingActive, status.shards),
        settings,
        excluded: new Set(settings.excludedCategories.map((c) => c.toLowerCase())),
        approvalRules: this.d.approvalRules,
        categoryOf: (e) => this.d.categories.categoryOf(e),
        // Over the order's whole life: a fee change due while it rests is charged.
        feeOf: (e) => this.d.categories.feeOf(e, now, this.d.executor.fillTimeoutMs + FEE_HORIZON_MARGIN_MS),
        exposureE2: (ticker) => exposures.get(ticker) ?? 0,
        blocked: (m, category) => this.d.blocked.reason(m, category, tradingDay(now, this.d.timeZone)),
      };
      const vctx = toValidationContext(ctx);
      const passed: Passed[] = [];
      for (const m of candidates) {
        const ev = evaluateMarket(m, ctx, vctx);
        if (ev.pass) passed.push({ m, ev });
        else decisions.set(m.ticker, { ticker: m.ticker, layer: ev.layer, outcome: 'rejected', reason: ev.reason, side: ev.side ?? null, priceE4: ev.priceE4 ?? null });
      }
      summary.validated = passed.length;
      t = lap('validate', t);

      // Losses of earlier days' positions that settled today belong to today's ledger before any order.
      await this.d.settlements.sync();
      t = lap('settlements', t);

      // L4: most liquid first; one order at a time so each cap check sees the previous intent.
      passed.sort((a, b) => b.m.volume24hE2 - a.m.volume24hE2);
      const day = tradingDay(clock.now(), this.d.timeZone);
      // Collateral where the orders go: each shard funded once for all the orders planned there.
      await this.fundShards(passed, day, status);
      t = lap('funding', t);
      for (const p of passed) {
        const { m } = p;
        let { ev } = p;
        const base = { ticker: m.ticker, side: ev.side, priceE4: ev.priceE4 };
        if (journal.orders.haltOf(day)) {
          summary.halted = true;
          decisions.set(m.ticker, { ...base, layer: 4, outcome: 'rejected', reason: 'trading halted for the day: daily loss cap reached' });
          continue;
        }
        if (journal.settings.get().paused) {
          decisions.set(m.ticker, { ...base, layer: 4, outcome: 'passed', reason: 'passed every layer; paused, so no order was sent' });
          continue;
        }
        if (ev.approval) {
          this.requestApproval(m, ev);
          summary.approvals++;
          decisions.set(m.ticker, { ...base, layer: 4, outcome: 'approval', reason: `waiting for approval: ${ev.approval}` });
          continue;
        }
        // An event's own fee rule wins over its series': read it (cached) for the market about to be ordered, and size again.
        await this.d.categories.ensureEventFees([m.eventTicker]);
        if (!this.d.categories.eventFeeKnown(m.eventTicker)) {
          decisions.set(m.ticker, { ...base, layer: 4, outcome: 'rejected', reason: "could not read the event's fee rule: not ordered on a guess" });
          continue;
        }
        const again = evaluateMarket(m, ctx, vctx);
        if (!again.pass) {
          decisions.set(m.ticker, { ...base, layer: again.layer, outcome: 'rejected', reason: again.reason });
          continue;
        }
        ev = again;
        const r = await this.d.executor.execute({
          ticker: m.ticker,
          title: m.title,
          side: ev.side,
          contracts: ev.contracts,
          priceE4: ev.priceE4,
          fee: ev.fee,
          exchangeIndex: m.exchangeIndex,
          cycleId,
          approvalId: null,
        });
        if (r.kind === 'cap' || r.kind === 'funds' || r.kind === 'stale') {
          if (r.kind === 'cap' && r.halt) summary.halted = true;
          decisions.set(m.ticker, { ...base, layer: 4, outcome: 'rejected', reason: r.reason });
          continue;
        }
        if (r.kind === 'rejected' && r.status === 403) this.block(m, ev.category, r.reason, day);

        const row = 'row' in r ? r.row : journal.orders.get(r.orderId)!;
        summary.orders.push({
          ticker: m.ticker,
          side: ev.side,
          count: row.count_e2 / E2_PER_CONTRACT,
          price: e4ToDollarsNumber(row.price_e4),
          status: row.state,
          filled: row.filled_e2 / E2_PER_CONTRACT,
        });
        decisions.set(m.ticker, {
          ...base,
          layer: 5,
          outcome: 'ordered',
          reason: r.kind === 'rejected' || r.kind === 'unknown' ? `order ${r.kind}: ${r.reason}` : `ordered: ${r.kind}`,
        });
        // Refused credentials refuse every order: stop ordering this cycle and say so.
        if (r.kind === 'rejected' && r.status === 401) {
          this.authFailed(r.reason.split(' ')[0] ?? 'authentication_error');
          break;
        }
      }
      summary.halted = this.d.executor.haltIfNoRoom();
      lap('execute', t);
    } catch (err) {
      summary.error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      if (err instanceof KalshiApiError && err.status === 401) this.authFailed(err.code);
    }
    const tw = performance.now();
    journal.cycles.replaceDecisions(cycleId, decisions.values());
    timings.journal = Math.round(performance.now() - tw);
    const day = tradingDay(clock.now(), this.d.timeZone);
    summary.atRisk = e4ToDollarsNumber(journal.orders.atRiskE4(day));
    summary.cap = e4ToDollarsNumber(journal.settings.get().dailyCapE4);
    summary.durationMs = Math.round(performance.now() - t0);
    journal.cycles.finish(
      cycleId,
      {
        markets: summary.markets,
        skipped: summary.skipped,
        candidates: summary.candidates,
        validated: summary.validated,
        orders: summary.orders.length,
        halted: summary.halted,
        paused: summary.paused,
        hydrateMs: summary.hydrateMs,
        durationMs: summary.durationMs,
        timings,
        error: summary.error ?? null,
      },
      clock.now(),
    );
    return summary;
  }

  /**
   * Fund each shard once for the orders planned there: the passed markets in the order L4 will take them, each at
   * its worst case, until the cap's room is used up (later ones cannot be sent today anyway).
   */
  private async fundShards(passed: Passed[], day: string, status: ExchangeStatus): Promise<void> {
    const { funding, journal, executor } = this.d;
    if (!funding || journal.settings.get().paused || journal.orders.haltOf(day)) return;
    let roomE4 = Math.max(0, journal.settings.get().dailyCapE4 - journal.orders.atRiskE4(day));
    const needE4 = new Map<number, number>();
    for (const { m, ev } of passed) {
      if (roomE4 <= 0) break;
      if (ev.approval) continue;
      const take = Math.min(roomE4, ev.worstCaseE4);
      needE4.set(m.exchangeIndex, (needE4.get(m.exchangeIndex) ?? 0) + take);
      roomE4 -= take;
    }
    if (needE4.size === 0) return;
    const canTransfer = transfersOpen(status.shards);
    // In the order queue, so no order (an approval's, say) moves the balances while they are read and planned.
    await executor.exclusive(() => funding.fund(needE4, canTransfer)).catch(() => undefined);
  }

  private authFailed(code: string): void {
    const message =
      code === 'header_timestamp_expired'
        ? "Kalshi refused our requests as stale (header_timestamp_expired): this machine's clock is off. Sync it (NTP); trading resumes by itself."
        : `Kalshi refused our credentials (${code}): trading is stopped until this is fixed.`;
    this.d.alerter.send({ kind: 'error', mode: this.d.mode, message }, { key: 'auth-failure', withinMs: 6 * 3_600_000 });
  }

  /** A 403 on create (e.g. the key's location attestation lapsed for this category): skip it for the day, say so once. */
  private block(m: Market, category: string | undefined, reason: string, day: string): void {
    const { key, what } = this.d.blocked.block(m, category, reason, day);
    this.d.alerter.send(
      {
        kind: 'error',
        mode: this.d.mode,
        message:
          `Kalshi refused an order on ${m.ticker} with 403 (${reason}): ${what} is skipped for the rest of the day. ` +
          "If your API key's location attestation has expired (Sports, Elections and Entertainment need it), renew it on Kalshi.",
      },
      { key: `forbidden:${key}:${day}`, withinMs: 36 * 3_600_000 },
    );
  }

  private requestApproval(m: Market, ev: { side: Side; priceE4: number; contracts: number; worstCaseE4: number; approval: string | null }): void {
    const { journal, clock } = this.d;
    const now = clock.now();
    if (journal.approvals.pendingFor(m.ticker, now)) return;
    const expiresAt = now + this.d.approvalTtlMs;
    const id = journal.approvals.create({
      ticker: m.ticker,
      title: m.title,
      side: ev.side,
      countE2: ev.contracts * E2_PER_CONTRACT,
      priceE4: ev.priceE4,
      worstCaseE4: ev.worstCaseE4,
      rule: ev.approval ?? '',
      now,
      expiresAt,
    });
    this.d.alerter.send({
      kind: 'approval',
      mode: this.d.mode,
      id,
      ticker: m.ticker,
      title: m.title,
      side: ev.side,
      countE2: ev.contracts * E2_PER_CONTRACT,
      priceE4: ev.priceE4,
      worstCaseE4: ev.worstCaseE4,
      rule: ev.approval ?? '',
      expiresAt,
    });
  }
}

type Passed = { m: Market; ev: Extract<ReturnType<typeof evaluateMarket>, { pass: true }> };

