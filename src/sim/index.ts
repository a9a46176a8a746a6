// Public API of the simulated Kalshi exchange: start it in-process, point a client at baseUrl.
// It imports nothing from the rest of the app: it is the other side of the wire.
import type { Server } from 'node:http';
import { KeyRing } from './auth.js';
import { addDesignedMarket, updateDesignedMarket, type SimMarketSpec } from './designed.js';
import { Exchange } from './exchange.js';
import { FaultQueue, type SimFault } from './faults.js';
import { RateLimiter } from './ratelimit.js';
import { API_PREFIX, listen, type ServerDeps } from './server.js';
import { generateUniverse, statusAt } from './universe.js';

export type { SimFault } from './faults.js';
export type { SimMarketSpec } from './designed.js';

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
  balanceCents?: number;
  leakClosed?: number;
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
}

export interface SimExchange {
  readonly baseUrl: string;
  registerKey(keyId: string, publicKeyPem: string): void;
  addMarket(spec: SimMarketSpec): void;
  updateMarket(ticker: string, patch: Partial<SimMarketSpec>): void;
  setTradingActive(active: boolean): void;
  setLatency(ms: number): void;
  inject(fault: SimFault): void;
  fillResting(orderId: string, countE2?: number): void;
  ordersSnapshot(): SimOrderView[];
  openMarketTickers(): string[];
  stats(): { requests: number; rateLimited: number; byRoute: Record<string, number> };
  close(): Promise<void>;
}

export async function startSimExchange(opts: SimOptions = {}): Promise<SimExchange> {
  const clock = opts.clock ?? Date.now;
  const markets = opts.markets ?? 20_000;
  const seed = opts.seed ?? 1;
  const ex = new Exchange(clock, seed, opts.balanceCents ?? 100_000);
  if (markets > 0 || (opts.combos ?? 0) > 0) {
    generateUniverse(ex.universe, {
      markets,
      combos: opts.combos ?? Math.floor(markets * 0.1),
      leakClosed: opts.leakClosed ?? Math.floor(markets * 0.001),
      seed,
      nowMs: clock(),
    });
  }
  const keys = new KeyRing();
  const faults = new FaultQueue();
  const tier = opts.rateLimit === undefined ? 'basic' : opts.rateLimit;
  let latency = opts.latencyMs ?? 0;
  const stats = { requests: 0, rateLimited: 0, byRoute: {} as Record<string, number> };
  const deps: ServerDeps = { ex, keys, faults, limiter: new RateLimiter(tier, opts.rateClock), tier, latencyMs: () => latency, stats };
  const { server, port } = await listen(deps, opts.port ?? 0);

  return {
    baseUrl: `http://127.0.0.1:${port}${API_PREFIX}`,
    registerKey: (keyId, pem) => keys.register(keyId, pem),
    addMarket: (spec) => addDesignedMarket(ex, spec),
    updateMarket: (ticker, patch) => updateDesignedMarket(ex, ticker, patch),
    setTradingActive: (active) => {
      ex.tradingActive = active;
    },
    setLatency: (ms) => {
      latency = ms;
    },
    inject: (fault) => faults.inject(fault),
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
      })),
    openMarketTickers: () => {
      const t = clock();
      return ex.universe
        .sorted()
        .filter((m) => !m.combo && statusAt(m, t) === 'active')
        .map((m) => m.ticker);
    },
    stats: () => ({ requests: stats.requests, rateLimited: stats.rateLimited, byRoute: { ...stats.byRoute } }),
    close: () => closeServer(server),
  };
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections(); // keep-alive sockets would otherwise hold close() open
  });
}
