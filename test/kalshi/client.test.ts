// The HTTP layer and client against a real loopback server: retries, backoff bounds, 429/5xx,
// timeouts, dropped sockets, per-attempt signing, order idempotency, pacing, secret hygiene.
import { constants, generateKeyPairSync, verify } from 'node:crypto';
import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { KalshiClient, type KalshiClientOptions } from '../../src/kalshi/client.js';
import { KalshiApiError, KalshiNetworkError, KalshiResponseError, OrderOutcomeUnknownError, OrderRecoveryError } from '../../src/kalshi/errors.js';
import { backoffDelay } from '../../src/kalshi/http.js';
import { RateLimiter } from '../../src/kalshi/ratelimit.js';
import { json, startServer, type Seen, type TestServer } from '../support/scripted-server.js';

const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PEM = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
const KEY_ID = 'a952bcbe-ec3b-4b5b-b8f9-11dae589608c';

const MARKET = {
  ticker: 'KXT-1',
  event_ticker: 'KXT',
  market_type: 'binary',
  title: 't',
  status: 'active',
  created_time: '2026-06-11T05:12:22Z',
  close_time: '2026-06-25T16:00:00Z',
  yes_bid_dollars: '0.4700',
  yes_ask_dollars: '0.5200',
  no_bid_dollars: '0.4800',
  no_ask_dollars: '0.5300',
};

const ORDER = {
  order_id: 'ord-1',
  client_order_id: 'coid-1',
  ticker: 'KXT-1',
  book_side: 'bid',
  outcome_side: 'yes',
  status: 'resting',
  yes_price_dollars: '0.7100',
  no_price_dollars: '0.2900',
  initial_count_fp: '10.00',
  fill_count_fp: '0.00',
  remaining_count_fp: '10.00',
  created_time: '2026-06-11T06:29:20Z',
};

const CREATED = { order_id: 'ord-1', client_order_id: 'coid-1', fill_count: '0.00', remaining_count: '10.00', ts_ms: 1781159370164 };

let server: TestServer | undefined;
let client: KalshiClient | undefined;
afterEach(async () => {
  client?.close();
  client = undefined;
  await server?.close();
  server = undefined;
});

async function setup(handler: (req: Seen, res: import('node:http').ServerResponse, n: number) => void, opts: Partial<KalshiClientOptions> = {}) {
  server = await startServer(handler);
  let t = 1_781_159_000_000;
  client = new KalshiClient({
    baseUrl: server.baseUrl,
    keyId: KEY_ID,
    privateKey,
    tier: 'prime',
    retries: 3,
    baseDelayMs: 5,
    maxDelayMs: 40,
    timeoutMs: 2_000,
    clock: () => (t += 1000), // every signature gets its own timestamp
    ...opts,
  });
  return { server, client };
}

function sigOk(s: Seen): boolean {
  const ts = String(s.headers['kalshi-access-timestamp']);
  const sig = String(s.headers['kalshi-access-signature']);
  return verify('sha256', Buffer.from(`${ts}${s.method}${s.path}`), { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }, Buffer.from(sig, 'base64'));
}

describe('backoff', () => {
  it('grows exponentially, is jittered within [step/2, step] and capped', () => {
    expect(backoffDelay(1, 250, 5000, () => 0)).toBe(125);
    expect(backoffDelay(1, 250, 5000, () => 1)).toBe(250);
    expect(backoffDelay(3, 250, 5000, () => 1)).toBe(1000);
    expect(backoffDelay(10, 250, 5000, () => 1)).toBe(5000);
    expect(backoffDelay(10, 250, 5000, () => 0)).toBe(2500);
  });
});

describe('GET retries and signing', () => {
  it('retries 503 then succeeds; every attempt signed with a fresh timestamp over the full path, no query', async () => {
    const { server, client } = await setup((_req, res, n) => (n < 3 ? json(res, 503, { error: { code: 'service_unavailable', message: 'x' } }) : json(res, 200, { markets: [MARKET], cursor: '' })));
    const page = await client.getMarketsPage({ status: 'open', tickers: ['KXT-1', 'KXT-2'], limit: 1000 });
    expect(page).toMatchObject({ skipped: 0, cursor: null });
    expect(page.markets[0]?.yesAskE4).toBe(5200);
    expect(server.seen).toHaveLength(3);
    for (const s of server.seen) {
      expect(s.path).toBe('/trade-api/v2/markets');
      expect(s.headers['kalshi-access-key']).toBe(KEY_ID);
      expect(sigOk(s)).toBe(true);
    }
    const stamps = server.seen.map((s) => s.headers['kalshi-access-timestamp']);
    expect(new Set(stamps).size).toBe(3);
    const q = server.seen[0]!.query;
    expect(q.get('mve_filter')).toBe('exclude');
    expect(q.get('tickers')).toBe('KXT-1,KXT-2');
    expect(q.get('status')).toBe('open');
    expect(q.get('cursor')).toBeNull();
    expect(client.http.stats()).toMatchObject({ attempts: 3, retries: 2, responses5xx: 2, responses2xx: 1 });
  });

  it('429 every time: retries then a typed 429 error after retries+1 attempts', async () => {
    const retries: string[] = [];
    const { server, client } = await setup((_r, res) => json(res, 429, { error: 'too many requests' }), { onRetry: (i) => retries.push(`${i.method} ${i.path} ${i.attempt} ${i.reason}`) });
    const err = await client.getExchangeStatus().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KalshiApiError);
    expect(err).toMatchObject({ status: 429, code: 'too_many_requests' });
    expect(server.seen).toHaveLength(4);
    expect(retries).toEqual([1, 2, 3].map((n) => `GET /exchange/status ${n} HTTP 429`));
  });

  it('a 400 is not retried', async () => {
    const { server, client } = await setup((_r, res) => json(res, 400, { msg: 'Parameter validation failed' }));
    await expect(client.getMarketsPage({ limit: 1001 })).rejects.toMatchObject({ status: 400, code: 'bad_request' });
    expect(server.seen).toHaveLength(1);
  });

  it('a timed-out attempt is retried', async () => {
    const { server, client } = await setup(
      (_r, res, n) => {
        if (n === 1) return; // never answer
        json(res, 200, { exchange_active: true, trading_active: false });
      },
      { timeoutMs: 1000 },
    );
    await expect(client.getExchangeStatus()).resolves.toEqual({ exchangeActive: true, tradingActive: false, estimatedResumeMs: null, shards: [] });
    expect(server.seen).toHaveLength(2);
  });

  it('persistent timeouts end in a KalshiNetworkError that says so', async () => {
    const { server, client } = await setup(() => undefined, { timeoutMs: 500, retries: 1 });
    const err = await client.getExchangeStatus().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KalshiNetworkError);
    expect(err).toMatchObject({ code: 'ETIMEDOUT', isTimeout: true, method: 'GET', path: '/exchange/status' });
    expect(server.seen).toHaveLength(2);
  });

  it('a 200 whose body breaks its schema is a KalshiResponseError naming the field, not the body', async () => {
    const { client } = await setup((_r, res) => json(res, 200, { market: { ...MARKET, yes_ask_dollars: 0.52 } }));
    const err = await client.getMarket('KXT-1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KalshiResponseError);
    expect(String(err)).toContain('market.yes_ask_dollars');
    expect(String(err)).not.toContain('0.4700'); // other body values stay out
  });

  it('a dropped connection is retried; persistent drops end in a KalshiNetworkError', async () => {
    const { server, client } = await setup((_r, res, n) => (n <= 2 ? res.socket?.destroy() : json(res, 200, { balance: 9801, portfolio_value: 198 })));
    await expect(client.getBalance()).resolves.toMatchObject({ balanceE4: 980_100 });
    expect(server.seen).toHaveLength(3);

    server.setHandler((_r, res) => res.socket?.destroy());
    const err = await client.getBalance().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KalshiNetworkError);
    expect(server.seen).toHaveLength(3 + 4);
  });

  it('unsigned without a key (market data only)', async () => {
    const { server, client } = await setup((_r, res) => json(res, 200, { market: MARKET }), { keyId: undefined, privateKey: undefined });
    await expect(client.getMarket('KXT-1')).resolves.toMatchObject({ ticker: 'KXT-1', yesBidE4: 4700 });
    expect(server.seen[0]!.headers['kalshi-access-signature']).toBeUndefined();
    expect(server.seen[0]!.path).toBe('/trade-api/v2/markets/KXT-1');
  });
});

describe('createOrder idempotency', () => {
  it('a refusal of the retry after a lost answer is "outcome unknown", never a rejection', async () => {
    let posts = 0;
    const { server, client } = await setup((req, res) => {
      if (req.method === 'POST') {
        posts += 1;
        if (posts === 1) {
          res.socket?.destroy(); // the exchange took the order, the answer was lost
          return;
        }
        // ...and the retry is refused because the first order holds the cash.
        return json(res, 400, { error: { code: 'insufficient_balance', message: 'insufficient balance', service: 'exchange' } });
      }
      json(res, 404, { error: { code: 'not_found', message: 'not found' } });
    });
    const err = await client
      .createOrder({ ticker: 'KXT-1', side: 'bid', countE2: 1000, priceE4: 7100, timeInForce: 'good_till_canceled', clientOrderId: 'coid-9' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OrderOutcomeUnknownError);
    expect(err).not.toBeInstanceOf(KalshiApiError);
    expect((err as OrderOutcomeUnknownError).last.code).toBe('insufficient_balance');
    expect(server.seen.filter((x) => x.method === 'POST')).toHaveLength(2);
  });

  it('a refusal of the first attempt is a plain rejection', async () => {
    const { client } = await setup((_req, res) =>
      json(res, 400, { error: { code: 'insufficient_balance', message: 'insufficient balance', service: 'exchange' } }),
    );
    const err = await client
      .createOrder({ ticker: 'KXT-1', side: 'bid', countE2: 1000, priceE4: 7100, timeInForce: 'good_till_canceled', clientOrderId: 'coid-10' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KalshiApiError);
  });

  it('sends strings, retries a lost answer with the same client_order_id, and a 409 on the retry resolves to the existing order once', async () => {
    let created = 0;
    const { server, client } = await setup((req, res) => {
      if (req.method === 'POST') {
        if (created === 0) {
          created += 1; // the exchange took the order...
          res.socket?.destroy(); // ...and the answer was lost
          return;
        }
        return json(res, 409, { error: { code: 'order_already_exists', message: 'order already exists', service: 'exchange' } });
      }
      if (req.method === 'GET' && req.path === '/trade-api/v2/portfolio/orders') {
        return json(res, 200, { orders: [{ ...ORDER, order_id: 'other', client_order_id: 'someone-else' }, ORDER], cursor: '' });
      }
      json(res, 404, { error: { code: 'not_found', message: 'not found' } });
    });
    const r = await client.createOrder({ ticker: 'KXT-1', side: 'bid', countE2: 1000, priceE4: 7100, timeInForce: 'good_till_canceled', clientOrderId: 'coid-1' });
    expect(r).toMatchObject({ recovered: true, orderId: 'ord-1', clientOrderId: 'coid-1', remainingCountE2: 1000, attempts: 2 });
    expect(r.order?.yesPriceE4).toBe(7100);
    const posts = server.seen.filter((s) => s.method === 'POST');
    expect(posts).toHaveLength(2);
    expect(created).toBe(1);
    for (const p of posts) {
      expect(p.path).toBe('/trade-api/v2/portfolio/events/orders');
      expect(JSON.parse(p.body)).toEqual({
        ticker: 'KXT-1',
        side: 'bid',
        count: '10.00',
        price: '0.7100',
        time_in_force: 'good_till_canceled',
        self_trade_prevention_type: 'taker_at_cross',
        client_order_id: 'coid-1',
      });
      expect(sigOk(p)).toBe(true);
    }
    const list = server.seen.find((s) => s.method === 'GET')!;
    expect(list.query.get('ticker')).toBe('KXT-1');
  });

  it('a 500 then 201 creates once, not recovered', async () => {
    const { server, client } = await setup((req, res, n) => (n === 1 ? json(res, 500, { error: { code: 'internal', message: 'x' } }) : json(res, 201, CREATED)));
    const r = await client.createOrder({ ticker: 'KXT-1', side: 'ask', countE2: 1000, priceE4: 7100, timeInForce: 'immediate_or_cancel', clientOrderId: 'coid-1', postOnly: false, selfTradePrevention: 'maker' });
    expect(r).toMatchObject({ recovered: false, orderId: 'ord-1', attempts: 2, remainingCountE2: 1000, averageFillPriceE4: null });
    expect(server.seen.filter((s) => s.method === 'POST')).toHaveLength(2);
    expect(JSON.parse(server.seen[1]!.body)).toMatchObject({ side: 'ask', post_only: false, self_trade_prevention_type: 'maker', client_order_id: 'coid-1' });
  });

  it('a timeout on POST is retried with the same id (bounded)', async () => {
    const { server, client } = await setup((_r, res, n) => (n <= 2 ? undefined : json(res, 201, CREATED)), { timeoutMs: 800 });
    const r = await client.createOrder({ ticker: 'KXT-1', side: 'bid', countE2: 100, priceE4: 100, timeInForce: 'good_till_canceled', clientOrderId: 'coid-1', expirationTimeS: 1781160000 });
    expect(r.attempts).toBe(3);
    const ids = server.seen.map((s) => (JSON.parse(s.body) as { client_order_id: string; expiration_time: number }).client_order_id);
    expect(ids).toEqual(['coid-1', 'coid-1', 'coid-1']);
    expect(JSON.parse(server.seen[0]!.body).expiration_time).toBe(1781160000);
  });

  it('gives up after retries+1 lost attempts', async () => {
    const { server, client } = await setup((_r, res) => json(res, 503, { error: { code: 'unavailable', message: 'x' } }));
    await expect(client.createOrder({ ticker: 'KXT-1', side: 'bid', countE2: 100, priceE4: 100, timeInForce: 'fill_or_kill', clientOrderId: 'c' })).rejects.toMatchObject({ status: 503 });
    expect(server.seen).toHaveLength(4);
  });

  it('a business 400 is thrown at once', async () => {
    const { server, client } = await setup((_r, res) => json(res, 400, { error: { code: 'insufficient_balance', message: 'insufficient balance', service: 'exchange' } }));
    await expect(client.createOrder({ ticker: 'KXT-1', side: 'bid', countE2: 100, priceE4: 100, timeInForce: 'fill_or_kill', clientOrderId: 'c' })).rejects.toMatchObject({ status: 400, code: 'insufficient_balance' });
    expect(server.seen).toHaveLength(1);
  });

  it('a 409 on the first attempt returns the existing order; if it cannot be found, no second order is tried', async () => {
    const { server, client } = await setup((req, res) => {
      if (req.method === 'POST') return json(res, 409, { error: { code: 'order_already_exists', message: 'order already exists' } });
      const cursor = req.query.get('cursor');
      // two pages: the order is on the second
      if (!cursor) return json(res, 200, { orders: [{ ...ORDER, order_id: 'x', client_order_id: 'y' }], cursor: 'p2' });
      return json(res, 200, { orders: [{ ...ORDER, status: 'canceled', remaining_count_fp: '0.00' }], cursor: null });
    });
    const r = await client.createOrder({ ticker: 'KXT-1', side: 'bid', countE2: 1000, priceE4: 7100, timeInForce: 'good_till_canceled', clientOrderId: 'coid-1' });
    expect(r).toMatchObject({ recovered: true, orderId: 'ord-1', attempts: 1, remainingCountE2: 0 });
    expect(r.order?.isTerminal).toBe(true);

    server.setHandler((req, res) => (req.method === 'POST' ? json(res, 409, { error: { code: 'order_already_exists', message: 'x' } }) : json(res, 200, { orders: [], cursor: '' })));
    const before = server.seen.length;
    const err = await client.createOrder({ ticker: 'KXT-1', side: 'bid', countE2: 1000, priceE4: 7100, timeInForce: 'good_till_canceled', clientOrderId: 'coid-9' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OrderRecoveryError);
    expect(server.seen.slice(before).filter((s) => s.method === 'POST')).toHaveLength(1);
  });
});

describe('cancel and lists', () => {
  it('cancel: 200 -> canceled with reduced count; 404 -> not-found; DELETE 503 is retried', async () => {
    const { server, client } = await setup((req, res, n) => {
      if (req.path.endsWith('/gone')) return json(res, 404, { error: { code: 'not_found', message: 'not found', service: 'exchange' } });
      if (n === 1) return json(res, 503, {});
      json(res, 200, { order_id: 'ord-1', reduced_by: '1.00', ts_ms: 1 });
    });
    await expect(client.cancelOrder('ord-1', { ticker: 'KXBTCD-26DEC01-T90000', exchangeIndex: 2 })).resolves.toEqual({ kind: 'canceled', reducedByE2: 100 });
    expect(server.seen.map((s) => `${s.method} ${s.path}`)).toEqual(['DELETE /trade-api/v2/portfolio/events/orders/ord-1', 'DELETE /trade-api/v2/portfolio/events/orders/ord-1']);
    // Routed to the order's shard (an id alone reaches only shard 0); the query stays out of the signature.
    expect(server.seen.map((s) => [s.query.get('market_ticker'), s.query.get('exchange_index')])).toEqual([
      ['KXBTCD-26DEC01-T90000', '2'],
      ['KXBTCD-26DEC01-T90000', '2'],
    ]);
    expect(server.seen.every(sigOk)).toBe(true);
    await expect(client.cancelOrder('gone', { ticker: 'KXA-1' })).resolves.toEqual({ kind: 'not-found' });
    expect(server.seen.at(-1)!.query.has('exchange_index')).toBe(false);
    expect(server.seen.at(-1)!.query.get('market_ticker')).toBe('KXA-1');
  });

  it('a repeated cursor stops the walk and is reported', async () => {
    const reports: string[] = [];
    const { server, client } = await setup((_r, res) => json(res, 200, { market_positions: [{ ticker: 'T', position_fp: '-1.00', market_exposure_dollars: '0.5', realized_pnl_dollars: '0', fees_paid_dollars: '0' }], cursor: 'same' }), {
      onRepeatedCursor: (i) => reports.push(`${i.path}:${i.cursor}:${i.pages}`),
    });
    const positions = await client.getPositions();
    expect(positions).toHaveLength(2);
    expect(positions[0]?.positionE2).toBe(-100);
    expect(server.seen).toHaveLength(2);
    expect(reports).toEqual(['/portfolio/positions:same:2']);
  });

  it('getAllMarkets walks pages and sums skipped records', async () => {
    const { client } = await setup((req, res) => {
      const c = req.query.get('cursor');
      if (!c) return json(res, 200, { markets: [MARKET, { ticker: 'bad' }], cursor: 'c2' });
      json(res, 200, { markets: [{ ...MARKET, ticker: 'KXT-2' }] });
    });
    const all = await client.getAllMarkets({ status: 'open' });
    expect(all).toMatchObject({ skipped: 1, pages: 2 });
    expect(all.markets.map((m) => m.ticker)).toEqual(['KXT-1', 'KXT-2']);
  });
});

describe('rate limiting', () => {
  it('paces reads to the tier budget (basic: 200 tokens/s, 10 per GET, burst 20)', async () => {
    const { server, client } = await setup((_r, res) => json(res, 200, { exchange_active: true, trading_active: true }), { tier: 'basic', timeoutMs: 400 });
    // timeoutMs < the wait: waiting for tokens must not count against the per-attempt timeout (no retries below).
    const t0 = performance.now();
    await Promise.all(Array.from({ length: 30 }, () => client.getExchangeStatus()));
    const elapsed = performance.now() - t0;
    // 20 from the full bucket, then 10 more at 20/s = 0.5 s
    expect(elapsed).toBeGreaterThanOrEqual(450);
    // No window of 1 s after the burst holds more than capacity + rate requests' worth of tokens.
    const times = server.seen.map((s) => s.atMs).sort((a, b) => a - b);
    const afterBurst = times.slice(20);
    expect(afterBurst[afterBurst.length - 1]! - afterBurst[0]!).toBeGreaterThanOrEqual(400);
    expect(client.http.stats()).toMatchObject({ attempts: 30, retries: 0, responses429: 0 });
  });

  it('a cancel costs 2 tokens from the write bucket', async () => {
    // A frozen clock: no refill, so the spend is exact.
    const { client } = await setup((_r, res) => json(res, 200, { order_id: 'o', reduced_by: '0.00' }), { limiter: new RateLimiter('basic', () => 0, { capacity: 1, rate: 1 }) });
    await client.cancelOrder('o', { ticker: 'KXA-1', exchangeIndex: 0 });
    expect(client.http.limiter.write.available()).toBe(98);
    expect(client.http.limiter.read.available()).toBe(200);
    expect(client.http.limiter.costOf('GET', '/trade-api/v2/portfolio/orders/abc')).toBe(2);
    expect(client.http.limiter.costOf('GET', '/trade-api/v2/markets')).toBe(10);
    expect(client.http.limiter.costOf('POST', '/trade-api/v2/portfolio/events/orders')).toBe(10);
  });
});

describe('secret hygiene', () => {
  it("errors never carry the signature header or the key, in string, JSON or inspect form", async () => {
    const { server, client } = await setup((_r, res, n) => (n === 1 ? json(res, 401, { error: { code: 'authentication_error', message: 'authentication_error', details: 'INCORRECT_API_KEY_SIGNATURE' } }) : res.socket?.destroy()));
    const apiErr = await client.getBalance().catch((e: unknown) => e);
    expect(apiErr).toBeInstanceOf(KalshiApiError);
    expect(apiErr).toMatchObject({ status: 401, details: 'INCORRECT_API_KEY_SIGNATURE' });
    const netErr = await client.getBalance().catch((e: unknown) => e);
    expect(netErr).toBeInstanceOf(KalshiNetworkError);
    const postErr = await client.createOrder({ ticker: 'KXT-1', side: 'bid', countE2: 100, priceE4: 100, timeInForce: 'fill_or_kill', clientOrderId: 'c' }).catch((e: unknown) => e);
    expect(postErr).toBeInstanceOf(KalshiNetworkError);

    const sigs = server.seen.map((s) => String(s.headers['kalshi-access-signature']));
    expect(sigs.length).toBeGreaterThan(5);
    const pemLines = PEM.split('\n').filter((l) => l.length > 20 && !l.startsWith('-----'));
    for (const e of [apiErr, netErr, postErr] as Error[]) {
      const forms = [String(e), JSON.stringify(e), e.stack ?? '', inspect(e, { depth: 10, showHidden: true }), JSON.stringify(Object.assign({}, e))].join('\n');
      for (const sig of sigs) expect(forms).not.toContain(sig);
      for (const line of pemLines) expect(forms).not.toContain(line);
      expect(forms.toLowerCase()).not.toContain('kalshi-access-signature');
      expect(forms).not.toContain(KEY_ID);
      expect((e as { cause?: unknown }).cause).toBeUndefined();
    }
  });
});

describe('shards on the wire', () => {
  it('a create names the market shard; a transfer is sent once (never retried) with its amount in centicents', async () => {
    const { server, client } = await setup((req, res) => {
      if (req.path.endsWith('/intra_exchange_instance_transfer')) return json(res, 503, { error: { code: 'service_unavailable', message: 'x' } });
      json(res, 201, CREATED);
    });
    await client.createOrder({ ticker: 'KXBTCD-1', side: 'bid', countE2: 100, priceE4: 7100, timeInForce: 'good_till_canceled', clientOrderId: 'c', exchangeIndex: 2 });
    expect(JSON.parse(server.seen[0]!.body)).toMatchObject({ ticker: 'KXBTCD-1', exchange_index: 2 });
    await expect(client.createTransfer({ fromShard: 0, toShard: 2, amountE4: 98_000 })).rejects.toThrow(KalshiApiError);
    const posts = server.seen.filter((s) => s.path.endsWith('/intra_exchange_instance_transfer'));
    expect(posts).toHaveLength(1);
    expect(JSON.parse(posts[0]!.body)).toEqual({
      source: 'event_contract',
      destination: 'event_contract',
      amount: 98_000, // $9.80: $1 = 10000 centicents
      source_exchange_shard: 0,
      destination_exchange_shard: 2,
    });
    expect(posts.every(sigOk)).toBe(true);
  });

  it('the balance breakdown is dollar strings per shard, the top-level balance integer cents', async () => {
    // The reference's illustrative record: $980 in all, $970 on shard 0 and $10 on shard 2.
    const { client } = await setup((_r, res) =>
      json(res, 200, {
        balance: 98000,
        balance_dollars: '980.0000',
        portfolio_value: 0,
        updated_ts: 1764547200,
        balance_breakdown: [
          { exchange_index: 0, balance: '970.0000' },
          { exchange_index: 2, balance: '10.0000' },
        ],
      }),
    );
    const b = await client.getBalance();
    expect(b.balanceE4).toBe(9_800_000);
    expect(b.shards).toEqual([
      { exchangeIndex: 0, balanceE4: 9_700_000 },
      { exchangeIndex: 2, balanceE4: 100_000 },
    ]);
  });

  it('a negative or unreadable per-shard balance is refused, not believed', async () => {
    const { client } = await setup((_r, res) => json(res, 200, { balance: 100, balance_breakdown: [{ exchange_index: 2, balance: '-50.0000' }] }));
    await expect(client.getBalance()).rejects.toThrow(KalshiResponseError);
  });

  it('transfer history and one transfer parse; an amount is a dollar string there', async () => {
    const T = { transfer_id: 't-1', source: 'event_contract', destination: 'event_contract', source_exchange_shard: 0, destination_exchange_shard: 2, amount: '0.5000', status: 'pending', created_ts: 1764547200 };
    const { client } = await setup((req, res) => (req.path.endsWith('/t-1') ? json(res, 200, { transfer: { ...T, status: 'complete' } }) : json(res, 200, { transfers: [T] })));
    expect(await client.listTransfers()).toEqual([{ transferId: 't-1', fromShard: 0, toShard: 2, amountE4: 5000, status: 'pending', complete: false, createdMs: 1_764_547_200_000 }]);
    expect((await client.getTransfer('t-1')).complete).toBe(true);
  });

  it("the exchange's own endpoint costs replace the built-in table", async () => {
    const { client } = await setup((_r, res) =>
      json(res, 200, { default_cost: 12, endpoint_costs: [{ cost: 3, method: 'DELETE', path: '/trade-api/v2/portfolio/events/orders/:order_id' }] }),
    );
    expect(client.http.limiter.costOf('GET', '/trade-api/v2/markets')).toBe(10);
    client.http.limiter.adoptCosts(await client.getEndpointCosts());
    expect(client.http.limiter.costOf('GET', '/trade-api/v2/markets')).toBe(12);
    expect(client.http.limiter.costOf('DELETE', '/trade-api/v2/portfolio/events/orders/abc')).toBe(3);
  });

  it('a single write routed to shard >= 1 spends that shard’s write bucket, not the unscoped one', async () => {
    const { client } = await setup((_r, res) => json(res, 200, { order_id: 'o', reduced_by: '0.00' }), { limiter: new RateLimiter('basic', () => 0, { capacity: 1, rate: 1 }) });
    await client.cancelOrder('o', { ticker: 'KXBTCD-1', exchangeIndex: 2 });
    expect(client.http.limiter.write.available()).toBe(100);
    await client.cancelOrder('o', { ticker: 'KXA-1', exchangeIndex: 0 });
    expect(client.http.limiter.write.available()).toBe(98);
  });
});
