// The simulated exchange's WebSocket endpoint, /trade-api/ws/v2, on the same HTTP server (the `ws` library's
// WebSocketServer with noServer and the 'upgrade' event). Its own handshake check (the REST headers over
// ts + GET + path), the wire's message shapes (ticker, market_lifecycle_v2 with seq, fill, user_order), a ping
// every 10 s with payload "heartbeat", and faults: drops, silent stalls (no frames, pings or pongs), skipped
// sequence numbers and reordered frames. A ticker frame goes out whenever a market's quote changes: on every price
// move (MOVE_BUCKET_MS), when a market is changed by hand (touch), and after our own trades.
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import { authenticate, type KeyRing } from './auth.js';
import type { Exchange } from './exchange.js';
import { fmtE2, fmtE4 } from './format.js';
import { MOVE_BUCKET_MS, statusAt, type SimMarket } from './universe.js';

export const WS_PATH = '/trade-api/ws/v2';

export type SimWsFault =
  /** close every connection abruptly (no close frame) */
  | { kind: 'drop' }
  /** every open connection goes silent: no frames, no pings, no pongs (until the client gives up on it) */
  | { kind: 'stall' }
  /** the next lifecycle frame on each connection is lost and its seq skipped */
  | { kind: 'skip-seq' }
  /** the next two ticker frames on each connection go out in the opposite order */
  | { kind: 'reorder' }
  /** the next `count` frames on a channel (each connection) are lost: fill and user_orders carry no seq to tell */
  | { kind: 'lose'; channel: 'fill' | 'user_orders'; count: number }
  /** the next frame on a channel (each connection) goes out with these msg fields replaced: a report not to believe */
  | { kind: 'tamper'; channel: 'fill' | 'user_orders'; msg: Record<string, unknown> };

export interface SimWsOptions {
  /** server ping period (default 10 s, as on the wire) */
  pingMs?: number;
  /** how often price moves, fills and order changes are looked for (ms, default 20) */
  tickMs?: number;
}

export interface SimWsStats {
  connections: number;
  handshakesRefused: number;
  tickerFrames: number;
  framesSent: number;
  /** pongs received (answers to the server's pings) */
  pongs: number;
}

export interface SimWs {
  /** a market's quote may have changed (a test or the bench moved it): send its ticker now if it did */
  touch(ticker: string): void;
  fault(f: SimWsFault): void;
  stats(): SimWsStats;
  close(): Promise<void>;
}

interface Sub {
  sid: number;
  channel: 'ticker' | 'market_lifecycle_v2' | 'fill' | 'user_orders';
  /** null: every market */
  tickers: Set<string> | null;
  seq: number;
}

interface Conn {
  ws: WebSocket;
  subs: Sub[];
  nextSid: number;
  stalled: boolean;
  skipSeq: boolean;
  reorder: boolean;
  /** frames still to lose, per channel */
  lose: Map<string, number>;
  /** msg fields to put into the next frame, per channel */
  tamper: Map<string, Record<string, unknown>>;
  held: string | null;
}

const CHANNELS = new Set(['ticker', 'market_lifecycle_v2', 'fill', 'user_orders']);

export function attachWebSocket(server: Server, d: { ex: Exchange; keys: KeyRing }, opts: SimWsOptions = {}): SimWs {
  const { ex } = d;
  const wss = new WebSocketServer({ noServer: true, autoPong: false, perMessageDeflate: false });
  const conns = new Set<Conn>();
  const stats: SimWsStats = { connections: 0, handshakesRefused: 0, tickerFrames: 0, framesSent: 0, pongs: 0 };
  /** the last quote sent per market: bid|bidSize|ask|askSize */
  const lastQuote = new Map<string, string>();
  const known = new Set<string>();
  let bucket = Math.floor(ex.clock() / MOVE_BUCKET_MS);
  let fillsSeen = ex.account.fills.length;
  const orderSeen = new Map<string, number>();
  let settledSeen = ex.settledAt.size;

  for (const m of ex.universe.markets.values()) {
    known.add(m.ticker);
    lastQuote.set(m.ticker, quoteKey(m));
  }
  for (const o of ex.account.orderList) orderSeen.set(o.orderId, o.lastUpdateMs);

  function quoteKey(m: SimMarket): string {
    const top = ex.books.top(m, ex.clock());
    return `${top.bidE4}|${top.bidSizeE2}|${top.askE4}|${top.askSizeE2}`;
  }

  function refuse(socket: Duplex, status: number, body: unknown): void {
    stats.handshakesRefused++;
    const text = JSON.stringify(body);
    socket.end(`HTTP/1.1 ${status} ${status === 401 ? 'Unauthorized' : 'Not Found'}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(text)}\r\nconnection: close\r\n\r\n${text}`);
  }

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = new URL(req.url ?? '/', 'http://sim.local').pathname;
    if (path !== WS_PATH) return refuse(socket, 404, { error: { code: 'not_found', message: 'not found' } });
    const auth = authenticate(d.keys, 'GET', path, req.headers, ex.clock(), true);
    if (!auth.ok) return refuse(socket, auth.status, auth.body);
    wss.handleUpgrade(req, socket, head, (ws) => accept(ws));
  };
  server.on('upgrade', onUpgrade);

  function accept(ws: WebSocket): void {
    const c: Conn = { ws, subs: [], nextSid: 1, stalled: false, skipSeq: false, reorder: false, held: null, lose: new Map(), tamper: new Map() };
    conns.add(c);
    stats.connections++;
    ws.on('ping', (data) => {
      if (!c.stalled) ws.pong(data);
    });
    ws.on('pong', () => {
      stats.pongs++;
    });
    ws.on('message', (data) => {
      if (c.stalled) return;
      command(c, data.toString());
    });
    ws.on('close', () => conns.delete(c));
    ws.on('error', () => conns.delete(c));
  }

  function raw(c: Conn, text: string): void {
    if (c.stalled || c.ws.readyState !== WebSocket.OPEN) return;
    stats.framesSent++;
    c.ws.send(text);
  }

  function command(c: Conn, text: string): void {
    let cmd: { id?: unknown; cmd?: unknown; params?: { channels?: unknown; market_tickers?: unknown; market_ticker?: unknown } };
    try {
      cmd = JSON.parse(text);
    } catch {
      return raw(c, JSON.stringify({ type: 'error', msg: { code: 1, msg: 'Unable to process message' } }));
    }
    const id = typeof cmd.id === 'number' ? cmd.id : undefined;
    if (cmd.cmd !== 'subscribe') return raw(c, JSON.stringify({ type: 'error', id, msg: { code: 5, msg: 'Unknown command' } }));
    const channels = cmd.params?.channels;
    if (!Array.isArray(channels) || channels.length === 0) return raw(c, JSON.stringify({ type: 'error', id, msg: { code: 2, msg: 'Params required' } }));
    const tickersIn = cmd.params?.market_tickers ?? (typeof cmd.params?.market_ticker === 'string' ? [cmd.params.market_ticker] : undefined);
    const tickers = Array.isArray(tickersIn) ? new Set(tickersIn.filter((t): t is string => typeof t === 'string')) : null;
    for (const ch of channels) {
      if (typeof ch !== 'string' || !CHANNELS.has(ch)) {
        raw(c, JSON.stringify({ type: 'error', id, msg: { code: 8, msg: 'Unknown channel name' } }));
        continue;
      }
      const sub: Sub = { sid: c.nextSid++, channel: ch as Sub['channel'], tickers: ch === 'market_lifecycle_v2' ? null : tickers, seq: 0 };
      c.subs.push(sub);
      raw(c, JSON.stringify({ type: 'subscribed', id, msg: { channel: ch, sid: sub.sid } }));
    }
  }

  function broadcast(channel: Sub['channel'], ticker: string, make: (sub: Sub) => Record<string, unknown>): void {
    for (const c of conns) {
      for (const sub of c.subs) {
        if (sub.channel !== channel || (sub.tickers && !sub.tickers.has(ticker))) continue;
        const frame = make(sub);
        const losing = c.lose.get(channel) ?? 0;
        if (losing > 0) {
          c.lose.set(channel, losing - 1);
          continue;
        }
        const tamper = c.tamper.get(channel);
        if (tamper) {
          c.tamper.delete(channel);
          frame.msg = { ...(frame.msg as Record<string, unknown>), ...tamper };
        }
        if (channel === 'market_lifecycle_v2') {
          sub.seq++;
          if (c.skipSeq) {
            // this frame is lost on the way: its number is skipped
            c.skipSeq = false;
            sub.seq++;
          }
          frame.seq = sub.seq;
        }
        const text = JSON.stringify(frame);
        if (channel === 'ticker' && c.reorder) {
          if (c.held === null) {
            c.held = text;
            continue;
          }
          raw(c, text);
          raw(c, c.held);
          c.held = null;
          c.reorder = false;
          continue;
        }
        raw(c, text);
      }
    }
  }

  function sendTicker(m: SimMarket, t: number): void {
    const top = ex.books.top(m, t);
    stats.tickerFrames++;
    broadcast('ticker', m.ticker, (sub) => ({
      type: 'ticker',
      sid: sub.sid,
      msg: {
        market_ticker: m.ticker,
        market_id: `00000000-0000-4000-8000-${m.idx.toString(16).padStart(12, '0')}`,
        price_dollars: fmtE4(m.lastPriceE4),
        yes_bid_dollars: fmtE4(top.bidSizeE2 > 0 ? top.bidE4 : 0),
        yes_ask_dollars: fmtE4(top.askSizeE2 > 0 ? top.askE4 : 10_000),
        yes_bid_size_fp: fmtE2(top.bidSizeE2),
        yes_ask_size_fp: fmtE2(top.askSizeE2),
        volume_fp: fmtE2(m.volumeE2),
        open_interest_fp: fmtE2(m.openInterestE2),
        ts: Math.floor(t / 1000),
        ts_ms: t,
      },
    }));
  }

  function changed(m: SimMarket, t: number): void {
    if (m.combo || statusAt(m, t) !== 'active') return;
    const k = quoteKey(m);
    if (lastQuote.get(m.ticker) === k) return;
    lastQuote.set(m.ticker, k);
    sendTicker(m, t);
  }

  function lifecycle(m: SimMarket, eventType: string, t: number, extra: Record<string, unknown> = {}): void {
    broadcast('market_lifecycle_v2', m.ticker, (sub) => ({
      type: 'market_lifecycle_v2',
      sid: sub.sid,
      msg: { market_ticker: m.ticker, event_type: eventType, open_ts: Math.floor(m.openMs / 1000), close_ts: Math.floor(m.closeMs / 1000), ...extra, ts_ms: t },
    }));
  }

  function tick(): void {
    if (conns.size === 0) {
      // nobody listens: keep the marks current so a new subscriber sees only later changes
      bucket = Math.floor(ex.clock() / MOVE_BUCKET_MS);
      if (known.size !== ex.universe.markets.size) {
        for (const m of ex.universe.markets.values()) {
          if (known.has(m.ticker)) continue;
          known.add(m.ticker);
          lastQuote.set(m.ticker, quoteKey(m));
        }
      }
      fillsSeen = ex.account.fills.length;
      settledSeen = ex.settledAt.size;
      return;
    }
    const t = ex.clock();
    // The exchange's time-driven work (resting orders crossed by the market, expiries) happens in time, not only
    // when a REST request arrives: a fill reaches the fill channel without anyone polling for it.
    ex.sweep(t);
    const b = Math.floor(t / MOVE_BUCKET_MS);
    if (b !== bucket) {
      bucket = b;
      for (const m of ex.universe.markets.values()) if (m.movePeriod > 0) changed(m, t);
    }
    if (known.size !== ex.universe.markets.size) {
      for (const m of ex.universe.markets.values()) {
        if (known.has(m.ticker) || m.combo) continue;
        known.add(m.ticker);
        lifecycle(m, 'created', t, { exchange_index: m.exchangeIndex });
        if (statusAt(m, t) === 'active') lifecycle(m, 'activated', t);
        changed(m, t);
      }
    }
    if (ex.settledAt.size !== settledSeen) {
      settledSeen = ex.settledAt.size;
      for (const [ticker] of ex.settledAt) {
        const m = ex.universe.markets.get(ticker);
        if (m && lastQuote.get(ticker) !== 'settled') {
          lastQuote.set(ticker, 'settled');
          lifecycle(m, 'determined', t, { result: ex.results.get(ticker) ?? '' });
          lifecycle(m, 'settled', t, { settled_ts: Math.floor(t / 1000) });
        }
      }
    }
    const fills = ex.account.fills;
    for (; fillsSeen < fills.length; fillsSeen++) {
      const f = fills[fillsSeen]!;
      const o = ex.account.orders.get(f.orderId);
      const yesPrice = f.priceE4;
      broadcast('fill', f.ticker, (sub) => ({
        type: 'fill',
        sid: sub.sid,
        msg: {
          trade_id: f.fillId,
          order_id: f.orderId,
          market_ticker: f.ticker,
          is_taker: f.isTaker,
          side: f.side === 'bid' ? 'yes' : 'no',
          action: 'buy',
          yes_price_dollars: fmtE4(yesPrice),
          count_fp: fmtE2(f.countE2),
          fee_cost: fmtE4(f.feeE4),
          client_order_id: o?.clientOrderId ?? '',
          exchange_index: f.exchangeIndex,
          ts_ms: f.tsMs,
        },
      }));
      const m = ex.universe.markets.get(f.ticker);
      if (m) changed(m, t);
    }
    for (const o of ex.account.orderList) {
      if (orderSeen.get(o.orderId) === o.lastUpdateMs) continue;
      orderSeen.set(o.orderId, o.lastUpdateMs);
      broadcast('user_orders', o.ticker, (sub) => ({
        type: 'user_order',
        sid: sub.sid,
        msg: {
          order_id: o.orderId,
          client_order_id: o.clientOrderId,
          ticker: o.ticker,
          status: o.status,
          fill_count_fp: fmtE2(o.filledE2),
          remaining_count_fp: fmtE2(o.initialE2 - o.filledE2 - o.canceledE2),
          exchange_index: o.exchangeIndex,
        },
      }));
    }
  }

  const ticker = setInterval(tick, opts.tickMs ?? 20);
  ticker.unref();
  const pinger = setInterval(() => {
    for (const c of conns) if (!c.stalled && c.ws.readyState === WebSocket.OPEN) c.ws.ping('heartbeat');
  }, opts.pingMs ?? 10_000);
  pinger.unref();

  return {
    touch(tickerName) {
      const m = ex.universe.markets.get(tickerName);
      if (!m) return;
      // A new market is announced on the lifecycle channel first (tick does both, or only records it unheard).
      if (!known.has(tickerName) || conns.size === 0) return tick();
      changed(m, ex.clock());
    },
    fault(f) {
      for (const c of conns) {
        if (f.kind === 'drop') c.ws.terminate();
        else if (f.kind === 'stall') c.stalled = true;
        else if (f.kind === 'skip-seq') c.skipSeq = true;
        else if (f.kind === 'lose') c.lose.set(f.channel, (c.lose.get(f.channel) ?? 0) + f.count);
        else if (f.kind === 'tamper') c.tamper.set(f.channel, f.msg);
        else c.reorder = true;
      }
    },
    stats: () => ({ ...stats }),
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(ticker);
        clearInterval(pinger);
        server.off('upgrade', onUpgrade);
        for (const c of conns) c.ws.terminate();
        wss.close(() => resolve());
      }),
  };
}
