// Layer 1 over real sockets: hydrateUniverse against the simulated exchange (signed requests),
// and against a tiny loopback server that loops its cursor forever.
import { FIXTURES_DIR } from '../support/fixtures.js';
import { makeRng } from '../../src/sim/prng.js';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { KalshiClient } from '../../src/kalshi/client.js';
import { type CreatedProfile, hydrateUniverse, planFromProfile, planWindows, profileCount, type HydrateProgress, type Window } from '../../src/kalshi/hydrate.js';
import { startSimExchange, type SimExchange } from '../../src/sim/index.js';

const MARKETS = 3000;

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

async function setup(markets = MARKETS) {
  // Default combos (10%) and default leakClosed (0.1%): the listing carries both kinds of noise.
  sim = await startSimExchange({ markets, seed: 11 });
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyId = randomUUID();
  sim.registerKey(keyId, publicKey.export({ type: 'spki', format: 'pem' }).toString());
  client = new KalshiClient({ baseUrl: sim.baseUrl, keyId, privateKey, tier: 'basic', baseDelayMs: 5, maxDelayMs: 20 });
  return { sim, client };
}

function sortedTickers(r: { table: { tickers: readonly string[] } }): string[] {
  return [...r.table.tickers].sort();
}

describe('hydrateUniverse over the simulated exchange', () => {
  it('returns every open non-combo market exactly once with 8 streams, and reports progress', async () => {
    const { sim, client } = await setup();
    const expected = [...sim.openMarketTickers()].sort();
    expect(expected.length).toBe(MARKETS);

    const reports: HydrateProgress[] = [];
    const r = await hydrateUniverse(client, { streams: 8, pageLimit: 250, onProgress: (p) => reports.push({ ...p }) });

    const got = sortedTickers(r);
    expect(new Set(got).size).toBe(got.length); // each ticker once
    expect(got).toEqual(expected);
    expect(r.table.markets().some((m) => m.ticker.startsWith('KXMVE'))).toBe(false);
    expect(r.planned).toBe('prior');
    // Default leakClosed = floor(3000 * 0.001) closed markets leak into the open listing and are dropped.
    expect(r.leaked).toBe(Math.floor(MARKETS * 0.001));
    expect(r.skipped).toBe(0);
    expect(r.repeatedCursors).toBe(0);
    // 8 planned windows, plus those split off long ones while running.
    expect(r.windows).toBe(8 + r.splits);
    expect(r.streams).toBe(8);
    // 3000 markets at 250 per page cannot come in fewer than 12 pages.
    expect(r.pages).toBeGreaterThanOrEqual(Math.ceil(MARKETS / 250));
    expect(r.listed).toBe(MARKETS + r.leaked + r.duplicates);

    expect(reports.length).toBeGreaterThan(0);
    const last = reports.at(-1)!;
    expect(last.streams).toBe(r.windows);
    expect(last.streamsDone).toBe(last.streams);
    expect(last.markets).toBe(expected.length);
    expect(last.pages).toBe(r.pages);
    // Progress is monotone in pages and streams done.
    for (let i = 1; i < reports.length; i++) {
      expect(reports[i]!.pages).toBeGreaterThanOrEqual(reports[i - 1]!.pages);
      expect(reports[i]!.streamsDone).toBeGreaterThanOrEqual(reports[i - 1]!.streamsDone);
    }
  });

  it('planned from a previous scan: about a page a window, and still the whole universe exactly once', async () => {
    const { sim, client } = await setup();
    const first = await hydrateUniverse(client, { streams: 8, pageLimit: 200 });
    expect(first.profile.createdS.length).toBe(MARKETS);
    expect(first.profile.ordered).toBe(true);

    // A market of a new event opens between the scans.
    sim.addMarket({ ticker: 'KXNEWEV-26DEC03-A', yesBidCents: 40, yesAskCents: 42 });
    const r = await hydrateUniverse(client, { streams: 8, pageLimit: 200, profile: first.profile, previousEvents: first.table.eventNames() });
    expect(r.planned).toBe('profile');
    expect(sortedTickers(r)).toEqual([...sim.openMarketTickers()].sort());
    // The events carried over from the last scan's table (in another order there): each row's event is its own.
    for (let i = 0; i < r.table.size; i++) {
      const j = first.table.row(r.table.tickers[i]!);
      expect(r.table.eventTicker(i)).toBe(j === undefined ? 'KXNEWEV-26DEC03' : first.table.eventTicker(j));
    }
    expect(new Set(r.table.events).size).toBe(r.table.events.length);
    expect(r.repeatedCursors).toBe(0);
    // 3000 markets at 200 a page: 15 pages at least; planned windows fill ~97% of one, the newest half of one.
    expect(r.pages).toBeGreaterThanOrEqual(15);
    expect(r.pages).toBeLessThanOrEqual(19);
    expect(r.windows).toBe(r.pages); // one request each: no cursor chains
    expect(r.splits).toBe(0);
  });

  it('skips and counts malformed records; the rest still arrive', async () => {
    const { sim, client } = await setup();
    const expected = [...sim.openMarketTickers()].sort();
    sim.inject({ kind: 'malformed', count: 3 });

    const r = await hydrateUniverse(client, { streams: 8 });
    expect(r.skipped).toBe(3);
    const got = new Set(r.table.tickers);
    expect(got.size).toBe(r.table.size);
    // The 3 corrupted records may be open markets (lost) or leaked/closed ones; nothing else is lost.
    const missing = expected.filter((t) => !got.has(t));
    expect(missing.length).toBeLessThanOrEqual(3);
    expect(r.table.size).toBeGreaterThanOrEqual(expected.length - 3);
    for (const t of got) expect(expected.includes(t), t).toBe(true);
  });

  it('survives injected 429 bursts and 5xx answers and still returns the full universe', async () => {
    const { sim, client } = await setup();
    const expected = [...sim.openMarketTickers()].sort();
    sim.inject({ kind: 'rate-limit', count: 5, pathIncludes: '/markets' });
    sim.inject({ kind: 'status', status: 503, count: 3, pathIncludes: '/markets' });

    const r = await hydrateUniverse(client, { streams: 8, pageLimit: 500 });
    expect(sortedTickers(r)).toEqual(expected);
    expect(r.skipped).toBe(0);
    // The faults really happened and were absorbed by retries.
    const st = client.http.stats();
    expect(st.responses429).toBe(5);
    expect(st.responses5xx).toBe(3);
    expect(st.retries).toBeGreaterThanOrEqual(8);
    expect(sim.stats().rateLimited).toBeGreaterThanOrEqual(5);
  });

  it('stops a stream whose server repeats the same cursor forever', async () => {
    const fixture = JSON.parse(readFileSync(`${FIXTURES_DIR}/markets__single.json`, 'utf8')) as { market: Record<string, unknown> };
    const record = fixture.market;
    let requests = 0;
    const cursors: Array<string | null> = [];
    server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (req.method !== 'GET' || url.pathname !== '/trade-api/v2/markets') {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { code: 'not_found', message: 'not found', details: '' } }));
        return;
      }
      requests++;
      cursors.push(url.searchParams.get('cursor'));
      const body = JSON.stringify({ markets: [record], cursor: 'SAME-CURSOR-FOREVER' });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
    const s = server;
    await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
    const port = (s.address() as AddressInfo).port;
    client = new KalshiClient({ baseUrl: `http://127.0.0.1:${port}/trade-api/v2`, baseDelayMs: 5, maxDelayMs: 20 });

    const r = await hydrateUniverse(client, { streams: 1, nowMs: Date.parse('2026-06-11T06:00:00Z') });
    expect(r.repeatedCursors).toBe(1);
    expect(r.windows).toBe(1);
    expect(r.pages).toBe(2); // first page, then the same cursor again: stop
    expect(requests).toBe(2);
    expect(cursors).toEqual([null, 'SAME-CURSOR-FOREVER']);
    expect(r.table.tickers).toEqual([record.ticker]);
    expect(r.duplicates).toBe(1); // the same record came back on the second page
  });
});

describe('planWindows', () => {
  const NOW_S = Date.parse('2026-11-25T15:00:00Z') / 1000;

  function expectContiguous(ws: Window[], streams: number) {
    expect(ws).toHaveLength(streams);
    expect(ws[0]!.min).toBeUndefined();
    expect(ws.at(-1)!.max).toBeUndefined();
    for (let i = 1; i < ws.length; i++) {
      const prevMax = ws[i - 1]!.max;
      const min = ws[i]!.min;
      expect(prevMax).toBeTypeOf('number');
      expect(min).toBeTypeOf('number');
      expect(min).toBe(prevMax! - 1); // seams overlap by design, no second can fall between two windows
    }
    for (const w of ws) if (w.min !== undefined && w.max !== undefined) expect(w.min).toBeLessThanOrEqual(w.max);
  }

  /** Index of the first window that holds t, asserting at least one does and at most two (a seam). */
  function windowOf(ws: Window[], t: number): number {
    const hits = ws.flatMap((w, i) => ((w.min === undefined || t >= w.min) && (w.max === undefined || t <= w.max) ? [i] : []));
    expect(hits.length, `t=${t}`).toBeGreaterThanOrEqual(1);
    expect(hits.length, `t=${t}`).toBeLessThanOrEqual(2);
    return hits[0]!;
  }

  it('one stream is one open-ended window', () => {
    expect(planWindows(1, NOW_S)).toEqual([{}]);
  });

  it.each([2, 3, 8, 16])('without history: %i contiguous windows over the last 90 days, overlapping only at their seams', (streams) => {
    const ws = planWindows(streams, NOW_S);
    expectContiguous(ws, streams);
    // Every second lands in a window (two at a seam), including far outside the 90 days.
    for (const t of [0, NOW_S - 200 * 86_400, NOW_S - 90 * 86_400, NOW_S - 45 * 86_400, NOW_S - 1, NOW_S, NOW_S + 86_400]) windowOf(ws, t);
    // The inner cuts lie inside the last 90 days.
    for (const w of ws.slice(1)) {
      expect(w.min!).toBeGreaterThanOrEqual(NOW_S - 90 * 86_400);
      expect(w.min!).toBeLessThanOrEqual(NOW_S);
    }
  });


  const profileOf = (createdS: number[], takenAtMs = NOW_S * 1000): CreatedProfile => ({
    createdS: Float64Array.from(createdS).sort(),
    takenAtMs,
    pageMs: null,
    ordered: true,
  });

  it('from a previous distribution: contiguous windows of at most ~97% of a page each, whatever its shape', () => {
    const rand = makeRng(12345);
    // Skewed toward the present, like the real listing (created = now - 90d * u^3), whole events created in one
    // second; and everything in the last two days (no prior could know that).
    const skewed: number[] = [];
    while (skewed.length < 20_000) {
      const t = NOW_S - Math.floor(90 * 86_400 * rand() ** 3);
      for (let k = 1 + Math.floor(rand() * 8); k > 0; k--) skewed.push(t);
    }
    const recent = Array.from({ length: 20_000 }, () => NOW_S - Math.floor(2 * 86_400 * rand()));
    for (const data of [skewed, recent]) {
      const p = profileOf(data);
      const ws = planFromProfile(p, 1000, NOW_S * 1000);
      expectContiguous(ws, ws.length);
      // Every market of the profile falls in a window, each window holds at most 970 of them (seams in both)...
      for (const t of [p.createdS[0]!, p.createdS.at(-1)!, NOW_S - 3_600]) windowOf(ws, t);
      const counts = ws.map((w) => profileCount(p, w.min, w.max));
      for (const c of counts.slice(0, -1)) expect(c).toBeLessThanOrEqual(970);
      // ...the newest leaves room for the markets created since (half a page here)...
      expect(counts.at(-1)!).toBeLessThanOrEqual(485);
      // ...and the plan is tight: about as many windows as pages of markets, most of them nearly full.
      expect(ws.length).toBeLessThanOrEqual(Math.ceil(data.length / 970) + 2);
      expect(counts.filter((c) => c >= 900).length).toBeGreaterThanOrEqual(ws.length - 3);
    }
  });

  it('the newest window leaves room for what was created since the profile was taken', () => {
    // 500 markets an hour lately: an hour after the profile, ~500 more are expected in the newest window.
    const data = Array.from({ length: 10_000 }, (_, i) => NOW_S - 36_000 + Math.floor((i * 36_000) / 10_000));
    const fresh = planFromProfile(profileOf(data), 1000, NOW_S * 1000);
    const later = planFromProfile(profileOf(data), 1000, NOW_S * 1000 + 3_600_000);
    const newest = (ws: Window[]) => profileCount(profileOf(data), ws.at(-1)!.min, undefined);
    expect(newest(fresh)).toBeLessThanOrEqual(485);
    expect(newest(later)).toBeLessThanOrEqual(970 - 270);
  });

  it('a second holding more than a page gets its own multi-page window, and the plan moves on', () => {
    const data = [...Array.from({ length: 2500 }, () => NOW_S - 5_000), ...Array.from({ length: 3000 }, (_, i) => NOW_S - 4_000 + i)];
    const p = profileOf(data);
    const ws = planFromProfile(p, 1000, NOW_S * 1000);
    expectContiguous(ws, ws.length);
    windowOf(ws, NOW_S - 5_000);
    expect(ws.length).toBeLessThanOrEqual(8);
  });

  it('an empty or tiny profile is one open-ended window', () => {
    expect(planFromProfile(profileOf([NOW_S - 10, NOW_S - 20, NOW_S - 30]), 1000, NOW_S * 1000)).toEqual([{}]);
  });

  it('without history the inner windows never widen toward now', () => {
    const ws = planWindows(8, NOW_S);
    const widths = ws.slice(1, -1).map((w) => w.max! - w.min! + 1);
    for (let i = 1; i < widths.length; i++) expect(widths[i]!).toBeLessThanOrEqual(widths[i - 1]!);
  });

});
