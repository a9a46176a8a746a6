// One scan cycle: L1 hydrate -> L2 band -> L3 validate -> L4 risk + execute, journaled.
import { emptyObjects } from '../elements.js';
import { tradingDay } from '../clock.js';
import { transfersOpen } from '../execution/funding.js';
import type { SettlementSource, SettlementSync } from '../execution/settlements.js';
import { KalshiApiError } from '../kalshi/errors.js';
import { type CreatedProfile, type HydrateProgress, type HydrateResult, type MarketsPageSource, hydrateUniverse } from '../kalshi/hydrate.js';
import type { EventNames, MarketTable } from '../kalshi/market-table.js';
import type { ExchangeStatus, Position } from '../kalshi/schemas.js';
import { packNamesAsync } from '../journal/decisions.js';
import { E2_PER_CONTRACT, e4ToDollarsNumber } from '../money.js';
import type { Mode } from '../notify/alerts.js';
import type { Side } from '../rules/band.js';
import { raiseApproval } from './approvals.js';
import { type DecideDeps, DecisionContext, decisionDepsOf } from './decision-context.js';
import { alertAuthFailure, orderMarket } from './order-market.js';
import { DecisionColumns, type Passed, ReasonTexts, Shapes, bandPass, evaluatePass, lookupRows } from '../rules/table-pass.js';
import type { ShadowBook } from './shadow.js';

export interface CycleClient extends MarketsPageSource, SettlementSource {
  getExchangeStatus(): Promise<ExchangeStatus>;
  getPositions(): Promise<Position[]>;
}

export interface CycleDeps extends DecideDeps {
  client: CycleClient;
  approvalTtlMs: number;
  /** Ask again about a market rejected earlier the same trading day. */
  reaskRejected?: boolean;
  settlements: SettlementSync;
  hydrateStreams?: number;
  onProgress?: (p: HydrateProgress) => void;
  /**
   * Which exchange the journal's scan profile (the last scan's created-time distribution) belongs to. Default: by
   * mode (sim, demo, prod). The profile plans the scan's windows, also after a restart.
   */
  profileScope?: string;
  /** Stream mode: the freshly hydrated table (quotes as of the scan's start), kept current by the stream from here. */
  onHydrated?: (table: MarketTable, asOfMs: number) => void;
  /** The shadow book of band candidates (calibration going forward). */
  shadow?: ShadowBook;
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
  /** How the scan went: requests, windows (planned + split off), how it was planned, records listed. */
  scan?: { pages: number; windows: number; splits: number; planned: 'profile' | 'prior'; streams: number; listed: number; duplicates: number };
  /** Everything after hydration (layers, journal), ms. */
  afterHydrateMs?: number;
  error?: string;
}

/** Which universe a scan profile describes: the simulated exchange, Kalshi's demo, or production. */
export const profileScopeOf = (mode: Mode): string => (mode === 'SIM' ? 'sim' : mode === 'DEMO' ? 'demo' : 'prod');

export class Cycle {
  /** The last scan's created-time distribution (from the journal at the first cycle after a start). */
  private profile: CreatedProfile | null | undefined;
  /** Reason texts formatted in earlier cycles (while the settings they depend on are unchanged). */
  private readonly texts = new ReasonTexts();
  /** The last scan's events: the next scan's table keeps their strings (the maps kept across cycles find them faster). */
  private lastEvents: EventNames | null = null;
  /** Evaluations by shape, kept from cycle to cycle while what they were made under is unchanged. */
  private readonly shapes = new Shapes();

  constructor(private readonly d: CycleDeps) {}


  private get scope(): string {
    return this.d.profileScope ?? profileScopeOf(this.d.mode);
  }

  /** Positions held plus resting, per ticker, from the exchange and the journal's unfinished and paper orders. */
  private exposures(positions: readonly Position[]): Map<string, number> {
    const out = new Map<string, number>();
    const add = (t: string, n: number) => out.set(t, (out.get(t) ?? 0) + n);
    for (const p of positions) add(p.ticker, Math.abs(p.positionE2));
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
    // The decision trail: one row per market of the scan, set as the layers go (a cycle that fails early has fewer).
    let table: MarketTable | null = null;
    let cols = new DecisionColumns(0);
    let tAfter = 0;
    let namesPacked: Promise<Buffer> | null = null;
    try {
      // L1. The reads that do not depend on the scan go out while it pages (at 600 ms a request they would
      // otherwise follow it one after another): exchange status, positions, settlements, the series list.
      let t = performance.now();
      const scanStartMs = clock.now();
      const ordersBefore = journal.scans.ordersFingerprint();
      this.profile ??= this.loadProfile();
      // allSettled, not all: a failed read must not leave the scan paging on into the next cycle.
      const [scanned, exchange, held, settled] = await Promise.allSettled([
        hydrateUniverse(this.d.client, {
          nowMs: clock.now(),
          profile: this.profile,
          previousEvents: this.lastEvents,
          ...(this.d.hydrateStreams !== undefined ? { streams: this.d.hydrateStreams } : {}),
          ...(this.d.onProgress ? { onProgress: this.d.onProgress } : {}),
        }),
        this.d.client.getExchangeStatus(),
        this.d.client.getPositions(),
        this.d.settlements.sync(),
        this.d.categories.ensure(emptyObjects<string>()),
      ]);
      if (scanned.status === 'rejected') throw scanned.reason;
      if (exchange.status === 'rejected') throw exchange.reason;
      const universe = scanned.value;
      const status = exchange.value;
      table = universe.table;
      this.lastEvents = table.eventNames();
      this.d.onHydrated?.(table, scanStartMs);
      summary.markets = table.size;
      summary.skipped = universe.skipped;
      summary.hydrateMs = universe.elapsedMs;
      summary.scan = {
        pages: universe.pages,
        windows: universe.windows,
        splits: universe.splits,
        planned: universe.planned,
        streams: universe.streams,
        listed: universe.listed,
        duplicates: universe.duplicates,
      };
      t = lap('hydrate', t);
      tAfter = t;
      this.keepProfile(universe);
      t = lap('profile', t);
      if (!status.tradingActive && status.shards.every((s) => !s.tradingActive)) {
        this.d.alerter.send(
          { kind: 'error', mode: this.d.mode, message: 'The exchange is not trading: no orders until it reopens.' },
          { key: 'exchange-closed', withinMs: 6 * 3_600_000 },
        );
      }

      // L2 over the whole universe, on the table's columns.
      const settings = journal.settings.get();
      this.texts.use({ ...settings });
      cols = new DecisionColumns(table.size, this.texts);
      const bandSide = new Uint8Array(table.size);
      const bandPrice = new Int32Array(table.size);
      const candidates = bandPass(table, settings, cols, bandSide, bandPrice);
      summary.candidates = candidates.length;
      t = lap('band', t);

      // L3: categories are looked up only for candidates that pass the cheap checks.
      if (held.status === 'rejected') throw held.reason;
      // Positions were read while the scan paged: read again if one of our orders was added, filled or ended meanwhile.
      const positions = journal.scans.ordersFingerprint() === ordersBefore ? held.value : await this.d.client.getPositions();
      const exposures = this.exposures(positions);
      const now = clock.now();
      // Each event once (an event's markets share its category).
      const lookups = lookupRows(table, candidates, { nowMs: now, horizonDays: settings.horizonDays, minVolume24h: settings.minVolume24h });
      const asked = new Uint8Array(table.events.length);
      const events: string[] = emptyObjects();
      for (let c = 0; c < lookups.length; c++) {
        const e = table.eventOf[lookups[c]!]!;
        if (asked[e] === 0) {
          asked[e] = 1;
          events.push(table.events[e]!);
        }
      }
      await this.d.categories.ensure(events);
      const ctx = new DecisionContext(decisionDepsOf(this.d), now, settings, status, exposures);
      // A DecisionContext is both the evaluation's and the validation's context.
      const passed: Passed[] = evaluatePass(table, candidates, bandSide, bandPrice, ctx, ctx, cols, this.shapes);
      summary.validated = passed.length;
      t = lap('validate', t);
      // The trail's tickers are compressed on the thread pool while layer 4, the shadow book and the rest run here
      // (not during layers 2-3: on two cores it would take the CPU they run on).
      namesPacked = packNamesAsync(table.tickerText());
      namesPacked.catch(() => undefined);

      // Losses of earlier days' positions that settled today belong to today's ledger before any order (read while
      // the scan paged; the executor reads them again before a cap check when they are more than 5 s old).
      if (settled.status === 'rejected') throw settled.reason;
      t = lap('settlements', t);

      // L4: most liquid first; one order at a time so each cap check sees the previous intent.
      const volume = universe.table.volume24hE2;
      passed.sort((a, b) => volume[b.i]! - volume[a.i]!);
      const day = tradingDay(clock.now(), this.d.timeZone);
      // Collateral where the orders go: each shard funded once for all the orders planned there.
      await this.fundShards(passed, day, status);
      t = lap('funding', t);
      // The halt and the pause are read at each market, as of the last thing awaited (nothing else can change
      // them in between: reading them again for each of thousands of markets would only cost time).
      let stale = true;
      let halted = false;
      let paused = false;
      for (const p of passed) {
        // p.m builds the market's record from the table: only for an approval or an order.
        const { i, ev } = p;
        // The decision carries the side and price this market passed the layers with.
        const { side, priceE4 } = ev;
        if (stale) {
          halted = journal.orders.haltOf(day) !== undefined;
          paused = journal.settings.get().paused;
          stale = false;
        }
        if (halted) {
          summary.halted = true;
          cols.record(i, 4, 'rejected', 'trading halted for the day: daily loss cap reached', side, priceE4);
          continue;
        }
        if (paused) {
          cols.record(i, 4, 'passed', 'passed every layer; paused, so no order was sent', side, priceE4);
          continue;
        }
        if (ev.approval) {
          const asked = raiseApproval(this.d, p.m, ev);
          if (asked.raised) summary.approvals++;
          cols.record(
            i,
            4,
            asked.raised ? 'approval' : 'rejected',
            asked.raised ? `waiting for approval: ${ev.approval}` : `flagged for approval (${ev.approval}), not asked: ${asked.reason}`,
            side,
            priceE4,
          );
          continue;
        }
        const m = p.m;
        const sent = await orderMarket(this.d, m, ctx.at(clock.now()), { cycleId, day });
        stale = true;
        if (!sent.sent) {
          if (sent.halt) summary.halted = true;
          cols.record(i, sent.layer, 'rejected', sent.reason, side, priceE4);
          continue;
        }
        const r = sent.result;
        const row = 'row' in r ? r.row : journal.orders.get(r.orderId)!;
        summary.orders.push({
          ticker: m.ticker,
          side: sent.ev.side,
          count: row.count_e2 / E2_PER_CONTRACT,
          price: e4ToDollarsNumber(row.price_e4),
          status: row.state,
          filled: row.filled_e2 / E2_PER_CONTRACT,
        });
        cols.record(i, 5, 'ordered', sent.reason, side, priceE4);
        // Refused credentials refuse every order: stop ordering this cycle (orderMarket has said so).
        if (sent.authFailed) break;
      }
      summary.halted = this.d.executor.haltIfNoRoom();
      t = lap('execute', t);
      // The shadow book: every market seen in band, traded or not (after the orders: it never delays one).
      try {
        this.d.shadow?.recordTable(table, candidates, bandSide, bandPrice, now);
      } catch {
        // A journal write that failed here costs calibration data, never the cycle.
      }
      lap('shadow', t);
    } catch (err) {
      summary.error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      if (err instanceof KalshiApiError && err.status === 401) alertAuthFailure(this.d, err.code);
    }
    const tw = performance.now();
    // A cycle that failed before layer 4 compresses them here.
    namesPacked ??= table ? packNamesAsync(table.tickerText()) : null;
    const names = await namesPacked?.catch(() => null);
    journal.cycles.replaceTrail(cycleId, names ?? (table?.tickers ?? []), cols);
    timings.journal = Math.round(performance.now() - tw);
    if (tAfter > 0) summary.afterHydrateMs = Math.round(performance.now() - tAfter);
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

  /** The journal's profile of the last scan of this exchange (a fresh install has none: the scan is planned cold). */
  private loadProfile(): CreatedProfile | null {
    try {
      return this.d.journal.scans.load(this.scope);
    } catch {
      return null;
    }
  }

  /** Plan the next scan by this one, and keep it in the journal so a restart is not cold. */
  private keepProfile(universe: HydrateResult): void {
    this.profile = universe.profile;
    try {
      this.d.journal.scans.save(this.scope, universe.profile);
    } catch {
      // Not kept across a restart this time; the next cycle plans from memory all the same.
    }
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





}
