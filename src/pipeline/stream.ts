// Stream mode: the market table of the last full scan, kept current from the ticker channel. A market whose price
// enters the band runs layers 2-4 at once, through the cycle's own decision (evaluateMarket) and the one order queue
// and cap transaction (Executor.execute). Never on a quote older than STALE_QUOTE_SECONDS: such a market waits for
// the next scan. The full scan stays the source of truth (RESYNC_MINUTES, and at once after a sequence gap or a
// reconnect); lifecycle events add new markets with a cheap min_created_ts read between scans; fills on the fill
// channel book the order through the executor's own booking (in its queue), with polling as the fallback.
import { tradingDay } from '../clock.js';
import { transfersOpen } from '../execution/funding.js';
import type { OrderFeed } from '../execution/order-feed.js';
import type { Market } from '../kalshi/market-schema.js';
import type { MarketTable } from '../kalshi/market-table.js';
import type { ExchangeStatus, Position } from '../kalshi/schemas.js';
import type { StreamHandlers, StreamStats } from '../kalshi/ws.js';
import type { FillFrame, LifecycleFrame, TickerFrame, WsFrame } from '../kalshi/ws-schemas.js';
import type { Settings } from '../journal/settings.js';
import type { Logger } from '../log.js';
import { BAND, bandCode } from '../rules/band.js';
import { evaluateMarket } from '../rules/evaluate.js';
import { QUICK, ShardTrading, quickCode } from '../rules/validate.js';
import { type DecideDeps, DecisionContext, decisionDepsOf } from './decision-context.js';
import { raiseApproval } from './approvals.js';
import { orderMarket } from './order-market.js';

export interface StreamConnection {
  start(): void;
  stop(): Promise<void>;
  stats(): StreamStats;
}

export interface StreamDeps extends DecideDeps {
  client: {
    getExchangeStatus(): Promise<ExchangeStatus>;
    getPositions(): Promise<Position[]>;
    getMarketsPage(p: { status?: 'open'; minCreatedTs?: number; limit?: number }): Promise<{ markets: Market[] }>;
  };
  approvalTtlMs: number;
  reaskRejected?: boolean;
  /** STALE_QUOTE_SECONDS in ms: an older quote is never traded on. */
  staleQuoteMs: number;
  /** RESYNC_MINUTES in ms: the full scan's period while the stream is healthy. */
  resyncMs: number;
  /** Where the user_orders and fill frames go: the executor confirms and books orders in flight from them. */
  feed?: Pick<OrderFeed, 'noteOrder' | 'noteFill' | 'report' | 'booked'>;
  /** A resync became due before its time (a gap, a reconnect): the app runs the scan loop's next cycle early. */
  onResyncDue?: () => void;
  /** The socket (KalshiStream in the app; built with these handlers). */
  connect(handlers: StreamHandlers): StreamConnection;
  log: Logger;
}

/** What /status shows. */
export interface StreamHealth {
  connected: boolean;
  connectedSince: number | null;
  /** how long the current connection has been up (ms), null when down */
  connectedForMs: number | null;
  messagesPerSecond: number;
  lastMessageAgeMs: number | null;
  reconnects: number;
  gaps: number;
  gapsRecovered: number;
  marketsFresh: number;
  markets: number;
  orders: number;
  staleSkipped: number;
  /** ticker frames older than the quote the table holds (reordered, or from before the scan): dropped */
  outOfOrder: number;
  fillsBooked: number;
  /** When the next full scan is due (the loop runs it at its first tick from then), and why it is due early, if it is. */
  nextScanAt: number | null;
  scanDueBecause: 'the stream is not connected' | 'no scan yet' | 'a gap or a reconnect' | null;
}

const STATUS_TTL_MS = 30_000;
const POSITIONS_TTL_MS = 30_000;

export class StreamLoop {
  private table: MarketTable | null = null;
  /** per row: the exchange's time of the quote in the table (ms) */
  private quoteTs = new Float64Array(0);
  private newestCreatedS = 0;
  private conn: StreamConnection | null = null;
  private settings: { at: number; s: Settings } | null = null;
  /** The exchange's status, read at most every STATUS_TTL_MS. */
  private readonly status = new SharedRead<ExchangeStatus>(STATUS_TTL_MS, () => this.d.client.getExchangeStatus());
  /** Held contracts per ticker as of `readAt` (business clock), read at most every POSITIONS_TTL_MS. */
  private readonly positions = new SharedRead<{ readAt: number; held: Map<string, number> }>(POSITIONS_TTL_MS, async () => {
    const readAt = this.d.clock.now();
    const held = new Map<string, number>();
    for (const p of await this.d.client.getPositions()) held.set(p.ticker, (held.get(p.ticker) ?? 0) + Math.abs(p.positionE2));
    return { readAt, held };
  });
  private readonly inFlight = new Set<string>();
  private readonly ended = new Set<string>();
  private resyncWanted = false;
  private pendingGaps = 0;
  private opened = 0;
  private lastAdoptAt = 0;
  private createdTimer: NodeJS.Timeout | null = null;
  private rate = { at: 0, messages: 0, perSecond: 0 };
  private readonly counts = { gaps: 0, gapsRecovered: 0, orders: 0, staleSkipped: 0, fillsBooked: 0, outOfOrder: 0, unknown: 0 };

  constructor(private readonly d: StreamDeps) {}

  start(): void {
    if (this.conn) return;
    this.conn = this.d.connect({
      onFrame: (f) => this.onFrame(f),
      onGap: (g) => {
        // What the sid carried since is lost: the next scan (due at once) is the recovery.
        this.counts.gaps++;
        this.pendingGaps++;
        this.resyncWanted = true;
        this.d.log.warn({ gap: g }, 'stream: sequence gap; a full resync is due');
        this.d.onResyncDue?.();
      },
      onOpen: () => {
        // After a reconnect nothing is replayed: prices are seeded again by a full scan.
        if (this.opened++ > 0) {
          this.resyncWanted = true;
          this.d.onResyncDue?.();
        }
      },
      onClose: (why) => this.d.log.warn(`stream: ${why}; reconnecting`),
    });
    this.conn.start();
  }

  async stop(): Promise<void> {
    if (this.createdTimer) clearTimeout(this.createdTimer);
    await this.conn?.stop();
    this.conn = null;
  }

  /** The scan just hydrated this table (its quotes as of `asOfMs`): the stream keeps it current from here. */
  adopt(table: MarketTable, asOfMs: number): void {
    this.table = table;
    this.quoteTs = new Float64Array(table.capacity).fill(asOfMs);
    let newest = 0;
    for (let i = 0; i < table.size; i++) newest = Math.max(newest, table.createdMs[i]!);
    this.newestCreatedS = Math.floor(newest / 1000);
    this.ended.clear();
    this.lastAdoptAt = this.d.clock.now();
    this.resyncWanted = false;
    this.counts.gapsRecovered += this.pendingGaps;
    this.pendingGaps = 0;
  }

  /**
   * Whether the scan loop should run a full scan now: always when the stream is off or unhealthy (the scan's safety),
   * after a gap or a reconnect, and every RESYNC_MINUTES.
   */
  scanDue(): boolean {
    return this.dueBecause() !== null || this.d.clock.now() - this.lastAdoptAt >= this.d.resyncMs;
  }

  /** Why a full scan is due before its time (null: it is not, or only by RESYNC_MINUTES). */
  private dueBecause(): StreamHealth['scanDueBecause'] {
    if (!this.conn?.stats().connected) return 'the stream is not connected';
    if (!this.table) return 'no scan yet';
    if (this.resyncWanted) return 'a gap or a reconnect';
    return null;
  }

  /** Whether the socket is up now (cheap: what the executor asks before waiting for a pushed report). */
  connected(): boolean {
    return this.conn?.stats().connected ?? false;
  }

  health(): StreamHealth {
    const st = this.conn?.stats() ?? null;
    const now = Date.now();
    if (st && now - this.rate.at >= 1000) {
      this.rate = { at: now, messages: st.messages, perSecond: this.rate.at === 0 ? 0 : ((st.messages - this.rate.messages) * 1000) / (now - this.rate.at) };
    }
    let fresh = 0;
    const t = this.d.clock.now() - this.d.staleQuoteMs;
    const n = this.table?.size ?? 0;
    for (let i = 0; i < n; i++) if (this.quoteTs[i]! >= t) fresh++;
    return {
      connected: st?.connected ?? false,
      connectedSince: st?.connectedSince ?? null,
      connectedForMs: st?.connected && st.connectedSince !== null ? now - st.connectedSince : null,
      messagesPerSecond: Math.round(this.rate.perSecond * 10) / 10,
      lastMessageAgeMs: st?.lastMessageAt ? now - st.lastMessageAt : null,
      reconnects: st?.reconnects ?? 0,
      gaps: this.counts.gaps,
      gapsRecovered: this.counts.gapsRecovered,
      marketsFresh: fresh,
      markets: n,
      orders: this.counts.orders,
      staleSkipped: this.counts.staleSkipped,
      outOfOrder: this.counts.outOfOrder,
      fillsBooked: this.counts.fillsBooked + (this.d.feed?.booked ?? 0),
      nextScanAt: this.table ? this.lastAdoptAt + this.d.resyncMs : null,
      scanDueBecause: this.dueBecause(),
    };
  }

  private onFrame(f: WsFrame): void {
    try {
      if (f.type === 'ticker') this.onTicker(f);
      else if (f.type === 'market_lifecycle_v2') this.onLifecycle(f);
      else if (f.type === 'fill') {
        this.d.feed?.noteFill(f.msg);
        this.onFill(f);
      } else if (f.type === 'user_order') this.d.feed?.noteOrder(f.msg);
      else if (f.type === 'error') this.d.log.warn({ code: f.msg.code, msg: f.msg.msg }, 'stream: error frame');
    } catch (err) {
      this.d.log.error({ err }, 'stream: frame handling failed');
    }
  }

  private bandSettings(): Settings {
    const now = Date.now();
    if (!this.settings || now - this.settings.at > 1000) this.settings = { at: now, s: this.d.journal.settings.get() };
    return this.settings.s;
  }

  private inBand(i: number, s: Settings): boolean {
    const t = this.table!;
    const c = bandCode(t.yesBidE4[i]!, t.yesAskE4[i]!, t.yesBidSizeE2[i]!, t.yesAskSizeE2[i]!, s);
    return c === BAND.YES || c === BAND.NO;
  }

  private onTicker(f: TickerFrame): void {
    const t = this.table;
    if (!t) return;
    const i = t.row(f.msg.market_ticker);
    if (i === undefined) {
      // Not in the last scan (new, or filtered out there): it waits for the next scan or a lifecycle read.
      this.counts.unknown++;
      return;
    }
    const ts = f.msg.ts_ms ?? (f.msg.ts !== undefined ? f.msg.ts * 1000 : this.d.clock.now());
    if (ts < this.quoteTs[i]!) {
      // Reordered or older than what the table holds: never move a quote back in time.
      this.counts.outOfOrder++;
      return;
    }
    const s = this.bandSettings();
    const before = this.inBand(i, s);
    t.yesBidE4[i] = f.msg.yes_bid_dollars;
    t.yesAskE4[i] = f.msg.yes_ask_dollars;
    if (f.msg.yes_bid_size_fp !== undefined) t.yesBidSizeE2[i] = f.msg.yes_bid_size_fp;
    if (f.msg.yes_ask_size_fp !== undefined) t.yesAskSizeE2[i] = f.msg.yes_ask_size_fp;
    this.quoteTs[i] = ts;
    if (!before && this.inBand(i, s)) void this.decide(i);
  }

  private onLifecycle(f: LifecycleFrame): void {
    const e = f.msg.event_type;
    if (e === 'created' || e === 'activated') this.fetchCreatedSoon();
    // No more trading on it until the next scan says otherwise.
    else if (e === 'deactivated' || e === 'determined' || e === 'settled' || e === 'closed') this.ended.add(f.msg.market_ticker);
  }

  /** New markets: one cheap min_created_ts read (debounced), added to the table and looked at like a price change. */
  private fetchCreatedSoon(): void {
    if (this.createdTimer || !this.table) return;
    this.createdTimer = setTimeout(() => {
      this.createdTimer = null;
      void this.fetchCreated();
    }, 200);
    this.createdTimer.unref();
  }

  private async fetchCreated(): Promise<void> {
    const t = this.table;
    if (!t) return;
    try {
      const page = await this.d.client.getMarketsPage({ status: 'open', minCreatedTs: this.newestCreatedS, limit: 1000 });
      if (this.table !== t) return;
      const now = this.d.clock.now();
      const s = this.bandSettings();
      for (const m of page.markets) {
        if (m.status !== 'active' || m.isCombo || t.row(m.ticker) !== undefined) continue;
        t.put(m);
        const i = t.row(m.ticker)!;
        if (t.capacity > this.quoteTs.length) {
          const grown = new Float64Array(t.capacity);
          grown.set(this.quoteTs);
          this.quoteTs = grown;
        }
        this.quoteTs[i] = now;
        this.newestCreatedS = Math.max(this.newestCreatedS, Math.floor(m.createdMs / 1000));
        if (this.inBand(i, s)) void this.decide(i);
      }
    } catch (err) {
      this.d.log.warn({ err }, 'stream: reading new markets failed (the next scan will have them)');
    }
  }


  /**
   * Held plus resting per ticker, as the cycle counts it. Positions are read every POSITIONS_TTL_MS, not at each
   * decision: what our own orders filled since that read comes from the journal (counted again if the read already
   * had it: more exposure, never less), so an order of ours never waits for a positions read.
   */
  private async exposures(): Promise<ReadonlyMap<string, number>> {
    const { journal } = this.d;
    const { readAt, held } = await this.positions.get();
    const out = new Map(held);
    const add = (t: string, n: number) => out.set(t, (out.get(t) ?? 0) + n);
    for (const [t, n] of journal.orders.filledSince(readAt)) add(t, n);
    for (const [t, n] of journal.orders.pendingByTicker()) add(t, n);
    if (this.d.mode === 'DRY-RUN') for (const [t, n] of journal.orders.paperByTicker()) add(t, n);
    return out;
  }

  private fresh(i: number): boolean {
    return this.d.clock.now() - this.quoteTs[i]! <= this.d.staleQuoteMs;
  }

  /** Layers 2-4 for one market, now: the cycle's evaluateMarket, then the executor's queue and cap transaction. */
  private async decide(i: number): Promise<void> {
    const t = this.table;
    if (!t) return;
    const ticker = t.tickers[i]!;
    if (this.inFlight.has(ticker) || this.ended.has(ticker)) return;
    if (!this.fresh(i)) {
      this.counts.staleSkipped++;
      return;
    }
    const { journal, clock, categories } = this.d;
    const day = tradingDay(clock.now(), this.d.timeZone);
    if (journal.settings.get().paused || journal.orders.haltOf(day)) return;
    this.inFlight.add(ticker);
    try {
      // The checks on the market's own numbers first, on the table (no read): most markets that enter the band settle
      // too late or trade too little, and must not cost a request each.
      const status = await this.status.get();
      if (this.table !== t) return;
      const settings = journal.settings.get();
      const shards = new ShardTrading(status.tradingActive, status.shards);
      const quick = quickCode(t.exchangeIndex[i]!, t.settlesMs[i]!, t.volume24hE2[i]!, {
        nowMs: clock.now(),
        tradingActive: shards.tradingActive,
        horizonDays: settings.horizonDays,
        minVolume24h: settings.minVolume24h,
        shardClosed: (k) => shards.shardClosed(k),
      });
      if (quick !== QUICK.OK) return;
      // Then the category (one read for an event whose series is not listed); the event's own fee rule is read by
      // orderMarket, only for a market about to be sent (as in the cycle).
      await categories.ensure([t.eventTicker(i)]);
      const exposures = await this.exposures();
      if (this.table !== t) return;
      const m = t.market(i);
      const now = clock.now();
      const ctx = new DecisionContext(decisionDepsOf(this.d), now, settings, status, exposures);
      const ev = evaluateMarket(m, ctx);
      if (!ev.pass) return;
      if (ev.approval) {
        raiseApproval(this.d, m, ev);
        return;
      }
      // The cycle's own last step: the event's fee rule, evaluated again, the queue and the cap transaction, 403s and
      // refused credentials handled alike. The quote may have aged while the reads ran: never send on a stale one.
      let stale = false;
      const send = () =>
        orderMarket(this.d, m, ctx, {
          cycleId: null,
          day,
          guard: () => {
            stale = this.table !== t || !this.fresh(i);
            return stale ? 'the quote went stale before sending' : null;
          },
        });
      let sent = await send();
      // The shard is funded only when the executor finds it short (no balance read of its own on every decision).
      if (!sent.sent && sent.short && this.d.funding && this.d.mode !== 'DRY-RUN') {
        const funding = this.d.funding;
        await this.d.executor.exclusive(() => funding.fund(new Map([[m.exchangeIndex, ev.worstCaseE4]]), transfersOpen(status.shards))).catch(() => undefined);
        sent = await send();
      }
      if (stale) {
        this.counts.staleSkipped++;
        return;
      }
      if (sent.sent) this.counts.orders++;
    } catch (err) {
      this.d.log.warn({ err, ticker }, 'stream: decision failed (the next scan looks again)');
    } finally {
      this.inFlight.delete(ticker);
    }
  }

  /** A fill of ours: book its order now through the executor's own booking, in its queue (never beside it). */
  private onFill(f: FillFrame): void {
    const { journal, executor } = this.d;
    const row = journal.orders.unfinished().find((r) => r.exchange_order_id === f.msg.order_id || (f.msg.client_order_id && r.client_order_id === f.msg.client_order_id));
    // A resting maker order's own watcher books it (from the same frames).
    if (!row || executor.isWatching(row.id)) return;
    void executor
      .exclusive(async () => {
        const now = journal.orders.get(row.id);
        // The order in flight was booked by its own execution before this ran; a maker that came to rest meanwhile is
        // its watcher's to book.
        if (!now || now.final || !now.exchange_order_id || executor.isWatching(row.id)) return;
        const ref = { orderId: now.exchange_order_id, clientOrderId: now.client_order_id, ticker: now.ticker, exchangeIndex: now.exchange_index };
        const o = this.d.feed?.report(now.exchange_order_id, now.side) ?? (await executor.read(ref));
        // Read again after the await: the order may have been booked (or come under its watcher) meanwhile. Booked on
        // the stream's fill records when they cover it (counted by the feed), else on the REST list.
        const still = journal.orders.get(row.id);
        if (o?.isTerminal && still && !still.final && !executor.isWatching(row.id)) {
          const before = this.d.feed?.booked ?? 0;
          await executor.book(row.id, o);
          if ((this.d.feed?.booked ?? 0) === before) this.counts.fillsBooked++;
        }
      })
      .catch((err: unknown) => this.d.log.warn({ err }, 'stream: booking a fill failed (polling and reconciliation remain)'));
  }
}

/**
 * A read kept for `ttlMs` (monotonic time): callers that ask while one is in flight share it, and a failed read is
 * not kept (the next caller asks again).
 */
class SharedRead<T> {
  private kept: { at: number; v: Promise<T> } | null = null;

  constructor(
    private readonly ttlMs: number,
    private readonly read: () => Promise<T>,
  ) {}

  get(): Promise<T> {
    const now = performance.now();
    if (!this.kept || now - this.kept.at > this.ttlMs) {
      const kept = { at: now, v: this.read() };
      this.kept = kept;
      kept.v.catch(() => {
        if (this.kept === kept) this.kept = null;
      });
    }
    return this.kept.v;
  }
}
