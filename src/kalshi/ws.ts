// The WebSocket client of /trade-api/ws/v2 (the `ws` library): a signed handshake (the REST headers over
// ts + "GET" + "/trade-api/ws/v2", fresh at every connect), one subscribe for every channel, pongs to the server's
// pings (ws answers them), our own ping, silence beyond a bound treated as a fault, reconnection with jittered
// exponential backoff and resubscription, and gap detection on the channels that carry sequence numbers.
import type { KeyObject } from 'node:crypto';
import WebSocket from 'ws';
import { authHeaders } from './signer.js';
import { type StreamChannel, type WsFrame, parseWsFrame, seqOf, subscribeCommand } from './ws-schemas.js';

export const WS_PATH = '/trade-api/ws/v2';

/** The WebSocket URL of a REST base URL: https://h/trade-api/v2 -> wss://h/trade-api/ws/v2 (Kalshi's hosts map by name). */
export function wsUrlFor(restBaseUrl: string): string {
  const u = new URL(restBaseUrl);
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  // Kalshi's production and demo REST hosts have their own WebSocket hosts (KALSHI_API.md, Hosts).
  if (u.hostname === 'external-api.kalshi.com') u.hostname = 'external-api-ws.kalshi.com';
  if (u.hostname === 'external-api.demo.kalshi.co') u.hostname = 'external-api-ws.demo.kalshi.co';
  u.pathname = WS_PATH;
  u.search = '';
  return u.toString();
}

export interface StreamHandlers {
  onFrame(f: WsFrame): void;
  /** A sequenced channel skipped numbers (or went back): what it carried since is to be recovered by the caller. */
  onGap?(info: { sid: number; channel: string | undefined; expected: number; got: number }): void;
  onOpen?(): void;
  onClose?(reason: string): void;
}

export interface KalshiStreamOptions {
  url: string;
  keyId: string;
  privateKey: KeyObject;
  channels: readonly StreamChannel[];
  handlers: StreamHandlers;
  /** The clock the signature's timestamp comes from (ms). */
  clock?: () => number;
  /** No frame, ping or pong for this long: the connection is dropped and made again. Default 25 s (server pings every 10 s). */
  silenceMs?: number;
  /** Our own ping every this many ms (default 10 s). */
  pingMs?: number;
  connectTimeoutMs?: number;
  backoff?: { baseMs?: number; maxMs?: number };
  random?: () => number;
}

export interface StreamStats {
  connected: boolean;
  connectedSince: number | null;
  messages: number;
  lastMessageAt: number | null;
  reconnects: number;
  gaps: number;
  malformed: number;
  lastError: string | null;
}

/** Full jitter: a uniform wait in [0, min(max, base * 2^attempt)], at least 50 ms. */
export function backoffMs(attempt: number, baseMs: number, maxMs: number, random: () => number): number {
  const cap = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 20));
  return Math.max(50, Math.floor(random() * cap));
}

export class KalshiStream {
  private ws: WebSocket | null = null;
  private stopped = true;
  private attempt = 0;
  private nextId = 1;
  private retryTimer: NodeJS.Timeout | null = null;
  private silenceTimer: NodeJS.Timeout | null = null;
  private pingTimer: NodeJS.Timeout | null = null;
  private lastHeard = 0;
  /** per sid: its channel and the last seq seen */
  private readonly sids = new Map<number, { channel: string; seq: number | null }>();
  private readonly st: StreamStats = {
    connected: false,
    connectedSince: null,
    messages: 0,
    lastMessageAt: null,
    reconnects: 0,
    gaps: 0,
    malformed: 0,
    lastError: null,
  };

  constructor(private readonly o: KalshiStreamOptions) {}

  stats(): StreamStats {
    return { ...this.st };
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.connect();
  }

  /** Close for good (no reconnect). Resolves when the socket is closed. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.clearTimers();
    const ws = this.ws;
    this.ws = null;
    if (!ws || ws.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      const done = setTimeout(() => {
        ws.terminate();
        resolve();
      }, 1000);
      ws.once('close', () => {
        clearTimeout(done);
        resolve();
      });
      if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
      else ws.close(1000, 'bye');
    });
  }

  private now(): number {
    return (this.o.clock ?? Date.now)();
  }

  private connect(): void {
    if (this.stopped) return;
    const path = new URL(this.o.url).pathname;
    // Signed right before the handshake: a reconnect signs again with a fresh timestamp.
    const headers = authHeaders(this.o.keyId, this.o.privateKey, this.now(), 'GET', path);
    const ws = new WebSocket(this.o.url, { headers, handshakeTimeout: this.o.connectTimeoutMs ?? 10_000, perMessageDeflate: false });
    this.ws = ws;
    this.sids.clear();
    ws.on('open', () => {
      if (this.ws !== ws) return;
      this.st.connected = true;
      this.st.connectedSince = Date.now();
      this.heard();
      this.send(subscribeCommand(this.nextId++, this.o.channels));
      const pingMs = this.o.pingMs ?? 10_000;
      this.pingTimer = setInterval(() => {
        if (ws.readyState === WebSocket.OPEN) ws.ping();
      }, pingMs);
      this.pingTimer.unref();
      this.o.handlers.onOpen?.();
    });
    ws.on('message', (data, isBinary) => {
      if (this.ws !== ws) return;
      this.heard();
      if (isBinary) return;
      this.st.messages++;
      this.st.lastMessageAt = Date.now();
      const f = parseWsFrame(data.toString());
      if (!f) {
        this.st.malformed++;
        return;
      }
      if (f.type === 'subscribed') this.sids.set(f.msg.sid, { channel: f.msg.channel, seq: null });
      // Connected long enough to be heard from: the backoff starts over.
      this.attempt = 0;
      const s = seqOf(f);
      if (s) this.checkSeq(s.sid, s.seq);
      this.o.handlers.onFrame(f);
    });
    ws.on('ping', () => this.heard());
    ws.on('pong', () => this.heard());
    let refused = false;
    ws.on('unexpected-response', (_req, res) => {
      refused = true;
      this.st.lastError = `handshake refused: HTTP ${res.statusCode ?? '?'}`;
      res.resume();
      ws.terminate();
    });
    ws.on('error', (err) => {
      if (this.ws === ws && !refused) this.st.lastError = err.message;
    });
    ws.on('close', (code, reason) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.clearTimers();
      const was = this.st.connected;
      this.st.connected = false;
      this.st.connectedSince = null;
      const why = `closed (${code}${reason.length > 0 ? ` ${reason.toString()}` : ''})`;
      if (was) this.o.handlers.onClose?.(why);
      this.scheduleReconnect();
    });
  }

  private checkSeq(sid: number, seq: number): void {
    const s = this.sids.get(sid) ?? { channel: 'unknown', seq: null };
    // Numbers start at 1 on each sid: a first frame above 1 lost the ones before it.
    const expected = (s.seq ?? 0) + 1;
    if (seq !== expected) {
      this.st.gaps++;
      this.o.handlers.onGap?.({ sid, channel: s.channel, expected, got: seq });
    }
    // A late frame (reordered) does not move the counter back.
    s.seq = s.seq === null ? seq : Math.max(s.seq, seq);
    this.sids.set(sid, s);
  }

  private send(cmd: unknown): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(cmd));
  }

  private heard(): void {
    this.lastHeard = Date.now();
    if (this.silenceTimer) return;
    const silence = this.o.silenceMs ?? 25_000;
    const check = () => {
      const quiet = Date.now() - this.lastHeard;
      if (quiet >= silence) {
        this.silenceTimer = null;
        this.st.lastError = `silent for ${quiet} ms`;
        // A stall is a fault: drop the socket, the close handler reconnects.
        this.ws?.terminate();
        return;
      }
      this.silenceTimer = setTimeout(check, silence - quiet);
      this.silenceTimer.unref();
    };
    this.silenceTimer = setTimeout(check, silence);
    this.silenceTimer.unref();
  }

  private clearTimers(): void {
    if (this.silenceTimer) clearTimeout(this.silenceTimer);
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.silenceTimer = null;
    this.pingTimer = null;
  }

  private scheduleReconnect(): void {
    if (this.stopped) return;
    const b = this.o.backoff ?? {};
    const wait = backoffMs(this.attempt++, b.baseMs ?? 500, b.maxMs ?? 30_000, this.o.random ?? Math.random);
    this.st.reconnects++;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.connect();
    }, wait);
    this.retryTimer.unref();
  }
}
