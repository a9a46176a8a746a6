// One scan cycle: L1 hydrate -> L2 band -> L3 validate -> L4 risk + execute, journaled.
import { type Clock, tradingDay } from '../clock.js';
import type { Executor } from '../execution/executor.js';
import { type SettlementSource, syncSettlements } from '../execution/settlements.js';
import { KalshiApiError } from '../kalshi/errors.js';
import { type HydrateProgress, type MarketsPageSource, hydrateUniverse } from '../kalshi/hydrate.js';
import type { Market } from '../kalshi/market-schema.js';
import type { ExchangeStatus, Position } from '../kalshi/schemas.js';
import type { Decision } from '../journal/cycles.js';
import type { Journal } from '../journal/index.js';
import { E2_PER_CONTRACT, e4ToDollarsNumber } from '../money.js';
import type { Alerter } from '../notify/alerter.js';
import type { Mode } from '../notify/alerts.js';
import { type Side, bandCheck } from './band.js';
import type { CategoryCache } from './categories.js';
import { type EvaluationContext, evaluateMarket, toValidationContext } from './evaluate.js';
import type { ApprovalRules } from './risk.js';

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
      if (!status.tradingActive) {
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
        tradingActive: status.tradingActive,
        settings,
        excluded: new Set(settings.excludedCategories.map((c) => c.toLowerCase())),
        approvalRules: this.d.approvalRules,
        categoryOf: (e) => this.d.categories.categoryOf(e),
        feeMultiplierOf: (e) => this.d.categories.feeMultiplierOf(e),
        exposureE2: (ticker) => exposures.get(ticker) ?? 0,
      };
      const vctx = toValidationContext(ctx);
      const passed: { m: Market; ev: Extract<ReturnType<typeof evaluateMarket>, { pass: true }> }[] = [];
      for (const m of candidates) {
        const ev = evaluateMarket(m, ctx, vctx);
        if (ev.pass) passed.push({ m, ev });
        else decisions.set(m.ticker, { ticker: m.ticker, layer: ev.layer, outcome: 'rejected', reason: ev.reason, side: ev.side ?? null, priceE4: ev.priceE4 ?? null });
      }
      summary.validated = passed.length;
      t = lap('validate', t);

      // Losses of earlier days' positions that settled today belong to today's ledger before any order.
      await syncSettlements({ journal, clock, timeZone: this.d.timeZone, source: this.d.client });
      t = lap('settlements', t);

      // L4: most liquid first; one order at a time so each cap check sees the previous intent.
      passed.sort((a, b) => b.m.volume24hE2 - a.m.volume24hE2);
      const day = tradingDay(clock.now(), this.d.timeZone);
      for (const { m, ev } of passed) {
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
        const feeMultiplierE4 = this.d.categories.feeMultiplierOf(m.eventTicker);
        const r = await this.d.executor.execute({
          ticker: m.ticker,
          title: m.title,
          side: ev.side,
          contracts: ev.contracts,
          priceE4: ev.priceE4,
          cycleId,
          approvalId: null,
          ...(feeMultiplierE4 !== undefined ? { feeMultiplierE4 } : {}),
        });
        if (r.kind === 'cap') {
          if (r.halt) summary.halted = true;
          decisions.set(m.ticker, { ...base, layer: 4, outcome: 'rejected', reason: r.reason });
          continue;
        }
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
      }
      summary.halted = this.d.executor.haltIfNoRoom();
      lap('execute', t);
    } catch (err) {
      summary.error = describe(err);
      if (err instanceof KalshiApiError && err.status === 401) {
        this.d.alerter.send(
          { kind: 'error', mode: this.d.mode, message: `Kalshi refused our credentials (${err.code}): trading is stopped until this is fixed.` },
          { key: 'auth-failure', withinMs: 6 * 3_600_000 },
        );
      }
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

export function describe(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}
