// Faults from the simulated exchange (issue 8 §3), end to end over loopback HTTP: each fault hits a real cycle or a
// real order, ends in a clean, journaled outcome, and the next cycle recovers. After every step the books are checked:
// every order on the exchange has exactly one journal row with its client_order_id (none twice), and what the exchange
// took on a trading day never exceeds the daily cap, nor is the journal's at-risk figure ever below it.
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { App, AppOptions } from '../../src/app.js';
import { tradingDay } from '../../src/clock.js';
import type { CycleSummary } from '../../src/pipeline/cycle.js';
import type { SimFault, SimOptions } from '../../src/sim/index.js';
import { alertsOf, buyYes, inBandMarket, messagesOf, T0, type World, world } from '../support/app.js';
import { readFixture } from '../support/fixtures.js';

let w: World | null = null;
afterEach(async () => {
  await w?.close();
  w = null;
});


/** The cent of rounding fees each filled order books on top of what the sim charges (it models no rounding fee). */
const roundingOf = (app: App): number =>
  100 * (app.journal.db.prepare('SELECT COUNT(*) AS n FROM orders WHERE final = 1 AND filled_e2 > 0').get() as { n: number }).n;

const TZ = 'America/New_York';
const DAY0 = '2026-11-25';
const CREATE = '/portfolio/events/orders';
const T = 'KXFAULT-26NOV27-A';
/** 6 contracts at 78c plus the worst-case taker fee: what an order of unknown outcome keeps counted. */
const WORST_E4 = 48_221;
/** Past an unanswered order's GTC expiry plus the lookup margin: reconciliation may then write it off. */
const PAST_SEND_WINDOW_MS = 61_000;

// DAILY_LOSS_CAP $12: tight enough that three full orders (3 x $4.75) would break it, so the cap binds over a test.
// Prime-tier pacing so the client's own buckets never slow a test; one hydration stream, so each cycle sends exactly
// one GET /markets and one GET /exchange/status and a fault's count says exactly which attempts it hits.
const ENV = { KALSHI_TIER: 'prime', DAILY_LOSS_CAP: '12' };
const OPTS: Partial<AppOptions> = { hydrateStreams: 1 };
/** The retry bound of world()'s client (4 retries after the first attempt, GET/DELETE in got, POST in createOrder). */
const ATTEMPTS = 5;

// One Ed25519 API key for the file, registered with each test's sim: the app runs in demo mode against the sim (the
// path a real key takes, as in shards.test.ts) instead of generating a 2048-bit RSA key per start, which costs up to
// a few hundred ms each time. Orders are real in demo mode, exactly as in sim mode.
const KEY = generateKeyPairSync('ed25519');
const KEY_PEM = KEY.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const PUBLIC_PEM = KEY.publicKey.export({ type: 'spki', format: 'pem' }).toString();

/** Start the real app on `w`'s sim with the file's key (demo mode, base URL = the sim). */
function startApp(env: Record<string, string> = {}, extra: Partial<AppOptions> = {}): Promise<App> {
  const keyId = randomUUID();
  const keyFile = join(w!.dir, `${keyId}.pem`);
  writeFileSync(keyFile, KEY_PEM, { mode: 0o600 });
  w!.sim.registerKey(keyId, PUBLIC_PEM);
  const demo = { KALSHI_ENV: 'demo', KALSHI_BASE_URL: w!.sim.baseUrl, KALSHI_KEY_ID: keyId, KALSHI_PRIVATE_KEY_PATH: keyFile };
  return w!.start({ ...ENV, ...demo, ...env }, { ...OPTS, ...extra });
}

async function setup(opts: { sim?: SimOptions; env?: Record<string, string>; extra?: Partial<AppOptions>; askSize?: number } = {}): Promise<App> {
  w = await world(opts.sim);
  w.sim.addMarket(inBandMarket(T, opts.askSize));
  return startApp(opts.env, opts.extra);
}

/** What the exchange really took per trading day of the fill (price paid plus fee), from its own records. */
function takenOn(day: string): number {
  return w!.sim
    .fillsSnapshot()
    .filter((f) => tradingDay(f.tsMs, TZ) === day)
    .reduce((a, f) => a + Math.ceil((f.countE2 * f.paidE4) / 100) + f.feeE4, 0);
}

interface Row {
  client_order_id: string;
  exchange_order_id: string | null;
  state: string;
  final: number;
  error: string | null;
  filled_e2: number;
}
const rowsOf = (app: App): Row[] =>
  app.journal.db.prepare('SELECT client_order_id, exchange_order_id, state, final, error, filled_e2 FROM orders ORDER BY id').all() as Row[];

/** The books: nothing sent twice, journal and exchange agree order by order, and the cap holds on every day. */
function checkBooks(app: App): void {
  const onExchange = w!.sim.ordersSnapshot();
  const rows = rowsOf(app);
  const ids = rows.map((r) => r.client_order_id);
  expect(new Set(ids).size, 'a client_order_id journaled twice').toBe(ids.length);
  expect(new Set(onExchange.map((o) => o.client_order_id)).size, 'a client_order_id sent twice').toBe(onExchange.length);
  for (const o of onExchange) {
    const mine = rows.filter((r) => r.client_order_id === o.client_order_id);
    expect(mine, `exchange order ${o.order_id} has one journal row`).toHaveLength(1);
    // A row may not know the exchange's id yet (a lost answer), but it never names another order.
    if (mine[0]!.exchange_order_id !== null) expect(mine[0]!.exchange_order_id).toBe(o.order_id);
    if (mine[0]!.final === 1) expect(mine[0]!.filled_e2).toBe(o.filledE2);
  }
  // The journal claims no order the exchange does not have.
  const known = new Set(onExchange.map((o) => o.order_id));
  for (const r of rows) if (r.exchange_order_id !== null) expect(known.has(r.exchange_order_id)).toBe(true);
  const capE4 = app.config.DAILY_LOSS_CAP;
  const days = new Set([DAY0, ...w!.sim.fillsSnapshot().map((f) => tradingDay(f.tsMs, TZ))]);
  for (const day of days) {
    expect(takenOn(day), `taken on ${day}`).toBeLessThanOrEqual(capE4);
    expect(app.journal.orders.atRiskE4(day), `at risk on ${day}`).toBeGreaterThanOrEqual(takenOn(day));
  }
}

const statusesOf = (s: CycleSummary) => s.orders.map((o) => [o.ticker, o.status]);
const cycleRow = (app: App, id: number) =>
  app.journal.db.prepare('SELECT markets, skipped, orders, error, finished_at FROM cycles WHERE id = ?').get(id) as {
    markets: number;
    skipped: number;
    orders: number;
    error: string | null;
    finished_at: number | null;
  };

/** A cycle that trades the market cleanly: no error, one executed order, nothing left unfinished, books straight. */
async function tradesCleanly(app: App): Promise<CycleSummary> {
  const before = w!.sim.ordersSnapshot().length;
  const s = await app.runCycle();
  expect(s.error).toBeUndefined();
  expect(statusesOf(s)).toEqual([[T, 'executed']]);
  expect(w!.sim.ordersSnapshot()).toHaveLength(before + 1);
  expect(app.journal.orders.unfinished()).toHaveLength(0);
  checkBooks(app);
  return s;
}

/** A cycle that ends with an error before any order: journaled as such, nothing sent, books straight. */
async function failsCleanly(app: App, error: RegExp): Promise<CycleSummary> {
  const s = await app.runCycle();
  expect(s.error).toMatch(error);
  expect(s.orders).toHaveLength(0);
  expect(w!.sim.ordersSnapshot()).toHaveLength(0);
  expect(app.journal.orders.recent(5)).toHaveLength(0);
  const row = cycleRow(app, s.cycleId);
  expect(row.error).toBe(s.error);
  expect(row.finished_at).not.toBeNull();
  checkBooks(app);
  return s;
}

const route = (name: string) => w!.sim.stats().byRoute[name] ?? 0;

describe('faults within the retry bound: the cycle trades through them, each request retried, the order sent once', () => {
  const cases: Array<{ name: string; faults: SimFault[]; route: string; hits: number; counter: 'responses429' | 'responses5xx' | 'networkErrors'; counted: number }> = [
    {
      name: '429 storm on the market page and the exchange status (GET)',
      faults: [
        { kind: 'rate-limit', count: ATTEMPTS - 1, pathIncludes: '/markets' },
        { kind: 'rate-limit', count: ATTEMPTS - 1, pathIncludes: '/exchange/status' },
      ],
      route: 'GET /markets',
      hits: ATTEMPTS,
      counter: 'responses429',
      counted: 8,
    },
    {
      name: '429 storm on the order create (POST, same client_order_id each time)',
      faults: [{ kind: 'rate-limit', count: ATTEMPTS - 1, pathIncludes: CREATE }],
      route: 'POST /portfolio/events/orders',
      hits: ATTEMPTS,
      counter: 'responses429',
      counted: 4,
    },
    {
      name: '500 burst on the market page',
      faults: [{ kind: 'status', status: 500, count: ATTEMPTS - 1, method: 'GET', pathIncludes: '/markets' }],
      route: 'GET /markets',
      hits: ATTEMPTS,
      counter: 'responses5xx',
      counted: 4,
    },
    {
      name: '502 burst on the order create',
      faults: [{ kind: 'status', status: 502, count: ATTEMPTS - 1, method: 'POST', pathIncludes: CREATE }],
      route: 'POST /portfolio/events/orders',
      hits: ATTEMPTS,
      counter: 'responses5xx',
      counted: 4,
    },
    {
      // By id only (the list has no trailing slash): past got's bound, the executor reads the order from the list.
      name: '503 burst on the order GET, longer than the retry bound',
      faults: [{ kind: 'status', status: 503, count: ATTEMPTS, method: 'GET', pathIncludes: '/portfolio/orders/' }],
      route: 'GET /portfolio/orders/:order_id',
      hits: ATTEMPTS,
      counter: 'responses5xx',
      counted: 5,
    },
    {
      name: 'connection reset before the market page was handled (drop)',
      faults: [{ kind: 'drop', count: 2, method: 'GET', pathIncludes: '/markets' }],
      route: 'GET /markets',
      hits: 3,
      counter: 'networkErrors',
      counted: 2,
    },
    {
      name: 'connection reset after the market page was handled (drop-after)',
      faults: [{ kind: 'drop-after', count: 2, method: 'GET', pathIncludes: '/markets' }],
      route: 'GET /markets',
      hits: 3,
      counter: 'networkErrors',
      counted: 2,
    },
    {
      // Never handled: the retry with the same client_order_id is the one that creates the order.
      name: 'connection reset before the order create was handled (drop)',
      faults: [{ kind: 'drop', count: 1, method: 'POST', pathIncludes: CREATE }],
      route: 'POST /portfolio/events/orders',
      hits: 2,
      counter: 'networkErrors',
      counted: 1,
    },
    {
      // Handled, the answer lost: the retry gets 409 order_already_exists and resolves to the one order.
      name: 'connection reset after the order create was handled (drop-after)',
      faults: [{ kind: 'drop-after', count: 1, method: 'POST', pathIncludes: CREATE }],
      route: 'POST /portfolio/events/orders',
      hits: 2,
      counter: 'networkErrors',
      counted: 1,
    },
  ];

  it.each(cases)('$name', async (c) => {
    const app = await setup();
    for (const f of c.faults) w!.sim.inject(f);
    await tradesCleanly(app);
    // The fault really hit: the route saw every failed attempt plus the one that got through.
    expect(route(c.route)).toBe(c.hits);
    expect(app.client.http.stats()[c.counter]).toBe(c.counted);
    const [row] = rowsOf(app);
    expect(row).toMatchObject({ state: 'executed', final: 1, error: null, filled_e2: 600 });
    // The next cycle is an ordinary one.
    await tradesCleanly(app);
    expect(takenOn(DAY0)).toBe(2 * 47_521);
    // A third finds $2.50 of room under the $12 cap: its order is cut to fit (checkBooks: the exchange took no more).
    const third = await tradesCleanly(app);
    expect(third.orders[0]!.count).toBeLessThan(6);
  });

  it('a 500 burst on the cancel of a resting order: the cancel is retried, the partial fill booked, nothing rests', async () => {
    const app = await setup({ askSize: 2 }); // 2 contracts at the ask: 2 fill, 4 rest until the fill timeout
    w!.sim.inject({ kind: 'status', status: 500, count: ATTEMPTS - 1, method: 'DELETE', pathIncludes: `${CREATE}/` });
    const r = await app.executor.execute(buyYes(T));
    expect(r).toMatchObject({ kind: 'partial', filledE2: 200 });
    expect(route('DELETE /portfolio/events/orders/:order_id')).toBe(ATTEMPTS);
    expect(w!.sim.ordersSnapshot().map((o) => [o.status, o.filledE2])).toEqual([['canceled', 200]]);
    expect(rowsOf(app)).toMatchObject([{ state: 'canceled', final: 1, filled_e2: 200 }]);
    // Only what was spent counts now, not the 6-contract worst case.
    expect(app.journal.orders.atRiskE4(DAY0)).toBe(takenOn(DAY0) + roundingOf(app));
    expect(takenOn(DAY0)).toBeGreaterThan(0);
    checkBooks(app);
    w!.sim.updateMarket(T, { yesAskSize: 50 });
    await tradesCleanly(app);
  });
});

describe('faults past the retry bound on a read: the cycle ends with a journaled error, nothing is ordered, the next cycle trades', () => {
  const MARKETS = 'GET /markets';
  const STATUS = 'GET /exchange/status';
  const cases: Array<{ name: string; fault: SimFault; route: string; error: RegExp }> = [
    { name: '429 storm on the exchange status', fault: { kind: 'rate-limit', count: ATTEMPTS, pathIncludes: '/exchange/status' }, route: STATUS, error: /429 too_many_requests/ },
    { name: '429 storm on the market page', fault: { kind: 'rate-limit', count: ATTEMPTS, pathIncludes: '/markets' }, route: MARKETS, error: /429 too_many_requests/ },
    { name: '503 burst on the market page', fault: { kind: 'status', status: 503, count: ATTEMPTS, method: 'GET', pathIncludes: '/markets' }, route: MARKETS, error: /503/ },
    { name: '502 burst on the exchange status', fault: { kind: 'status', status: 502, count: ATTEMPTS, method: 'GET', pathIncludes: '/exchange/status' }, route: STATUS, error: /502/ },
    { name: 'every market page connection reset', fault: { kind: 'drop', count: ATTEMPTS, method: 'GET', pathIncludes: '/markets' }, route: MARKETS, error: /KalshiNetworkError/ },
  ];

  it.each(cases)('$name', async (c) => {
    const app = await setup();
    w!.sim.inject(c.fault);
    await failsCleanly(app, c.error);
    // Every attempt the client's retry bound allows hit the fault, and no more.
    expect(route(c.route)).toBe(ATTEMPTS);
    await tradesCleanly(app);
  });

  it('responses slower than the timeout: the cycle times out and ends with an error; at normal speed the next cycle trades', async () => {
    const app = await setup({ extra: { http: { timeoutMs: 100, retries: 1, baseDelayMs: 5, maxDelayMs: 20 } } });
    w!.sim.setLatency(250);
    const t0 = performance.now();
    await failsCleanly(app, /KalshiNetworkError: .*Timeout/);
    // Bounded: two attempts of 100 ms each (plus backoff), not the sim's latency times anything.
    expect(performance.now() - t0).toBeLessThan(1_500);
    expect(app.client.http.stats().responses2xx).toBe(0);
    w!.sim.setLatency(0);
    await tradesCleanly(app);
  });
});

describe('an order create that never gets an answer: outcome unknown, its worst case counted, settled by a later cycle', () => {
  const cases: Array<{ name: string; fault?: SimFault; slow?: true; error: RegExp }> = [
    { name: '429 storm past the retry bound', fault: { kind: 'rate-limit', count: ATTEMPTS, pathIncludes: CREATE }, error: /429 too_many_requests/ },
    { name: '503 burst past the retry bound', fault: { kind: 'status', status: 503, count: ATTEMPTS, method: 'POST', pathIncludes: CREATE }, error: /503/ },
    { name: 'every connection reset before it was handled', fault: { kind: 'drop', count: ATTEMPTS, method: 'POST', pathIncludes: CREATE }, error: /socket hang up|ECONNRESET/ },
    { name: 'every answer slower than the timeout', slow: true, error: /Timeout/ },
  ];

  it.each(cases)('$name', async (c) => {
    let slowNext = c.slow === true;
    const app = await setup({
      env: { DAILY_LOSS_CAP: '8' },
      extra: {
        // The 100 ms timeout only matters for the slow case; the retry bound stays world()'s (5 attempts).
        http: { timeoutMs: 100, retries: ATTEMPTS - 1, baseDelayMs: 5, maxDelayMs: 20 },
        // Slow down only what follows the intent (the create and the lookups), once: the reads before it are fast.
        executor: { pollMs: 10, fillTimeoutMs: 200, hooks: { afterIntent: () => (slowNext ? ((slowNext = false), w!.sim.setLatency(150)) : undefined) } },
      },
    });
    if (c.fault) w!.sim.inject(c.fault);
    const r = await app.executor.execute(buyYes(T));
    w!.sim.setLatency(0);
    expect(r.kind).toBe('unknown');
    expect(r.kind === 'unknown' && r.reason).toMatch(c.error);
    expect(route('POST /portfolio/events/orders')).toBe(ATTEMPTS);
    // Nothing reached the exchange, but the bot cannot know that yet: the intent stays open at its worst case.
    expect(w!.sim.ordersSnapshot()).toHaveLength(0);
    expect(rowsOf(app)).toMatchObject([{ state: 'sent', final: 0, exchange_order_id: null }]);
    expect(app.journal.orders.atRiskE4(DAY0)).toBe(WORST_E4);
    checkBooks(app);

    // Right away, the next cycle cannot write it off (it may still surface until its exchange-side expiry): it stays
    // counted while a new order goes out beside it, and the cap sees both.
    const soon = await app.runCycle();
    expect(soon.error).toBeUndefined();
    expect(statusesOf(soon)).toEqual([[T, 'executed']]);
    // Sized to the room the open worst case leaves under the $8 cap, not to a full order.
    expect(soon.orders[0]!.count).toBeLessThan(6);
    expect(rowsOf(app).map((x) => x.state)).toEqual(['sent', 'executed']);
    expect(app.journal.orders.atRiskE4(DAY0)).toBe(WORST_E4 + takenOn(DAY0) + roundingOf(app));
    checkBooks(app);

    // Past its expiry and the lookup margin, absent from the exchange means it never arrived: closed, no longer counted.
    w!.clock.advance(PAST_SEND_WINDOW_MS);
    await tradesCleanly(app);
    expect(rowsOf(app).map((x) => [x.state, x.error])).toEqual([
      ['canceled', 'never reached the exchange'],
      ['executed', null],
      ['executed', null],
    ]);
    expect(app.journal.orders.atRiskE4(DAY0)).toBe(takenOn(DAY0) + roundingOf(app));
  });

  it('every answer lost after the create was handled: found by client_order_id, journaled once, never sent as a second order', async () => {
    const app = await setup();
    w!.sim.inject({ kind: 'drop-after', count: ATTEMPTS, method: 'POST', pathIncludes: CREATE });
    const r = await app.executor.execute(buyYes(T));
    expect(r.kind).toBe('filled');
    // Five creates went out with one client_order_id: the first made the order, the rest were refused (409) unseen.
    expect(route('POST /portfolio/events/orders')).toBe(ATTEMPTS);
    expect(w!.sim.ordersSnapshot()).toHaveLength(1);
    expect(rowsOf(app)).toMatchObject([{ state: 'executed', final: 1, exchange_order_id: w!.sim.ordersSnapshot()[0]!.order_id }]);
    checkBooks(app);
    await tradesCleanly(app);
  });
});

describe('malformed market records', () => {
  it('the cycle skips and counts them, trades the good ones; the next cycle sees the whole universe', async () => {
    w = await world();
    const tickers = ['KXBAD-26NOV27-A', 'KXBAD-26NOV27-B', 'KXBAD-26NOV27-C', 'KXBAD-26NOV27-D'];
    for (const t of tickers) w.sim.addMarket(inBandMarket(t));
    const app = await startApp({ DAILY_LOSS_CAP: '50' });
    w.sim.inject({ kind: 'malformed', count: 2 });
    const s = await app.runCycle();
    expect(s.error).toBeUndefined();
    expect([s.markets, s.skipped]).toEqual([2, 2]);
    expect(cycleRow(app, s.cycleId)).toMatchObject({ markets: 2, skipped: 2, orders: 2, error: null });
    const traded = s.orders.map((o) => o.ticker);
    expect(traded).toHaveLength(2);
    expect(s.orders.every((o) => o.status === 'executed')).toBe(true);
    // Nothing was ordered on a record the bot could not read.
    expect(w.sim.ordersSnapshot().map((o) => o.ticker).sort()).toEqual([...traded].sort());
    checkBooks(app);
    const next = await app.runCycle();
    expect([next.error, next.markets, next.skipped]).toEqual([undefined, 4, 0]);
    expect(next.orders.map((o) => o.ticker).sort()).toEqual(tickers);
    checkBooks(app);
  });
});

describe('clock skew: the exchange refuses the stale timestamp', () => {
  const expired = (readFixture('auth__skew_minus30s') as { error: { code: string } }).error.code;

  it.each([
    { name: 'the bot 30 s behind the exchange', skewMs: 30_000 },
    { name: 'the bot 5 min ahead of the exchange', skewMs: -5 * 60_000 },
  ])('$name: an error and an alert, nothing ordered; with the clock right again the next cycle trades', async ({ skewMs }) => {
    let skew = skewMs;
    // The sim keeps its own clock, `skew` ahead of the bot's ManualClock.
    const app = await setup({ sim: { clock: () => (w?.clock.now() ?? T0) + skew } });
    expect(expired).toBe('header_timestamp_expired');
    await failsCleanly(app, new RegExp(`401 ${expired}`));
    expect(messagesOf(app, 'error').filter((m) => m.includes(expired))).toEqual([
      `Kalshi refused our requests as stale (${expired}): this machine's clock is off. Sync it (NTP); trading resumes by itself.`,
    ]);
    // Still skewed a cycle later: the same error, and one alert for the episode, not one per cycle.
    await failsCleanly(app, new RegExp(`401 ${expired}`));
    expect(messagesOf(app, 'error').filter((m) => m.includes(expired))).toHaveLength(1);
    skew = 0;
    await tradesCleanly(app);
  });
});

describe('trading_active false', () => {
  it('no orders while the exchange is not trading (one alert); when it reopens, orders resume', async () => {
    const app = await setup();
    w!.sim.setTradingActive(false);
    const s = await app.runCycle();
    expect(s.error).toBeUndefined();
    expect([s.markets, s.validated, s.orders.length]).toEqual([1, 0, 0]);
    const why = app.control.why(T);
    expect(why.ok && why.value.decision).toMatchObject({ layer: 3, outcome: 'rejected' });
    expect(why.ok && why.value.decision?.reason).toMatch(/^exchange shard 0( \(.+\))? has trading paused$/);
    expect(messagesOf(app, 'error').filter((m) => m.includes('not trading'))).toHaveLength(1);
    // An order that gets to the exchange anyway (an approval tap, say) is refused and costs nothing.
    const r = await app.executor.execute(buyYes(T));
    expect(r).toMatchObject({ kind: 'rejected', status: 400, reason: 'trading_is_paused' });
    expect(w!.sim.ordersSnapshot()).toHaveLength(0);
    expect(app.journal.orders.atRiskE4(DAY0)).toBe(0);
    checkBooks(app);
    w!.sim.setTradingActive(true);
    await tradesCleanly(app);
    expect(alertsOf(app, 'error').filter((a) => String(a.message).includes('not trading'))).toHaveLength(1);
  });
});

describe('refusals on create: journaled as rejected, nothing counted against the cap, the next cycle is fine', () => {
  it.each([
    { fixture: 'orders__insufficient_balance', status: 400, code: 'insufficient_balance' },
    { fixture: 'orders__invalid_price_structure', status: 400, code: 'invalid_price' },
    // A skew that hits only the create (the recorded stale-timestamp body): a definite refusal too.
    { fixture: 'auth__skew_minus30s', status: 401, code: 'header_timestamp_expired' },
  ])('$code ($status, recorded body)', async ({ fixture, status, code }) => {
    const app = await setup();
    w!.sim.inject({ kind: 'reply', status, body: readFixture(fixture), count: 1, method: 'POST', pathIncludes: CREATE });
    const s = await app.runCycle();
    expect(s.error).toBeUndefined();
    expect(statusesOf(s)).toEqual([[T, 'rejected']]);
    expect(route('POST /portfolio/events/orders')).toBe(1); // a definite refusal is not retried
    expect(rowsOf(app)).toMatchObject([{ state: 'rejected', final: 1, error: code, exchange_order_id: null, filled_e2: 0 }]);
    expect(app.journal.orders.atRiskE4(DAY0)).toBe(0);
    expect(w!.sim.ordersSnapshot()).toHaveLength(0);
    const why = app.control.why(T);
    expect(why.ok && why.value.decision?.reason).toBe(`order rejected: ${code}`);
    checkBooks(app);
    await tradesCleanly(app);
    expect(app.journal.orders.atRiskE4(DAY0)).toBe(takenOn(DAY0) + roundingOf(app));
  });
});
