// The adaptive plan loses no market and doubles none. Over real HTTP: a simulated universe whose created times are
// badly skewed (a burst of thousands in ten minutes, an old tail over a year) is scanned cold, so long windows are
// split while they run, then again planned from what the first scan learned; both must hold exactly the set a
// sequential cursor walk returns. A loopback exchange whose listing is not newest first must make the scan stop
// splitting and resume what it stopped: still every market, once.
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { KalshiClient } from '../../src/kalshi/client.js';
import { hydrateUniverse } from '../../src/kalshi/hydrate.js';
import { makeRng } from '../../src/sim/prng.js';
import { startSimExchange, type SimExchange } from '../../src/sim/index.js';
import { FIXTURES_DIR } from '../support/fixtures.js';

const T0 = Date.parse('2026-11-25T15:00:00Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

let sim: SimExchange | undefined;
let client: KalshiClient | undefined;
let server: Server | undefined;

afterEach(async () => {
  client?.close();
  await sim?.close();
  if (server) {
    const s = server;
    await new Promise<void>((resolve) => {
      s.closeAllConnections();
      s.close(() => resolve());
    });
  }
  sim = undefined;
  client = undefined;
  server = undefined;
});

/** Every open, non-combo ticker by one sequential cursor walk (the baseline the scan must match). */
async function walked(c: KalshiClient): Promise<string[]> {
  const out = new Set<string>();
  for await (const page of c.marketPages({ status: 'open', limit: 1000 })) for (const m of page.markets) if (m.status === 'active' && !m.isCombo) out.add(m.ticker);
  return [...out].sort();
}

describe('adaptive windows against a skewed universe', () => {
  it('cold: long windows are split while they run; planned: one page a window; both exactly the walked set', async () => {
    sim = await startSimExchange({ markets: 1500, seed: 3, clock: () => T0, rateLimit: false });
    const rand = makeRng(99);
    // 2500 markets created within ten minutes three days ago, several per second (whole events at once)...
    for (let i = 0; i < 2500; i++) {
      sim.addMarket({ ticker: `KXBURST-26NOV27-M${i}`, yesBidCents: 40, yesAskCents: 45, createdMs: T0 - 3 * DAY + Math.floor(rand() * 600) * 1000 });
    }
    // ...and 400 over the year before the generated ones.
    for (let i = 0; i < 400; i++) sim.addMarket({ ticker: `KXOLD-26DEC31-M${i}`, yesBidCents: 40, yesAskCents: 45, createdMs: T0 - 100 * DAY - Math.floor(rand() * 300) * DAY });
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const keyId = randomUUID();
    sim.registerKey(keyId, publicKey.export({ type: 'spki', format: 'pem' }).toString());
    // Paced by the client's own bucket as ever, but a generous one: this test is about the plan, not the pace.
    client = new KalshiClient({ baseUrl: sim.baseUrl, keyId, privateKey, clock: () => T0, tier: 'prime' });
    const expected = await walked(client);
    expect(expected).toHaveLength(1500 + 2500 + 400);

    const cold = await hydrateUniverse(client, { nowMs: T0, streams: 6, pageLimit: 100 });
    expect(cold.planned).toBe('prior');
    expect(cold.splits).toBeGreaterThan(0); // the burst's window was split while it ran
    expect(cold.ordered).toBe(true);
    expect(cold.table.size).toBe(expected.length);
    expect([...cold.table.tickers].sort()).toEqual(expected);

    const planned = await hydrateUniverse(client, { nowMs: T0 + 60_000, streams: 6, pageLimit: 100, profile: cold.profile });
    expect(planned.planned).toBe('profile');
    expect([...planned.table.tickers].sort()).toEqual(expected);
    // The burst's seconds hold up to ~10 markets each: windows are cut between seconds, ~97 markets apiece.
    expect(planned.pages).toBeLessThanOrEqual(Math.ceil(expected.length / 90) + 2);
    expect(planned.pages).toBeLessThan(cold.pages);
  });
});

/**
 * A minimal exchange on loopback that lists `records` in the given order, with Kalshi's created-time filters
 * (inclusive whole seconds), limit and an offset cursor; `delayMs` says how long a query's pages take.
 */
function listingServer(records: Array<Record<string, unknown>>, delayMs: (q: URLSearchParams) => number = () => 0): Promise<string> {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const q = url.searchParams;
    const min = q.get('min_created_ts');
    const max = q.get('max_created_ts');
    const inRange = records.filter((r) => {
      const s = Math.floor(Date.parse(String(r.created_time)) / 1000);
      return (min === null || s >= Number(min)) && (max === null || s <= Number(max));
    });
    const from = Number(q.get('cursor') || 0);
    const limit = Number(q.get('limit') || 100);
    const page = inRange.slice(from, from + limit);
    const body = JSON.stringify({ markets: page, cursor: from + limit < inRange.length ? String(from + limit) : '' });
    setTimeout(() => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    }, delayMs(q));
  });
  const s = server;
  return new Promise((resolve) => s.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(s.address() as AddressInfo).port}/trade-api/v2`)));
}

describe('a listing that is not newest first', () => {
  const fixture = (JSON.parse(readFileSync(`${FIXTURES_DIR}/markets__single.json`, 'utf8')) as { market: Record<string, unknown> }).market;
  const market = (i: number, createdMs: number) => ({ ...fixture, ticker: `KXL-26NOV27-M${i}`, event_ticker: 'KXL-26NOV27', created_time: new Date(createdMs).toISOString() });
  // 600 markets, one a minute over the last ten hours, newest first.
  const newestFirst = Array.from({ length: 600 }, (_, i) => market(i, T0 - 60_000 * (i + 1)));

  it('shuffled: no window is split, and every market arrives once', async () => {
    const rand = makeRng(7);
    const shuffled = [...newestFirst].sort(() => rand() - 0.5);
    client = new KalshiClient({ baseUrl: await listingServer(shuffled), tier: 'prime' });
    const r = await hydrateUniverse(client, { nowMs: T0, streams: 3, pageLimit: 25 });
    expect(r.ordered).toBe(false);
    expect(r.profile.ordered).toBe(false);
    expect(r.splits).toBe(0);
    expect([...r.table.tickers].sort()).toEqual(newestFirst.map((m) => m.ticker).sort());
  });

  it('out of order only where it is seen late: the walkers stopped at a split are resumed, every market arrives once', async () => {
    // 400 in order over the last ten hours, and 40 from six weeks ago listed in no order, whose pages come slowly:
    // the recent window is split (in order so far) and its walker stops at the split before the disorder is seen.
    const rand = makeRng(8);
    const old = Array.from({ length: 40 }, (_, i) => market(1000 + i, T0 - 42 * DAY - 60_000 * i)).sort(() => rand() - 0.5);
    const records = [...newestFirst.slice(0, 400), ...old];
    const slowBefore = Math.floor((T0 - 30 * DAY) / 1000);
    const url = await listingServer(records, (q) => (Number(q.get('max_created_ts') ?? Number.POSITIVE_INFINITY) < slowBefore ? 1500 : 15));
    client = new KalshiClient({ baseUrl: url, tier: 'prime' });
    const r = await hydrateUniverse(client, { nowMs: T0, streams: 3, pageLimit: 20 });
    expect(r.splits).toBeGreaterThan(0);
    expect(r.ordered).toBe(false);
    expect(r.resumed).toBeGreaterThan(0);
    expect([...r.table.tickers].sort()).toEqual(records.map((m) => m.ticker).sort());
    expect(r.table.size).toBe(440);
  });
});
