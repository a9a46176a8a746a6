// The compact path decides exactly like the record path. A generated universe (plus designed markets for every
// reason a layer can give) is hydrated over real HTTP into the table; the same markets are walked page by page as
// records. Layers 2-4 then run both ways under several contexts (trading, a paused shard, exclusions, exposures,
// blocked categories, approval rules, unknown fees): every decision (layer, outcome, reason text, side, price) and
// the markets that pass (in order, with their sizing) must be the same. The trail then goes through a real SQLite
// journal and /why must read back each decision.
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { KalshiClient } from '../../src/kalshi/client.js';
import { hydrateUniverse } from '../../src/kalshi/hydrate.js';
import type { Market } from '../../src/kalshi/market-schema.js';
import { MarketTable } from '../../src/kalshi/market-table.js';
import { MarketWire } from '../../src/kalshi/market-schema.js';
import { readFileSync } from 'node:fs';
import { inflateRawSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { FIXTURES_DIR } from '../support/fixtures.js';
import type { Decision } from '../../src/journal/cycles.js';
import { packNames } from '../../src/journal/decisions.js';
import { Journal } from '../../src/journal/index.js';
import { defaultSettings, type Settings } from '../../src/journal/settings.js';
import { E2_PER_CONTRACT } from '../../src/money.js';
import { bandCheck } from '../../src/rules/band.js';
import type { CalibrationLookup } from '../../src/rules/edge.js';
import { type EvaluationContext, evaluateMarket, toValidationContext } from '../../src/rules/evaluate.js';
import { DecisionColumns, ReasonTexts, Shapes, bandPass, evaluatePass, lookupRows } from '../../src/rules/table-pass.js';
import { seriesPrefix } from '../../src/rules/tickers.js';
import { startSimExchange, type SimExchange } from '../../src/sim/index.js';

const T0 = Date.parse('2026-11-25T15:00:00Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

let sim: SimExchange;
let client: KalshiClient;
let table: MarketTable;
let records: Map<string, Market>;
let dir: string;

beforeAll(async () => {
  // A frozen clock: prices do not move between the scan and the record walk.
  sim = await startSimExchange({ markets: 6000, seed: 5, clock: () => T0, rateLimit: false });
  const add = sim.addMarket.bind(sim);
  const soon = { expectedExpirationMs: T0 + 2 * DAY, closeMs: T0 + 3 * DAY, volume24h: 9000 };
  // One designed market for each reason a layer gives (the generated ones cover the common ones many times over).
  add({ ticker: 'KXD-A-SETTLED', yesBidCents: 76, yesAskCents: 78, ...soon, expectedExpirationMs: T0 - HOUR });
  add({ ticker: 'KXD-A-FAR', yesBidCents: 76, yesAskCents: 78, ...soon, expectedExpirationMs: T0 + 40 * DAY, closeMs: T0 + 41 * DAY });
  add({ ticker: 'KXD-A-THIN', yesBidCents: 76, yesAskCents: 78, ...soon, volume24h: 12 });
  add({ ticker: 'KXD-A-STALEYES', yesBidCents: 5, yesAskCents: 80, yesAskSize: 0, ...soon });
  add({ ticker: 'KXD-A-STALENO', yesBidCents: 20, yesAskCents: 95, yesBidSize: 0, yesAskSize: 0, ...soon });
  add({ ticker: 'KXD-A-EMPTY', yesBidCents: 0, yesAskCents: 100, yesBidSize: 0, yesAskSize: 0, ...soon });
  add({ ticker: 'KXD-A-NOSIDE', yesBidCents: 20, yesAskCents: 23, ...soon });
  add({ ticker: 'KXD-A-WIDE', yesBidCents: 20, yesAskCents: 78, ...soon });
  add({ ticker: 'KXSPT-A-SPORT', category: 'Sports', yesBidCents: 76, yesAskCents: 78, ...soon });
  add({ ticker: 'KXCRY-A-COIN', category: 'Crypto', yesBidCents: 76, yesAskCents: 78, ...soon });
  add({ ticker: 'KXD-A-TINY', yesBidCents: 76, yesAskCents: 78, yesAskSize: 0.5, ...soon });
  add({ ticker: 'KXNOFEE-A-X', yesBidCents: 76, yesAskCents: 78, ...soon });
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyId = randomUUID();
  sim.registerKey(keyId, publicKey.export({ type: 'spki', format: 'pem' }).toString());
  client = new KalshiClient({ baseUrl: sim.baseUrl, keyId, privateKey, clock: () => T0 });
  table = (await hydrateUniverse(client, { nowMs: T0, streams: 8 })).table;
  // The record path's input: the listing walked page by page, parsed records, open and not combos.
  records = new Map();
  for await (const page of client.marketPages({ status: 'open' })) for (const m of page.markets) if (m.status === 'active' && !m.isCombo) records.set(m.ticker, m);
  // Quotes the simulator never shows (it prints an empty side as 0 or 1): an in-band price with no size behind it,
  // and deci-cent prices. Parsed from the recorded record, added to both sides.
  const fixture = (JSON.parse(readFileSync(`${FIXTURES_DIR}/markets__single.json`, 'utf8')) as { market: Record<string, unknown> }).market;
  const wire = (ticker: string, bid: string, ask: string, bidSize: string, askSize: string) =>
    MarketWire.parse({
      ...fixture,
      ticker,
      event_ticker: 'KXQ-26NOV27',
      yes_bid_dollars: bid,
      yes_ask_dollars: ask,
      yes_bid_size_fp: bidSize,
      yes_ask_size_fp: askSize,
      volume_24h_fp: '9000.00',
      expected_expiration_time: new Date(T0 + 2 * DAY).toISOString(),
    });
  for (const m of [
    wire('KXQ-26NOV27-STALEYES', '0.0500', '0.8000', '10.00', '0.00'),
    wire('KXQ-26NOV27-STALENO', '0.2000', '0.9500', '0.00', '10.00'),
    wire('KXQ-26NOV27-DECI', '0.7630', '0.7650', '10.00', '10.00'),
    wire('KXQ-26NOV27-DECIOUT', '0.4410', '0.4450', '10.00', '10.00'),
  ]) {
    table.put(m);
    records.set(m.ticker, m);
  }
  dir = mkdtempSync(join(tmpdir(), 'kalshi-table-pass-'));
}, 60_000);

afterAll(async () => {
  client?.close();
  await sim?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Outcome {
  decisions: Map<string, Decision>;
  passed: Array<{ ticker: string; contracts: number; worstCaseE4: number; side: string; priceE4: number; approval: string | null; category: string | undefined }>;
  lookups: string[];
}

/** Layers 2-4 on records, as the cycle ran them before the compact table. */
function recordPath(markets: Market[], ctx: EvaluationContext): Outcome {
  const decisions = new Map<string, Decision>();
  const candidates: Market[] = [];
  for (const m of markets) {
    const band = bandCheck(m, ctx.settings);
    if (!band.ok) decisions.set(m.ticker, { ticker: m.ticker, layer: 2, outcome: 'rejected', reason: band.reason, side: null, priceE4: null });
    else candidates.push(m);
  }
  const horizonMs = ctx.settings.horizonDays * DAY;
  const lookups = candidates
    .filter((m) => m.settlesMs > ctx.nowMs && m.settlesMs - ctx.nowMs <= horizonMs && m.volume24hE2 >= ctx.settings.minVolume24h * E2_PER_CONTRACT)
    .map((m) => m.eventTicker);
  const vctx = toValidationContext(ctx);
  const passed: Outcome['passed'] = [];
  for (const m of candidates) {
    const ev = evaluateMarket(m, ctx, vctx);
    if (ev.pass) passed.push({ ticker: m.ticker, contracts: ev.contracts, worstCaseE4: ev.worstCaseE4, side: ev.side, priceE4: ev.priceE4, approval: ev.approval, category: ev.category });
    else decisions.set(m.ticker, { ticker: m.ticker, layer: ev.layer, outcome: 'rejected', reason: ev.reason, side: ev.side ?? null, priceE4: ev.priceE4 ?? null });
  }
  return { decisions, passed, lookups };
}

function compactPath(t: MarketTable, ctx: EvaluationContext, texts: ReasonTexts, shapes = new Shapes()): Outcome & { cols: DecisionColumns } {
  texts.use(ctx.settings);
  const cols = new DecisionColumns(t.size, texts);
  const side = new Uint8Array(t.size);
  const price = new Int32Array(t.size);
  const candidates = bandPass(t, ctx.settings, cols, side, price);
  const lookups = Array.from(lookupRows(t, candidates, { nowMs: ctx.nowMs, ...ctx.settings }), (i) => t.eventTicker(i));
  const passed = evaluatePass(t, candidates, side, price, ctx, toValidationContext(ctx), cols, shapes).map(({ m, ev }) => ({
    ticker: m.ticker,
    contracts: ev.contracts,
    worstCaseE4: ev.worstCaseE4,
    side: ev.side,
    priceE4: ev.priceE4,
    approval: ev.approval,
    category: ev.category,
  }));
  const decisions = new Map<string, Decision>();
  for (let i = 0; i < t.size; i++) {
    const d = cols.decision(i, t.tickers[i]!);
    if (d) decisions.set(d.ticker, d);
  }
  return { decisions, passed, lookups, cols };
}

/** A calibration that says contracts bought at 75c or more win `realizedE4` of the time, +-2% (and knows nothing below). */
function calibrated(realizedE4: number): CalibrationLookup {
  return {
    cellFor: (side, priceE4) =>
      priceE4 >= 7_500 ? { side, loE4: 7_500, hiE4: 8_700, n: 900, events: 600, realizedE4, ciLowE4: realizedE4 - 200, ciHighE4: realizedE4 + 200 } : null,
  };
}

function contexts(): Array<{ name: string; ctx: EvaluationContext }> {
  const base = defaultSettings(loadConfig({ KALSHI_ENV: 'sim' }));
  const categories = new Map<string, string>([...sim.openMarketTickers().map((t) => [seriesPrefix(t), 'Economics'] as [string, string])]);
  categories.set('KXSPT', 'Sports');
  categories.set('KXCRY', 'Crypto');
  categories.delete('KXD'); // some categories unknown
  const held = [...records.keys()].filter((_, i) => i % 97 === 0);
  const make = (name: string, settings: Settings, over: Partial<EvaluationContext> = {}) => ({
    name,
    ctx: {
      nowMs: T0,
      tradingActive: true,
      shardClosed: () => null,
      settings,
      excluded: new Set(settings.excludedCategories.map((c) => c.toLowerCase())),
      approvalRules: { approvalAboveCostE4: 40_000, approvalCategories: new Set(['crypto']) },
      categoryOf: (e: string) => categories.get(seriesPrefix(e)),
      feeOf: (e: string) => (e.startsWith('KXNOFEE') ? null : { feeType: e.length % 3 === 0 ? 'quadratic_with_maker_fees' : 'quadratic', multiplierE4: e.charCodeAt(e.length - 1) % 2 ? 10_000 : 20_000 }),
      exposureE2: (t: string) => (held.includes(t) ? 70_000 : t.length % 5 === 0 ? 69_950 : 0),
      blocked: (_m: Market, category: string | undefined) => (category === 'Sports' ? 'category Sports refused by the exchange today (403 forbidden); tried again tomorrow' : null),
      ...over,
    } satisfies EvaluationContext,
  });
  return [
    make('defaults', base),
    make('a wide band, long horizon, low minimum volume, exclusions', {
      ...base,
      bandMinE4: 5_500,
      bandMaxE4: 9_450,
      horizonDays: 30,
      minVolume24h: 10,
      excludedCategories: ['crypto'],
    }),
    make('the exchange not trading', base, { tradingActive: false }),
    make('a paused shard', base, { tradingActive: true, shardClosed: (k) => (k === 0 ? 'exchange shard 0 (main) has trading paused' : null) }),
    // The compact pass shares one evaluation among takers of one shape: a maker (priced off its own book) is not shared.
    make('maker orders', base, { orderStyle: 'maker' }),
    make('a minimum edge', base, { minEdgeE4: 200 }),
    make('a small position limit', { ...base, positionLimit: 3 }),
    // Evaluations are kept across cycles while what they were made under holds: each context below differs from
    // the one before it in one part of that alone (and the shard's text in the last), so a part left out of what the
    // kept ones are checked against shows here.
    make('a smaller budget per trade', { ...base, maxCostPerTradeE4: 20_000 }),
    make('defaults again', base),
    make('a lower approval threshold', base, { approvalRules: { approvalAboveCostE4: 10_000, approvalCategories: new Set(['crypto']) } }),
    make('approval by another category', base, { approvalRules: { approvalAboveCostE4: 10_000, approvalCategories: new Set(['economics']) } }),
    make('a calibration', base, { calibration: calibrated(8_600), minEdgeE4: 100 }),
    make('another calibration', base, { calibration: calibrated(8_000), minEdgeE4: 100 }),
    make('a paused shard, said otherwise', base, { shardClosed: (k) => (k === 0 ? 'exchange shard 0 is not trading' : null) }),
  ];
}

describe('the compact path', () => {
  it('holds the same markets as the record walk, field for field', () => {
    expect(table.size).toBe(records.size);
    for (let i = 0; i < table.size; i++) expect(table.market(i)).toEqual(records.get(table.tickers[i]!));
  });

  it('decides exactly like the record path, in every context (and across cycles sharing its texts and evaluations)', () => {
    const texts = new ReasonTexts();
    const shapes = new Shapes();
    const inTableOrder = table.tickers.map((t) => records.get(t)!);
    const seen = new Set<string>();
    for (const round of [1, 2]) {
      for (const { name, ctx } of contexts()) {
        const want = recordPath(inTableOrder, ctx);
        const got = compactPath(table, ctx, texts, shapes);
        expect(got.decisions.size, `${name} (round ${round})`).toBe(want.decisions.size);
        for (const [ticker, d] of want.decisions) {
          expect(got.decisions.get(ticker), `${name}: ${ticker}`).toEqual(d);
          seen.add(`${d.layer} ${d.reason.replace(/[\d.]+/g, '#')}`);
        }
        expect(got.passed, name).toEqual(want.passed);
        expect(got.lookups, name).toEqual(want.lookups);
      }
    }
    // Every kind of reason came up at least once, so each was compared.
    const kinds = [...seen].join('\n');
    for (const re of [
      /^2 no size/m,
      /^2 out of band/m,
      /^2 YES ask .* in band but has no size/m,
      /^2 NO ask .* in band but has no size/m,
      /^3 exchange is not trading/m,
      /^3 exchange shard/m,
      /^3 settlement time has passed/m,
      /^3 settles in/m,
      /^3 #h volume/m,
      /^3 category unknown while exclusions are set/m,
      /^3 category Crypto is excluded/m,
      /^3 category Sports refused/m,
      /^3 position/m,
      /^3 fee rule unknown/m,
      /^4 size rounds to zero/m,
    ])
      expect(kinds).toMatch(re);
  });

  it('the trail goes through the journal and /why reads every decision back', () => {
    const dbPath = join(dir, 'trail.db');
    const journal = Journal.open(dbPath, loadConfig({ KALSHI_ENV: 'sim', DB_PATH: dbPath }));
    try {
      // The texts are kept from cycle to cycle: the cycle before this one (the exchange closed) made texts this one
      // does not use, and the trail keeps only those its rows use.
      const texts = new ReasonTexts();
      const all = contexts();
      const closed = compactPath(table, all.find((c) => c.name === 'the exchange not trading')!.ctx, texts);
      const got = compactPath(table, all.find((c) => c.name === 'defaults')!.ctx, texts);
      expect(got.cols.reasons.length).toBeGreaterThan(new Set([...got.decisions.values()].map((d) => d.reason)).size);
      expect(closed.cols.reasons).toContain('exchange is not trading');
      journal.cycles.replaceTrail(7, packNames(table.tickerText()), got.cols);
      for (const [ticker, d] of [...got.decisions].filter((_, i) => i % 50 === 0)) {
        expect(journal.cycles.decision(ticker.toLowerCase())).toEqual({ ...d, cycleId: 7 });
      }
      const raw = new Database(dbPath, { readonly: true });
      const stored = JSON.parse((raw.prepare('SELECT reasons FROM decision_trail').get() as { reasons: string }).reasons) as string[];
      raw.close();
      expect(new Set(stored)).toEqual(new Set([...got.decisions.values()].map((d) => d.reason)));
      expect(stored).toHaveLength(new Set(stored).size);
      // A market that passed every layer has no decision until layer 4 gives it one.
      const passed = got.passed[0]!.ticker;
      expect(journal.cycles.decision(passed)).toBeUndefined();
      got.cols.set(table.row(passed)!, { layer: 4, outcome: 'passed', reason: 'passed every layer; paused, so no order was sent', side: 'yes', priceE4: 7800 });
      journal.cycles.replaceTrail(8, table.tickers, got.cols);
      expect(journal.cycles.decision(passed)).toMatchObject({ cycleId: 8, layer: 4, outcome: 'passed', side: 'yes', priceE4: 7800 });
      expect(journal.cycles.decision('KX-NO-SUCH-MARKET')).toBeUndefined();
    } finally {
      journal.close();
    }
  });

  it('the trail is stored compactly, and a trail written before migration 009 (rows not deflated) still reads back', () => {
    const dbPath = join(dir, 'trail-format.db');
    const journal = Journal.open(dbPath, loadConfig({ KALSHI_ENV: 'sim', DB_PATH: dbPath }));
    try {
      const { ctx } = contexts()[1]!;
      const got = compactPath(table, ctx, new ReasonTexts());
      journal.cycles.replaceTrail(9, packNames(table.tickerText()), got.cols);
      const raw = new Database(dbPath);
      const stored = raw.prepare('SELECT rows, rows_format FROM decision_trail').get() as { rows: Buffer; rows_format: number };
      expect(stored.rows_format).toBe(1);
      // 11 bytes a row as columns; deflated, a small share of that.
      expect(stored.rows.length).toBeLessThan((table.size * 11) / 4);
      // The old format: the columns as they are, rows_format 0 (the column's default).
      raw.prepare('UPDATE decision_trail SET rows = ?, rows_format = 0').run(inflateRawSync(stored.rows));
      raw.close();
      for (const [ticker, d] of [...got.decisions].filter((_, i) => i % 97 === 0)) {
        expect(journal.cycles.decision(ticker)).toEqual({ ...d, cycleId: 9 });
      }
    } finally {
      journal.close();
    }
  });
});
