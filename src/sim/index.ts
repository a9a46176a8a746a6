// Public API of the simulated Kalshi exchange: start it in-process, point a client at baseUrl.
// It imports nothing from the rest of the app: it is the other side of the wire.
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { KeyRing } from './auth.js';
import { addDesignedMarket, updateDesignedMarket, type SimMarketSpec } from './designed.js';
import { Exchange } from './exchange.js';
import { FaultQueue, type SimFault } from './faults.js';
import { type FlowOptions, MakerFlow } from './flow.js';
import { type HistoryOptions, SettledHistory } from './history.js';
import { RateLimiter } from './ratelimit.js';
import { warmListingCache } from './market-routes.js';
import { MAX_SHARD } from './shards.js';
import { API_PREFIX, listen, type ServerDeps } from './server.js';
import { generateUniverse, statusAt } from './universe.js';
import { type SimWsFault, type SimWsOptions, type SimWsStats, WS_PATH, attachWebSocket } from './ws.js';

export type { SimFault } from './faults.js';
export type { SimMarketSpec } from './designed.js';
export type { SimWsFault, SimWsStats } from './ws.js';

export interface SimOptions {
  markets?: number;
  combos?: number;
  seed?: number;
  latencyMs?: number;
  rateLimit?: 'basic' | 'advanced' | 'premier' | 'prime' | false;
  clock?: () => number;
  /** Time source of the token buckets (ms). Default: real monotonic time, since tests often freeze `clock`. */
  rateClock?: () => number;
  port?: number;
  /** starting cash, all on shard 0 */
  balanceCents?: number;
  leakClosed?: number;
  /** GET /portfolio/orders/{id} answers 404 for an order off shard 0 (default false: found on any shard) */
  getOrderShard0Only?: boolean;
  /** how long an intra-exchange transfer stays pending (ms, on `transferClock`). Default 300. */
  transferDelayMs?: number;
  /** Time source of transfer completion (ms). Default: real monotonic time, like `rateClock`. */
  transferClock?: () => number;
  /**
   * Keep each generated market's serialized listing record while its state is unchanged (~2 KB a market), so a page
   * costs the exchange little CPU; 'warm' also renders every open market once at start. Default off. The bench's
   * exchange (its own process) turns it on: it stands in for an exchange whose speed is not what is measured.
   */
  renderCache?: boolean | 'warm';
  /** The WebSocket endpoint (/trade-api/ws/v2): ping period and how often changes are looked for. */
  ws?: SimWsOptions;
  /**
   * The true bias of outcomes (SIM_FAVOURITE_EDGE), e4: a favourite wins this much more often than its price says,
   * in the settled history (exactly: at its ask) and in the markets that settle while the sim runs (around their mid).
   * Default 0.
   */
  favouriteEdgeE4?: number;
  /** Markets that settled before the start (the settled listing, candlesticks). Default: none. */
  history?: HistoryOptions;
  /** Every market settles by itself 5 minutes after close, not only those with positions (default false). */
  settleClosed?: boolean;
  /**
   * Order flow against resting orders: takers arrive over time, our orders fill after the queue ahead of them, and
   * the flow is informed (more of it hits the side that will lose). Default off: resting orders fill only when the
   * book moves through them (or by fillResting).
   */
  makerFlow?: boolean | FlowOptions;
}

export interface SimOrderView {
  order_id: string;
  client_order_id: string;
  ticker: string;
  side: 'bid' | 'ask';
  status: 'resting' | 'canceled' | 'executed';
  priceE4: number;
  initialE2: number;
  filledE2: number;
  createdMs: number;
  exchangeIndex: number;
}

export interface SimFillView {
  fillId: string;
  orderId: string;
  ticker: string;
  /** the price of the outcome bought (YES price for a bid, NO price for an ask), e4 */
  paidE4: number;
  countE2: number;
  feeE4: number;
  tsMs: number;
  exchangeIndex: number;
}

export interface SimShardBalance {
  exchangeIndex: number;
  /** cash minus what resting orders reserve, dollars e4 (floored), as balance_breakdown shows it */
  availableE4: number;
  /** the same in e6 (exact) */
  availableE6: number;
  cashE6: number;
}

export interface SimTransferView {
  transfer_id: string;
  sourceShard: number;
  destinationShard: number;
  /** centicents ($1 = 10000), as requested */
  amountE4: number;
  status: 'pending' | 'complete';
  createdMs: number;
}

export interface SimShardPatch {
  tradingActive?: boolean;
  transfersActive?: boolean;
}

export interface SimExchange {
  readonly baseUrl: string;
  /** ws://127.0.0.1:port/trade-api/ws/v2 */
  readonly wsUrl: string;
  /** a fault on every open WebSocket connection (drop, stall, skip-seq, reorder) */
  wsFault(fault: SimWsFault): void;
  wsStats(): SimWsStats;
  registerKey(keyId: string, publicKeyPem: string): void;
  addMarket(spec: SimMarketSpec): void;
  updateMarket(ticker: string, patch: Partial<SimMarketSpec>): void;
  /** every shard at once */
  setTradingActive(active: boolean): void;
  /** one shard (0..100; created if new): trading and/or intra-exchange transfers */
  setShardStatus(exchangeIndex: number, patch: SimShardPatch): void;
  /** pending time of transfers accepted from now on */
  setTransferDelay(ms: number): void;
  /** the shard a market trades on (throws for an unknown ticker) */
  shardOf(ticker: string): number;
  /** per shard: shard 0 and every shard that ever held money, ascending (completes due transfers first) */
  balances(): SimShardBalance[];
  /** every transfer, oldest first (completes due transfers first) */
  transfersSnapshot(): SimTransferView[];
  setLatency(ms: number): void;
  /** schedule a series fee change (listed by GET /series/fee_changes; charged from its time on) */
  scheduleFeeChange(change: { seriesTicker: string; feeType: 'quadratic' | 'quadratic_with_maker_fees'; feeMultiplierE4: number; scheduledMs: number }): void;
  inject(fault: SimFault): void;
  fillResting(orderId: string, countE2?: number): void;
  ordersSnapshot(): SimOrderView[];
  /** every fill of ours, oldest first: what the exchange really took (outcome price paid, fee) and when */
  fillsSnapshot(): SimFillView[];
  openMarketTickers(): string[];
  stats(): { requests: number; rateLimited: number; byRoute: Record<string, number> };
  close(): Promise<void>;
}

export async function startSimExchange(opts: SimOptions = {}): Promise<SimExchange> {
  const clock = opts.clock ?? Date.now;
  const markets = opts.markets ?? 20_000;
  const seed = opts.seed ?? 1;
  const ex = new Exchange(clock, seed, opts.balanceCents ?? 100_000, opts.transferClock);
  ex.getOrderShard0Only = opts.getOrderShard0Only ?? false;
  if (opts.transferDelayMs !== undefined) ex.transferDelayMs = checkDelay(opts.transferDelayMs);
  ex.favouriteEdgeE4 = opts.favouriteEdgeE4 ?? 0;
  ex.settleClosed = opts.settleClosed ?? false;
  if (opts.makerFlow) ex.flow = new MakerFlow(seed, opts.makerFlow === true ? {} : opts.makerFlow);
  if (markets > 0 || (opts.combos ?? 0) > 0) {
    generateUniverse(ex.universe, {
      markets,
      combos: opts.combos ?? Math.floor(markets * 0.1),
      leakClosed: opts.leakClosed ?? Math.floor(markets * 0.001),
      seed,
      nowMs: clock(),
    });
  }
  // After the universe, so the universe is the same with or without a history.
  if (opts.history) ex.history = new SettledHistory(ex.universe, { seed, nowMs: clock(), favouriteEdgeE4: ex.favouriteEdgeE4, ...opts.history });
  const keys = new KeyRing();
  const faults = new FaultQueue();
  if (opts.renderCache) {
    ex.renderCache = new Map();
    if (opts.renderCache === 'warm') warmListingCache({ ex, faults, tier: false, t: clock(), q: new URLSearchParams(), params: [], bodyText: '' });
  }
  const tier = opts.rateLimit === undefined ? 'basic' : opts.rateLimit;
  let latency = opts.latencyMs ?? 0;
  const stats = { requests: 0, rateLimited: 0, byRoute: {} as Record<string, number> };
  const deps: ServerDeps = { ex, keys, faults, limiter: new RateLimiter(tier, opts.rateClock), tier, latencyMs: () => latency, stats };
  const { server, port } = await listen(deps, opts.port ?? 0);
  const ws = attachWebSocket(server, { ex, keys }, opts.ws);

  return {
    baseUrl: `http://127.0.0.1:${port}${API_PREFIX}`,
    wsUrl: `ws://127.0.0.1:${port}${WS_PATH}`,
    wsFault: (f) => ws.fault(f),
    wsStats: () => ws.stats(),
    registerKey: (keyId, pem) => keys.register(keyId, pem),
    addMarket: (spec) => {
      addDesignedMarket(ex, spec);
      ws.touch(spec.ticker);
    },
    updateMarket: (ticker, patch) => {
      updateDesignedMarket(ex, ticker, patch);
      ws.touch(ticker);
    },
    setTradingActive: (active) => ex.setTradingActive(active),
    setShardStatus: (k, patch) => {
      if (!(Number.isInteger(k) && k >= 0 && k <= MAX_SHARD)) throw new Error(`sim: exchange index ${k} is not an integer 0..${MAX_SHARD}`);
      const st = ex.shard(k);
      if (patch.tradingActive !== undefined) st.tradingActive = patch.tradingActive;
      if (patch.transfersActive !== undefined) st.transfersActive = patch.transfersActive;
    },
    setTransferDelay: (ms) => {
      ex.transferDelayMs = checkDelay(ms);
    },
    shardOf: (ticker) => {
      const m = ex.universe.markets.get(ticker);
      if (!m) throw new Error(`sim: no market ${ticker}`);
      return m.exchangeIndex;
    },
    balances: () => {
      ex.completeTransfers(clock());
      const acct = ex.account;
      return [...acct.funded]
        .sort((a, b) => a - b)
        .map((k) => ({ exchangeIndex: k, availableE4: Math.floor(acct.availableE6(k) / 100), availableE6: acct.availableE6(k), cashE6: acct.cashE6(k) }));
    },
    transfersSnapshot: () => {
      ex.completeTransfers(clock());
      return ex.account.transfers.map((tr) => ({
        transfer_id: tr.transferId,
        sourceShard: tr.sourceShard,
        destinationShard: tr.destinationShard,
        amountE4: tr.amountE4,
        status: tr.status,
        createdMs: tr.createdMs,
      }));
    },
    setLatency: (ms) => {
      latency = ms;
    },
    inject: (fault) => faults.inject(fault),
    scheduleFeeChange: (c) => {
      ex.universe.feeChanges.push({ id: randomUUID(), ...c });
    },
    fillResting: (orderId, countE2) => {
      const o = ex.account.orders.get(orderId);
      if (!o || o.status !== 'resting') throw new Error(`sim: order ${orderId} is not resting`);
      const rem = o.initialE2 - o.filledE2 - o.canceledE2;
      ex.makerFill(o, Math.min(rem, countE2 ?? rem), clock());
    },
    ordersSnapshot: () =>
      ex.account.orderList.map((o) => ({
        order_id: o.orderId,
        client_order_id: o.clientOrderId,
        ticker: o.ticker,
        side: o.side,
        status: o.status,
        priceE4: o.priceE4,
        initialE2: o.initialE2,
        filledE2: o.filledE2,
        createdMs: o.createdMs,
        exchangeIndex: o.exchangeIndex,
      })),
    fillsSnapshot: () =>
      ex.account.fills.map((f) => ({
        fillId: f.fillId,
        orderId: f.orderId,
        ticker: f.ticker,
        paidE4: f.side === 'bid' ? f.priceE4 : 10_000 - f.priceE4,
        countE2: f.countE2,
        feeE4: f.feeE4,
        tsMs: f.tsMs,
        exchangeIndex: f.exchangeIndex,
      })),
    openMarketTickers: () => {
      const t = clock();
      return ex.universe
        .sorted()
        .filter((m) => !m.combo && statusAt(m, t) === 'active')
        .map((m) => m.ticker);
    },
    stats: () => ({ requests: stats.requests, rateLimited: stats.rateLimited, byRoute: { ...stats.byRoute } }),
    close: () => ws.close().then(() => closeServer(server)),
  };
}

function checkDelay(ms: number): number {
  if (!(Number.isFinite(ms) && ms >= 0)) throw new Error(`sim: transfer delay ${ms} is not a non-negative number of ms`);
  return ms;
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections(); // keep-alive sockets would otherwise hold close() open
  });
}
