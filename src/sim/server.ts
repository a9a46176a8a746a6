// HTTP plumbing: routing, the per-request pipeline (latency -> faults -> auth -> rate limit ->
// handler -> lost-response fault) and clean shutdown. The rules live in exchange.ts and the routes.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { authenticate, type KeyRing } from './auth.js';
import type { Ctx, Handler } from './context.js';
import { ERR, type SimResponse } from './errors.js';
import type { Exchange } from './exchange.js';
import type { FaultQueue } from './faults.js';
import * as hr from './history-routes.js';
import * as mr from './market-routes.js';
import * as pr from './portfolio-routes.js';
import { requestCost, writeShard, type RateLimiter, type Tier } from './ratelimit.js';

export const API_PREFIX = '/trade-api/v2';

interface Route {
  method: string;
  re: RegExp;
  name: string;
  signed: boolean;
  handler: Handler;
}

const r = (method: string, pattern: string, handler: Handler, signed: boolean): Route => ({
  method,
  re: new RegExp(`^${pattern.replace(/:[a-z_]+/g, '([^/]+)')}$`),
  name: pattern,
  signed,
  handler,
});

const ROUTES: Route[] = [
  // status=settled (with min/max_settled_ts) is the settled listing of history-routes.ts; the rest is getMarkets
  r('GET', '/markets', hr.marketsRoute, false),
  r('GET', '/markets/candlesticks', hr.getBatchCandlesticks, false),
  r('GET', '/series/:series_ticker/markets/:ticker/candlesticks', hr.getMarketCandlesticks, false),
  r('GET', '/markets/:ticker/orderbook', mr.getOrderbook, false),
  r('GET', '/markets/:ticker', mr.getMarket, false),
  r('GET', '/events', mr.getEvents, false),
  r('GET', '/events/:event_ticker', mr.getEvent, false),
  r('GET', '/series', mr.getSeriesList, false),
  r('GET', '/series/fee_changes', mr.getFeeChanges, false),
  r('GET', '/series/:ticker', mr.getSeries, false),
  r('GET', '/exchange/status', mr.getExchangeStatus, false),
  r('GET', '/account/limits', mr.getAccountLimits, true),
  r('GET', '/account/endpoint_costs', mr.getEndpointCosts, true),
  r('POST', '/portfolio/events/orders', pr.createOrder, true),
  // patterns are anchored: the bare path is cancel-all, one more segment is a single cancel
  r('DELETE', '/portfolio/events/orders', pr.cancelAllOrders, true),
  r('DELETE', '/portfolio/events/orders/:order_id', pr.cancelOrder, true),
  r('POST', '/portfolio/orders', pr.deprecatedV1, true),
  r('DELETE', '/portfolio/orders/:order_id', pr.deprecatedV1, true),
  r('GET', '/portfolio/orders', pr.getOrders, true),
  r('GET', '/portfolio/orders/:order_id', pr.getOrder, true),
  r('GET', '/portfolio/fills', pr.getFills, true),
  r('GET', '/portfolio/positions', pr.getPositions, true),
  r('GET', '/portfolio/balance', pr.getBalance, true),
  r('GET', '/portfolio/settlements', pr.getSettlements, true),
  r('POST', '/portfolio/intra_exchange_instance_transfer', pr.createTransfer, true),
  r('GET', '/portfolio/intra_exchange_instance_transfers', pr.getTransfers, true),
  r('GET', '/portfolio/intra_exchange_instance_transfers/:transfer_id', pr.getTransfer, true),
];

export interface ServerDeps {
  ex: Exchange;
  keys: KeyRing;
  faults: FaultQueue;
  limiter: RateLimiter;
  tier: Tier | false;
  latencyMs: () => number;
  stats: { requests: number; rateLimited: number; byRoute: Record<string, number> };
}

const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms).unref();
  });

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= 1_000_000) chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, out: SimResponse): void {
  if (out.status === 204) {
    res.writeHead(204);
    res.end();
    return;
  }
  const text = out.raw ?? JSON.stringify(out.body);
  res.writeHead(out.status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function statusFault(status: 500 | 502 | 503): SimResponse {
  return { status, body: status === 500 ? ERR.internal : status === 502 ? ERR.badGateway : ERR.unavailable };
}

export async function handle(d: ServerDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  d.stats.requests++;
  const method = (req.method ?? 'GET').toUpperCase();
  const url = new URL(req.url ?? '/', 'http://sim.local');
  const path = url.pathname;
  const sub = path.startsWith(API_PREFIX) ? path.slice(API_PREFIX.length) : null;
  let route: Route | undefined;
  let params: string[] = [];
  if (sub !== null) {
    for (const rt of ROUTES) {
      if (rt.method !== method) continue;
      const m = rt.re.exec(sub);
      if (m) {
        route = rt;
        params = m.slice(1).map((p) => decodeURIComponent(p));
        break;
      }
    }
  }
  const routeName = `${method} ${route?.name ?? 'unknown'}`;
  d.stats.byRoute[routeName] = (d.stats.byRoute[routeName] ?? 0) + 1;

  const latency = d.latencyMs();
  if (latency > 0) await sleep(latency);

  const fault = d.faults.take(method, path);
  if (fault?.kind === 'drop') {
    req.socket.destroy(); // before handling: the request had no effect
    return;
  }
  const bodyText = await readBody(req);
  if (fault?.kind === 'status') return send(res, statusFault(fault.status));
  if (fault?.kind === 'reply') return send(res, { status: fault.status, body: fault.body });
  if (fault?.kind === 'rate-limit') {
    d.stats.rateLimited++;
    return send(res, { status: 429, body: ERR.tooManyRequests });
  }
  if (!route) return send(res, { status: 404, body: ERR.notFound });

  const t = d.ex.clock();
  const auth = authenticate(d.keys, method, path, req.headers, t, route.signed);
  if (!auth.ok) return send(res, { status: auth.status, body: auth.body });
  const identity = auth.keyId ?? `ip:${req.socket.remoteAddress ?? '?'}`;
  if (!d.limiter.take(identity, method, requestCost(method, path), writeShard(method, path, url.searchParams, bodyText))) {
    d.stats.rateLimited++;
    return send(res, { status: 429, body: ERR.tooManyRequests }); // no Retry-After, like the wire
  }

  let out: SimResponse;
  try {
    d.ex.sweep(t);
    const ctx: Ctx = { ex: d.ex, faults: d.faults, tier: d.tier, t, q: url.searchParams, params, bodyText };
    out = route.handler(ctx);
  } catch {
    out = { status: 500, body: ERR.internal };
  }
  if (fault?.kind === 'drop-after') {
    req.socket.destroy(); // handled, but the response is lost
    return;
  }
  send(res, out);
}

export function listen(d: ServerDeps, port: number): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    handle(d, req, res).catch(() => {
      if (!res.headersSent) send(res, { status: 500, body: ERR.internal });
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 5_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve({ server, port: (server.address() as AddressInfo).port });
    });
  });
}
