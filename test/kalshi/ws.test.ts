// The WebSocket client against the simulated exchange's endpoint, on loopback: signed handshake (RSA and Ed25519),
// subscribe, frames parsed to integers, pongs, reconnection after drops and stalls, gaps, reordering. Plus every
// recorded ws fixture frame through the parser.
import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { KalshiStream, backoffMs, wsUrlFor } from '../../src/kalshi/ws.js';
import { type WsFrame, parseWsFrame } from '../../src/kalshi/ws-schemas.js';
import { type SimExchange, startSimExchange } from '../../src/sim/index.js';
import { FIXTURES_DIR } from '../support/fixtures.js';

const T0 = Date.parse('2026-11-25T15:00:00Z');
const DAY = 86_400_000;

const until = async (cond: () => boolean, ms = 3000): Promise<void> => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('ws fixtures', () => {
  const files = readdirSync(FIXTURES_DIR).filter((f) => f.startsWith('ws__') && f.endsWith('.jsonl'));
  it('there are recorded ws frames', () => expect(files.length).toBeGreaterThan(0));
  for (const f of files) {
    it(`${f}: every frame parses to a typed frame`, () => {
      const lines = readFileSync(join(FIXTURES_DIR, f), 'utf8').split('\n').filter((l) => l.trim() !== '');
      for (const line of lines) {
        const fr = parseWsFrame(line);
        expect(fr, line).not.toBeNull();
        expect(fr!.type).not.toBe('other');
      }
      const delta = lines.map(parseWsFrame).find((x) => x?.type === 'orderbook_delta');
      if (delta?.type === 'orderbook_delta') expect(Number.isInteger(delta.msg.delta_fp) && Number.isInteger(delta.msg.price_dollars)).toBe(true);
    });
  }
  it('a malformed frame is null, an unknown type is other', () => {
    expect(parseWsFrame('{')).toBeNull();
    expect(parseWsFrame('{"type":"ticker","sid":1,"msg":{"market_ticker":"X","yes_bid_dollars":"abc","yes_ask_dollars":"0.5"}}')).toBeNull();
    expect(parseWsFrame('{"type":"rfq_created","sid":1,"msg":{}}')).toEqual({ type: 'other', raw: 'rfq_created' });
    const neg = parseWsFrame('{"type":"orderbook_delta","sid":1,"seq":2,"msg":{"market_ticker":"X","price_dollars":"0.4700","delta_fp":"-3.00","side":"yes"}}');
    expect(neg?.type === 'orderbook_delta' && neg.msg.delta_fp).toBe(-300);
  });
  it('maps REST hosts to WebSocket hosts', () => {
    expect(wsUrlFor('https://external-api.kalshi.com/trade-api/v2')).toBe('wss://external-api-ws.kalshi.com/trade-api/ws/v2');
    expect(wsUrlFor('https://external-api.demo.kalshi.co/trade-api/v2')).toBe('wss://external-api-ws.demo.kalshi.co/trade-api/ws/v2');
    expect(wsUrlFor('http://127.0.0.1:5/trade-api/v2')).toBe('ws://127.0.0.1:5/trade-api/ws/v2');
  });
  it('backoff is jittered and bounded', () => {
    expect(backoffMs(0, 500, 30_000, () => 0.999)).toBeLessThan(500);
    expect(backoffMs(10, 500, 30_000, () => 0.999)).toBeLessThanOrEqual(30_000);
    expect(backoffMs(10, 500, 30_000, () => 0.999)).toBeGreaterThan(29_000);
    expect(backoffMs(3, 500, 30_000, () => 0)).toBe(50);
  });
});

describe('the stream against the simulated exchange', () => {
  let sim: SimExchange;
  const streams: KalshiStream[] = [];
  let now = T0;
  afterEach(async () => {
    for (const s of streams.splice(0)) await s.stop();
    await sim?.close();
  });

  async function setup(keyType: 'rsa' | 'ed25519' = 'rsa', ws = {}) {
    now = T0;
    sim = await startSimExchange({ markets: 0, rateLimit: false, clock: () => now, ws: { tickMs: 5, ...ws } });
    sim.addMarket({ ticker: 'KXA-26NOV27-A', yesBidCents: 50, yesAskCents: 52, yesBidSize: 10, yesAskSize: 20, volume24h: 9000, closeMs: T0 + 3 * DAY });
    const pair = keyType === 'rsa' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ed25519');
    const keyId = randomUUID();
    sim.registerKey(keyId, pair.publicKey.export({ type: 'spki', format: 'pem' }).toString());
    return { keyId, privateKey: pair.privateKey };
  }

  function open(auth: { keyId: string; privateKey: KeyObject }, extra: { silenceMs?: number; pingMs?: number } = {}) {
    const frames: WsFrame[] = [];
    const gaps: unknown[] = [];
    let opens = 0;
    const s = new KalshiStream({
      url: sim.wsUrl,
      ...auth,
      channels: ['ticker', 'market_lifecycle_v2', 'fill', 'user_orders'],
      clock: () => now,
      backoff: { baseMs: 20, maxMs: 100 },
      ...extra,
      handlers: {
        onFrame: (f) => frames.push(f),
        onGap: (g) => gaps.push(g),
        onOpen: () => opens++,
      },
    });
    streams.push(s);
    s.start();
    return { s, frames, gaps, opens: () => opens, subscribed: () => frames.filter((f) => f.type === 'subscribed').length };
  }

  for (const kt of ['rsa', 'ed25519'] as const) {
    it(`${kt}: signs, subscribes to four channels, and gets price changes as integers`, async () => {
      const auth = await setup(kt);
      const c = open(auth);
      await until(() => c.subscribed() === 4);
      sim.updateMarket('KXA-26NOV27-A', { yesAskCents: 78, yesBidCents: 76 });
      await until(() => c.frames.some((f) => f.type === 'ticker'));
      const t = c.frames.find((f) => f.type === 'ticker');
      expect(t?.type === 'ticker' && [t.msg.market_ticker, t.msg.yes_bid_dollars, t.msg.yes_ask_dollars, t.msg.yes_ask_size_fp, t.msg.ts_ms]).toEqual([
        'KXA-26NOV27-A',
        7600,
        7800,
        2000,
        T0,
      ]);
    });
  }

  it('a bad signature is refused at the handshake: nothing is subscribed', async () => {
    const auth = await setup();
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const c = open({ keyId: auth.keyId, privateKey: other.privateKey });
    await until(() => sim.wsStats().handshakesRefused >= 1);
    expect(c.subscribed()).toBe(0);
    expect(c.s.stats().connected).toBe(false);
    await until(() => (c.s.stats().lastError ?? '').includes('401'));
  });

  it('answers pings, and a quiet but pinging connection stays up', async () => {
    const auth = await setup('rsa', { pingMs: 30 });
    const c = open(auth, { silenceMs: 150, pingMs: 60_000 });
    await until(() => c.subscribed() === 4);
    await new Promise((r) => setTimeout(r, 400));
    expect(sim.wsStats().pongs).toBeGreaterThan(3);
    expect(c.s.stats().reconnects).toBe(0);
  });

  it('reconnects after a drop and resubscribes', async () => {
    const auth = await setup();
    const c = open(auth);
    await until(() => c.subscribed() === 4);
    sim.wsFault({ kind: 'drop' });
    await until(() => c.subscribed() === 8);
    expect(c.s.stats().reconnects).toBeGreaterThanOrEqual(1);
    sim.updateMarket('KXA-26NOV27-A', { yesAskCents: 60 });
    await until(() => c.frames.some((f) => f.type === 'ticker' && f.msg.yes_ask_dollars === 6000));
  });

  it('treats a silent stall as a fault: drops the socket and connects again', async () => {
    const auth = await setup('rsa', { pingMs: 20 });
    const c = open(auth, { silenceMs: 150, pingMs: 30 });
    await until(() => c.subscribed() === 4);
    sim.wsFault({ kind: 'stall' });
    await until(() => c.subscribed() === 8, 3000);
    expect(c.s.stats().lastError).toMatch(/silent/);
  });

  it('detects a skipped sequence number on the lifecycle channel', async () => {
    const auth = await setup();
    const c = open(auth);
    await until(() => c.subscribed() === 4);
    sim.addMarket({ ticker: 'KXB-26NOV27-A', yesBidCents: 40, yesAskCents: 42, closeMs: T0 + 3 * DAY });
    await until(() => c.frames.filter((f) => f.type === 'market_lifecycle_v2').length === 2);
    expect(c.gaps).toEqual([]);
    sim.wsFault({ kind: 'skip-seq' });
    sim.addMarket({ ticker: 'KXC-26NOV27-A', yesBidCents: 40, yesAskCents: 42, closeMs: T0 + 3 * DAY });
    await until(() => c.gaps.length === 1);
    expect(c.gaps[0]).toMatchObject({ channel: 'market_lifecycle_v2', expected: 3, got: 4 });
  });

  it('reordered ticker frames arrive newest first (the table drops the older one by ts_ms)', async () => {
    const auth = await setup();
    const c = open(auth);
    await until(() => c.subscribed() === 4);
    sim.wsFault({ kind: 'reorder' });
    sim.updateMarket('KXA-26NOV27-A', { yesAskCents: 61 });
    now += 1000;
    sim.updateMarket('KXA-26NOV27-A', { yesAskCents: 62 });
    await until(() => c.frames.filter((f) => f.type === 'ticker').length === 2);
    const asks = c.frames.flatMap((f) => (f.type === 'ticker' ? [[f.msg.yes_ask_dollars, f.msg.ts_ms]] : []));
    expect(asks).toEqual([
      [6200, T0 + 1000],
      [6100, T0],
    ]);
  });

  it('fills and order changes of our account arrive on fill and user_orders', async () => {
    const auth = await setup();
    const c = open(auth);
    await until(() => c.subscribed() === 4);
    const { KalshiClient } = await import('../../src/kalshi/client.js');
    const client = new KalshiClient({ baseUrl: sim.baseUrl, ...auth, tier: 'basic', clock: () => now });
    try {
      await client.createOrder({ ticker: 'KXA-26NOV27-A', side: 'bid', countE2: 300, priceE4: 5200, timeInForce: 'good_till_canceled', clientOrderId: randomUUID() });
    } finally {
      client.close();
    }
    await until(() => c.frames.some((f) => f.type === 'fill') && c.frames.some((f) => f.type === 'user_order'));
    const fill = c.frames.find((f) => f.type === 'fill');
    expect(fill?.type === 'fill' && [fill.msg.market_ticker, fill.msg.count_fp, fill.msg.yes_price_dollars]).toEqual(['KXA-26NOV27-A', 300, 5200]);
  });
});
