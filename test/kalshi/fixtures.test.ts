// Every recorded Kalshi response must parse through its schema. Driven by the directory listing:
// a new fixture without an entry below fails, so nothing recorded goes unchecked.
import { FIXTURES_DIR } from '../support/fixtures.js';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { KalshiApiError, parseErrorBody } from '../../src/kalshi/errors.js';
import { compileCosts, DEFAULT_COST, endpointCost, ENDPOINT_COSTS, TIER_LIMITS } from '../../src/kalshi/ratelimit.js';
import * as S from '../../src/kalshi/schemas.js';

const DIR = FIXTURES_DIR;

interface Meta {
  method?: string;
  path: string;
  status: number;
}

type Check = { schema: z.ZodType; expect?: (out: any) => void };

const market = (m: S.Market) => {
  expect(m.ticker).toBe('KXWTACHALLENGERMATCH-26JUN11JIMLEP-LEP');
  expect(m.eventTicker).toBe('KXWTACHALLENGERMATCH-26JUN11JIMLEP');
  expect(m.yesAskE4).toBe(5200);
  expect(m.yesBidE4).toBe(4700);
  expect(m.yesAskSizeE2).toBe(300);
  expect(m.volume24hE2).toBe(100);
  expect(m.status).toBe('active');
  expect(m.createdMs).toBe(Date.parse('2026-06-11T05:12:22.338Z'));
  expect(m.settlesMs).toBe(Date.parse('2026-06-11T19:00:00Z'));
  expect(m.isCombo).toBe(false);
  expect(m.exchangeIndex).toBe(0);
  // Only the fields the app uses are kept (the listing holds 120,000+ of these).
  expect(Object.keys(m).sort()).toEqual(
    ['createdMs', 'eventTicker', 'exchangeIndex', 'isCombo', 'settlesMs', 'status', 'ticker', 'title', 'volume24hE2', 'yesAskE4', 'yesAskSizeE2', 'yesBidE4', 'yesBidSizeE2'].sort(),
  );
};

const balance = (b: z.output<typeof S.Balance>) => {
  expect(b.balanceE4).toBe(980_100);
  expect(b.balanceExactE4).toBe(980_186);
  expect(b.portfolioValueE4).toBe(19_800);
};

const fullPage = (n: number, cursorless = false) => (p: S.MarketsPage) => {
  expect(p.markets).toHaveLength(n);
  expect(p.skipped).toBe(0);
  if (cursorless) expect(p.cursor).toBeNull();
  else expect(p.cursor).toMatch(/^Cg/);
};

const createResponse = (r: S.CreateOrderResponse) => {
  expect(r.fillCountE2).toBe(100);
  expect(r.remainingCountE2).toBe(0);
  expect(r.averageFillPriceE4).toBe(5200);
  expect(r.averageFeePaidE4).toBe(175);
  expect(r.tsMs).toBeGreaterThan(1_781_159_000_000);
};

const restingOrder = (o: S.Order) => {
  expect(o.orderId).toMatch(/-/);
  expect(o.bookSide).toBe('bid');
  expect(o.outcomeSide).toBe('yes');
  expect(o.yesPriceE4).toBe(100);
  expect(o.noPriceE4).toBe(9900);
  expect(o.initialCountE2).toBe(100);
  expect(o.fillCountE2).toBe(0);
};

const OK: Record<string, Check> = {
  account__endpoint_costs: {
    schema: S.EndpointCosts,
    expect: (c) => {
      // The built-in cost table is this fixture, paths relative to /trade-api/v2.
      expect(c.defaultCost).toBe(DEFAULT_COST);
      const mine = ENDPOINT_COSTS.map((e) => `${e.method} /trade-api/v2${e.path} ${e.cost}`).sort();
      const wire = c.costs.map((e: { method: string; path: string; cost: number }) => `${e.method} ${e.path} ${e.cost}`).sort();
      expect(mine).toEqual(wire);
      for (const e of c.costs) {
        const concrete = e.path.replace(/:[a-z_]+/g, 'abc-123').replace(/\*endpoint/, 'x/y');
        expect(endpointCost(e.method, concrete, compileCosts(c.costs))).toBe(e.cost);
      }
    },
  },
  account__limits: {
    schema: S.AccountLimits,
    expect: (l) => {
      expect(l.tier).toBe('basic');
      expect(l.read).toEqual(TIER_LIMITS.basic.read);
      expect(l.write).toEqual(TIER_LIMITS.basic.write);
    },
  },
  auth__balance_alt_host: { schema: S.Balance, expect: balance },
  auth__balance_ok: { schema: S.Balance, expect: balance },
  auth__skew_minus5s: { schema: S.Balance, expect: balance },
  auth__skew_plus5s: { schema: S.Balance, expect: balance },
  exchange__status: { schema: S.ExchangeStatus, expect: (s) => expect(s).toEqual({ exchangeActive: true, tradingActive: true, estimatedResumeMs: null, shards: [] }) },
  fills__after_taker: {
    schema: S.FillsPage,
    expect: (p) => {
      expect(p.cursor).toBeNull();
      expect(p.fills).toHaveLength(3);
      const f = p.fills[0];
      expect(f.feeE4).toBe(175);
      expect(f.yesPriceE4).toBe(5200);
      expect(f.noPriceE4).toBe(4800);
      expect(f.countE2).toBe(100);
      expect(f.isTaker).toBe(true);
      expect(f.ticker).toBe('KXWTACHALLENGERMATCH-26JUN11JIMLEP-LEP');
      expect(p.fills[1].feeE4).toBe(7);
    },
  },
  markets__garbage_cursor: { schema: S.MarketsPage, expect: fullPage(5) },
  markets__page1: { schema: S.MarketsPage, expect: fullPage(5) },
  markets__unauth_list: { schema: S.MarketsPage, expect: fullPage(2) },
  markets__status_open: {
    schema: S.MarketsPage,
    expect: (p: S.MarketsPage) => {
      fullPage(200)(p);
      expect(p.markets.some((m) => m.isCombo)).toBe(true);
      expect(p.markets.every((m) => m.status === 'active')).toBe(true);
    },
  },
  markets__single_filter_lastpage: {
    schema: S.MarketsPage,
    expect: (p: S.MarketsPage) => {
      fullPage(1, true)(p);
      market(p.markets[0]!);
    },
  },
  markets__single: { schema: S.MarketResponse, expect: market },
  markets__unauth_single: { schema: S.MarketResponse, expect: market },
  orderbook__base: {
    schema: S.OrderbookResponse,
    expect: (b: S.Orderbook) => {
      expect(b.yesBids).toEqual([{ priceE4: 4700, countE2: 300 }]);
      expect(b.noBids).toEqual([{ priceE4: 4800, countE2: 300 }]);
      expect(b.yesAskE4).toBe(5200);
      expect(b.noAskE4).toBe(5300);
    },
  },
  orders__cancel_v2: {
    schema: S.CancelResponse,
    expect: (c) => expect(c).toEqual({ orderId: '2597b999-f887-4195-8bac-c3f97a1f2021', clientOrderId: null, reducedByE2: 100, tsMs: 1781159364112 }),
  },
  orders__create_v2_taker_ioc: { schema: S.CreateOrderResponse, expect: createResponse },
  orders__settlement_seed: { schema: S.CreateOrderResponse, expect: createResponse },
  orders__get_after_cancel: {
    schema: S.OrderResponse,
    expect: (o) => {
      restingOrder(o);
      expect(o.status).toBe('resting');
      expect(o.isTerminal).toBe(false);
      expect(o.clientOrderId).toBe('4a75a66e-ca85-4187-93cd-aac5e01ad982');
    },
  },
  orders__legacy_create: { schema: S.OrderResponse, expect: restingOrder },
  orders__legacy_cancel: {
    schema: S.LegacyCancelResponse,
    expect: (r) => {
      expect(r.order.status).toBe('canceled');
      expect(r.reducedByE2).toBe(100);
    },
  },
  portfolio__positions: {
    schema: S.PositionsPage,
    expect: (p) => {
      expect(p.cursor).toBeNull();
      expect(p.positions).toEqual([
        {
          ticker: 'KXWTACHALLENGERMATCH-26JUN11JIMLEP-LEP',
          positionE2: 300,
          exposureE4: 25_000,
          realizedPnlE4: 0,
          feesPaidE4: 189,
          totalTradedE4: 25_000,
          restingOrdersCount: 0,
          exchangeIndex: null,
        },
      ]);
    },
  },
  series__fee_changes: { schema: S.SeriesFeeChanges, expect: (a) => expect(a).toEqual({ changes: [], skipped: 0 }) },
  settlements__end_of_session: { schema: S.SettlementsPage, expect: (p) => expect(p).toEqual({ settlements: [], cursor: null }) },
  settlements__page: { schema: S.SettlementsPage, expect: (p) => expect(p).toEqual({ settlements: [], cursor: null }) },
  trades__public_recorded: {
    schema: S.TradesPage,
    expect: (p) => {
      expect(p.skipped).toBe(0);
      expect(p.trades.length).toBeGreaterThan(5);
      expect(p.trades[0]).toMatchObject({ ticker: 'KXPGATOUR-USO26-JDAY', countE2: 777, yesPriceE4: 300, noPriceE4: 9700, takerBookSide: 'bid' });
      expect(p.cursor).not.toBeNull();
    },
  },
};

/** Error bodies: expected code (and details where the wire has them). */
const ERR: Record<string, { code: string; details?: string }> = {
  auth__bad_signature: { code: 'authentication_error', details: 'INCORRECT_API_KEY_SIGNATURE' },
  auth__unknown_key_id: { code: 'authentication_error', details: 'NOT_FOUND' },
  auth__missing_signature_header: { code: 'signature_is_missing_from_headers' },
  auth__skew_minus30s: { code: 'header_timestamp_expired' },
  auth__skew_minus5min: { code: 'header_timestamp_expired' },
  auth__skew_plus5min: { code: 'header_timestamp_expired' },
  markets__limit_over_max: { code: 'bad_request' },
  orders__cancel_already_canceled: { code: 'not_found' },
  orders__cancel_executed: { code: 'not_found' },
  orders__cancel_unknown_id: { code: 'not_found' },
  orders__duplicate_client_order_id: { code: 'order_already_exists' },
  orders__reuse_canceled_client_id: { code: 'order_already_exists' },
  orders__insufficient_balance: { code: 'insufficient_balance' },
  orders__invalid_price_structure: { code: 'invalid_price' },
  orders__post_only_cross: { code: 'invalid_order', details: 'post only cross' },
  orders__numeric_field_types: { code: 'bad_request', details: 'json: cannot unmarshal number into Go struct field CreateOrderV2Request.count of type string' },
};

const files = readdirSync(DIR).filter((f) => (f.endsWith('.json') && !f.endsWith('.meta.json')) || f.endsWith('.jsonl'));

describe('recorded fixtures', () => {
  it('the directory holds fixtures', () => expect(files.length).toBeGreaterThan(40));

  for (const file of files) {
    const name = file.replace(/\.jsonl?$/, '');
    it(`${name} parses`, () => {
      const raw = readFileSync(join(DIR, file), 'utf8');
      if (file.endsWith('.jsonl')) {
        const frames = raw.split('\n').filter((l) => l.trim() !== '');
        expect(frames.length).toBeGreaterThan(0);
        for (const line of frames) S.WsMessage.parse(JSON.parse(line));
        return;
      }
      const meta = JSON.parse(readFileSync(join(DIR, `${name}.meta.json`), 'utf8')) as Meta;
      if (meta.status >= 400) {
        const want = ERR[name];
        expect(want, `no error expectation for ${name}`).toBeDefined();
        const err = KalshiApiError.fromResponse(meta.status, raw, meta.method ?? 'GET', meta.path);
        expect(err.status).toBe(meta.status);
        expect(err.code).toBe(want!.code);
        if (want!.details !== undefined) expect(err.details).toBe(want!.details);
        expect(err.message).toContain(want!.code);
        return;
      }
      const check = OK[name];
      expect(check, `no schema mapped for fixture ${name}`).toBeDefined();
      const out = check!.schema.parse(JSON.parse(raw));
      check!.expect?.(out);
    });
  }
});

describe('error body shapes', () => {
  it.each([
    ['{"error":{"code":"not_found","message":"not found","service":"exchange"}}', 'not_found', 'not found'],
    ['{"error":{"code":"not_found","message":"not found"}}', 'not_found', 'not found'], // since 2026-08-06: no service
    ['{"code":"bad_request","message":"bad request","details":"x"}', 'bad_request', 'bad request'],
    ['{"msg":"Parameter validation failed"}', 'bad_request', 'Parameter validation failed'],
    ['{"error":"too many requests"}', 'too_many_requests', 'too many requests'],
    ['<html>502 Bad Gateway</html>', 'unknown', '<html>502 Bad Gateway</html>'],
    ['', 'unknown', 'no error body'],
  ])('%s', (body, code, message) => {
    const info = parseErrorBody(body);
    expect(info.code).toBe(code);
    expect(info.message).toBe(message);
  });

  it('a 429 is retryable, a 400 is not', () => {
    expect(KalshiApiError.fromResponse(429, '{"error":"too many requests"}', 'GET', '/markets').retryable).toBe(true);
    expect(KalshiApiError.fromResponse(400, '{"msg":"x"}', 'GET', '/markets').retryable).toBe(false);
  });
});

describe('tolerant pages', () => {
  const page = JSON.parse(readFileSync(join(DIR, 'markets__page1.json'), 'utf8')) as { markets: Array<Record<string, unknown>>; cursor: string };

  it('a malformed market record is skipped and counted, the rest kept', () => {
    const bad = structuredClone(page);
    bad.markets[1]!.yes_ask_dollars = 0.52; // a number: the pre-2026 shape
    delete bad.markets[3]!.ticker;
    bad.markets.push(null as never, 'junk' as never);
    const p = S.MarketsPage.parse(bad);
    expect(p.markets).toHaveLength(3);
    expect(p.skipped).toBe(4);
    expect(p.cursor).toBe(page.cursor);
  });

  it.each([[''], [null], [undefined]])('cursor %s means no more pages', (cursor) => {
    const p = S.MarketsPage.parse({ markets: [], ...(cursor === undefined ? {} : { cursor }) });
    expect(p.cursor).toBeNull();
  });

  it('unknown fields are ignored and removed fields never read', () => {
    const m = { ...page.markets[0]!, brand_new_field: { x: 1 }, yes_ask: 99, volume_24h: 12345 };
    const p = S.MarketsPage.parse({ markets: [m] });
    expect(p.markets[0]!.yesAskE4).toBe(0);
    expect(p.markets[0]!.volume24hE2).toBe(0);
  });

  it('series fee multiplier becomes an integer e4', () => {
    const r = S.SeriesList.parse({
      series: [
        { ticker: 'KXA', title: 'A', category: 'Sports', fee_type: 'quadratic', fee_multiplier: 1 },
        { ticker: 'KXB', title: 'B', category: 'Economics', fee_type: 'quadratic_with_maker_fees', fee_multiplier: 0.5, tags: ['x'] },
        { ticker: '', category: 'bad' },
      ],
    });
    expect(r.skipped).toBe(1);
    expect(r.series.map((s) => [s.ticker, s.category, s.feeType, s.feeMultiplierE4])).toEqual([
      ['KXA', 'Sports', 'quadratic', 10_000],
      ['KXB', 'Economics', 'quadratic_with_maker_fees', 5_000],
    ]);
  });

  it('a negative position and P&L stay signed', () => {
    const p = S.PositionWire.parse({ ticker: 'T', position_fp: '-3.00', market_exposure_dollars: '1.5000', realized_pnl_dollars: '-0.250000', fees_paid_dollars: '0.0100' });
    expect(p.positionE2).toBe(-300);
    expect(p.realizedPnlE4).toBe(-2500);
  });

  it('a settlement turns integer cents into e4', () => {
    const s = S.SettlementWire.parse({ ticker: 'T', market_result: 'yes', yes_count_fp: '3.00', no_count_fp: '0.00', revenue: 300, fee_cost: '0.0200', settled_time: '2026-06-11T20:00:00Z' });
    expect(s).toMatchObject({ revenueE4: 30_000, yesCountE2: 300, feeE4: 200 });
  });
});
