// Layers 2-4 as pure functions: band, validation, sizing, the daily cap, the wire order.
// Markets are built from the recorded demo record through MarketWire, never by hand.
import { FIXTURES_DIR } from '../support/fixtures.js';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MarketWire, type Market, type MarketWireInput } from '../../src/kalshi/market-schema.js';
import { bandCheck, type BandSettings } from '../../src/rules/band.js';
import { wireOrderFor } from '../../src/execution/order-api.js';
import { fitUnderCap, sizeOrder, worstCaseE4 } from '../../src/rules/risk.js';
import { validateMarket, type ValidationContext } from '../../src/rules/validate.js';

const FIXTURE = (JSON.parse(readFileSync(`${FIXTURES_DIR}/markets__single.json`, 'utf8')) as { market: MarketWireInput }).market;

const NOW = Date.parse('2026-06-11T12:00:00Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** A wire record: the fixture with fields overridden (prices as the wire writes them), parsed by the schema. */
function market(over: Partial<Record<keyof MarketWireInput, unknown>> = {}): Market {
  return MarketWire.parse({ ...structuredClone(FIXTURE), ...over });
}

/** A book with the given YES bid / ask (dollar strings) and sizes, NO side consistent. */
function book(yesBid: string, yesAsk: string, bidSize = '25.00', askSize = '25.00', extra: Partial<Record<keyof MarketWireInput, unknown>> = {}): Market {
  const inv = (s: string) => (1 - Number(s)).toFixed(4);
  return market({
    yes_bid_dollars: yesBid,
    yes_ask_dollars: yesAsk,
    no_bid_dollars: inv(yesAsk),
    no_ask_dollars: inv(yesBid),
    yes_bid_size_fp: bidSize,
    yes_ask_size_fp: askSize,
    ...extra,
  });
}

const BAND: BandSettings = { bandMinE4: 7000, bandMaxE4: 8700 };

describe('the fixture parses as expected', () => {
  it('is a sane baseline', () => {
    const m = market();
    expect(m).toMatchObject({ ticker: 'KXWTACHALLENGERMATCH-26JUN11JIMLEP-LEP', status: 'active', yesBidE4: 4700, yesAskE4: 5200, yesBidSizeE2: 300, yesAskSizeE2: 300, isCombo: false });
    expect(m.settlesMs).toBe(Date.parse('2026-06-11T19:00:00Z'));
  });
});

describe('bandCheck', () => {
  it('YES ask in band -> buy YES at the ask, sized by the ask', () => {
    const r = bandCheck(book('0.7000', '0.7500', '4.00', '9.00'), BAND);
    expect(r).toEqual({ ok: true, side: 'yes', priceE4: 7500, sizeE2: 900 });
  });

  it('YES bid 0.20 -> buy NO at 0.80, sized by the YES bid', () => {
    const r = bandCheck(book('0.2000', '0.2300', '6.00', '9.00'), BAND);
    expect(r).toEqual({ ok: true, side: 'no', priceE4: 8000, sizeE2: 600 });
  });

  it('the fixture (0.47 / 0.52) is out of band on both sides', () => {
    const r = bandCheck(market(), BAND);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/out of band/);
  });

  it('an empty side is not tradable even if its price is in band', () => {
    const emptyAsk = bandCheck(book('0.7000', '0.7500', '5.00', '0.00'), BAND);
    expect(emptyAsk.ok).toBe(false);
    if (!emptyAsk.ok) expect(emptyAsk.reason).toMatch(/no size/);

    const emptyBid = bandCheck(book('0.2000', '0.2500', '0.00', '5.00'), BAND);
    expect(emptyBid.ok).toBe(false);
    if (!emptyBid.ok) expect(emptyBid.reason).toMatch(/no size/);

    // A missing size field is the same as zero.
    const noSizes = market({ yes_bid_dollars: '0.7000', yes_ask_dollars: '0.7500', yes_bid_size_fp: undefined, yes_ask_size_fp: undefined });
    expect(bandCheck(noSizes, BAND).ok).toBe(false);
  });

  it('falls through to NO when YES is in band but empty and NO is in band with size', () => {
    // Wide market: YES ask 0.75 (empty), YES bid 0.25 -> NO at 0.75 with size.
    const r = bandCheck(book('0.2500', '0.7500', '3.00', '0.00'), BAND);
    expect(r).toEqual({ ok: true, side: 'no', priceE4: 7500, sizeE2: 300 });
  });

  it('band edges are inclusive', () => {
    expect(bandCheck(book('0.6500', '0.7000'), BAND)).toMatchObject({ ok: true, side: 'yes', priceE4: 7000 });
    expect(bandCheck(book('0.8000', '0.8700'), BAND)).toMatchObject({ ok: true, side: 'yes', priceE4: 8700 });
    expect(bandCheck(book('0.1300', '0.1600'), BAND)).toMatchObject({ ok: true, side: 'no', priceE4: 8700 });
    expect(bandCheck(book('0.3000', '0.3500'), BAND)).toMatchObject({ ok: true, side: 'no', priceE4: 7000 });
    // One tick outside on either edge.
    expect(bandCheck(book('0.6500', '0.6999'), BAND).ok).toBe(false);
    expect(bandCheck(book('0.8000', '0.8701'), BAND).ok).toBe(false);
  });

  it('a 1.00 ask or 0.00 bid is no price at all', () => {
    const r = bandCheck(book('0.0000', '1.0000'), { bandMinE4: 0, bandMaxE4: 10_000 });
    expect(r.ok).toBe(false);
  });
});

describe('validateMarket', () => {
  const base = (over: Partial<ValidationContext> = {}): ValidationContext => ({
    nowMs: NOW,
    tradingActive: true,
    horizonDays: 7,
    minVolume24h: 100,
    positionLimit: 700,
    excluded: new Set<string>(),
    categoryOf: () => 'Sports',
    exposureE2: () => 0,
    ...over,
  });
  const good = (extra: Partial<Record<keyof MarketWireInput, unknown>> = {}) =>
    market({ volume_24h_fp: '250.00', expected_expiration_time: new Date(NOW + 2 * DAY).toISOString(), ...extra });

  const reason = (m: Market, ctx: ValidationContext) => {
    const r = validateMarket(m, ctx);
    expect(r.ok).toBe(false);
    return r.ok ? '' : r.reason;
  };

  it('passes a good market and reports its category', () => {
    expect(validateMarket(good(), base())).toEqual({ ok: true, category: 'Sports' });
  });

  it('rejects a market that is not active', () => {
    expect(reason(good({ status: 'closed' }), base())).toMatch(/status is closed/);
  });

  it('rejects when the exchange is not trading', () => {
    expect(reason(good(), base({ tradingActive: false }))).toMatch(/not trading/);
  });

  it('rejects past settlement (expected expiration, not close time, counts)', () => {
    expect(reason(good({ expected_expiration_time: new Date(NOW - HOUR).toISOString() }), base())).toMatch(/settlement time has passed/);
    expect(reason(good({ expected_expiration_time: new Date(NOW).toISOString() }), base())).toMatch(/passed/);
    // No expected expiration: the close time is used.
    expect(validateMarket(good({ expected_expiration_time: null, close_time: new Date(NOW + DAY).toISOString() }), base()).ok).toBe(true);
  });

  it('rejects beyond the horizon, accepts right at it', () => {
    expect(reason(good({ expected_expiration_time: new Date(NOW + 7 * DAY + 1000).toISOString() }), base())).toMatch(/8 days, beyond the 7-day horizon/);
    expect(validateMarket(good({ expected_expiration_time: new Date(NOW + 7 * DAY).toISOString() }), base()).ok).toBe(true);
  });

  it('rejects thin 24h volume, accepts exactly the minimum', () => {
    expect(reason(good({ volume_24h_fp: '99.99' }), base())).toMatch(/24h volume 99 < minimum 100/);
    expect(validateMarket(good({ volume_24h_fp: '100.00' }), base()).ok).toBe(true);
    // The fixture's own volume (1 contract) is thin.
    expect(reason(market({ expected_expiration_time: new Date(NOW + DAY).toISOString() }), base())).toMatch(/volume/);
  });

  it('rejects an excluded category case-insensitively', () => {
    expect(reason(good(), base({ excluded: new Set(['sports']), categoryOf: () => 'SPORTS' }))).toMatch(/category SPORTS is excluded/);
    expect(validateMarket(good(), base({ excluded: new Set(['crypto']) }))).toEqual({ ok: true, category: 'Sports' });
  });

  it('rejects an unknown category only while exclusions are set', () => {
    expect(reason(good(), base({ excluded: new Set(['crypto']), categoryOf: () => undefined }))).toMatch(/category unknown/);
    expect(validateMarket(good(), base({ categoryOf: () => undefined }))).toEqual({ ok: true, category: undefined });
  });

  it('rejects a position at the limit, accepts one contract below it', () => {
    const t = FIXTURE.ticker;
    expect(reason(good(), base({ exposureE2: (tk) => (tk === t ? 70_000 : 0) }))).toMatch(/position 700 is at the 700-contract limit/);
    expect(validateMarket(good(), base({ exposureE2: (tk) => (tk === t ? 69_900 : 0) })).ok).toBe(true);
  });
});

describe('sizeOrder', () => {
  const input = { priceE4: 7500, topSizeE2: 100_000, maxCostPerTradeE4: 50_000, positionLimit: 700, exposureE2: 0 };

  it('is bounded by the per-trade budget', () => {
    expect(sizeOrder(input)).toBe(6); // $5 / $0.75 = 6.67 -> 6
  });

  it('is bounded by the top of the book (whole contracts only)', () => {
    expect(sizeOrder({ ...input, topSizeE2: 350 })).toBe(3);
    expect(sizeOrder({ ...input, topSizeE2: 99 })).toBe(0);
  });

  it('is bounded by the room left under the position limit', () => {
    expect(sizeOrder({ ...input, positionLimit: 10, exposureE2: 800 })).toBe(2);
    expect(sizeOrder({ ...input, positionLimit: 10, exposureE2: 1000 })).toBe(0);
    expect(sizeOrder({ ...input, positionLimit: 10, exposureE2: 1200 })).toBe(0); // never negative
  });
});

describe('fitUnderCap', () => {
  const CAP = 500_000;

  it('fits as asked when there is room', () => {
    const r = fitUnderCap({ contracts: 6, priceE4: 7500, atRiskE4: 0, capE4: CAP, bandMinE4: 7000 });
    expect(r).toEqual({ ok: true, contracts: 6, worstCaseE4: worstCaseE4(6, 7500) });
    // 6 @ 0.75 = $4.50 + fees however they split into fills (docs: fee_rounding): the trade fee 0.07*6*0.75*0.25
    // = 0.07875 -> $0.0788, plus $0.0001 for each of up to 600 fills of 0.01, plus one cent of rounding: $0.1488.
    expect(worstCaseE4(6, 7500)).toBe(45_000 + 788 + 600 + 100);
  });

  it('shrinks to the largest count that fits', () => {
    const atRisk = CAP - 20_000; // $2.00 of room
    const r = fitUnderCap({ contracts: 6, priceE4: 7500, atRiskE4: atRisk, capE4: CAP, bandMinE4: 7000 });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.contracts).toBe(2); // 2 @ 0.75 = 1.50 + 0.03 fee; 3 would be 2.25 + ...
    expect(r.worstCaseE4).toBeLessThanOrEqual(20_000);
    expect(worstCaseE4(r.contracts + 1, 7500)).toBeGreaterThan(20_000);
  });

  it('refuses without halting when one contract at this price does not fit but the band minimum would', () => {
    // Room $0.7347: one @ 0.70 costs 0.70 + 0.0147 + 0.01 + 0.01 (fits); one @ 0.85 costs 0.85 + ... (does not).
    const room = worstCaseE4(1, 7000);
    expect(room).toBe(7000 + 147 + 100 + 100);
    const r = fitUnderCap({ contracts: 3, priceE4: 8500, atRiskE4: CAP - room, capE4: CAP, bandMinE4: 7000 });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.halt).toBe(false);
      expect(r.reason).toMatch(/one contract at this price/);
    }
  });

  it('halts when not even one contract at the band minimum fits', () => {
    const room = worstCaseE4(1, 7000) - 1;
    const r = fitUnderCap({ contracts: 3, priceE4: 7000, atRiskE4: CAP - room, capE4: CAP, bandMinE4: 7000 });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.halt).toBe(true);
      expect(r.reason).toMatch(/daily cap reached/);
      expect(r.reason).toContain('$50.00');
    }
    // Over the cap already (e.g. after a fill at a worse price): still a halt, never a negative order.
    const over = fitUnderCap({ contracts: 1, priceE4: 7000, atRiskE4: CAP + 1, capE4: CAP, bandMinE4: 7000 });
    expect(over).toMatchObject({ ok: false, halt: true });
  });

  it('never exceeds the room left, for any input', () => {
    for (let atRisk = 0; atRisk <= CAP; atRisk += 7_919) {
      for (const price of [7000, 7300, 7777, 8200, 8700]) {
        const r = fitUnderCap({ contracts: 60, priceE4: price, atRiskE4: atRisk, capE4: CAP, bandMinE4: 7000 });
        if (r.ok) {
          expect(r.contracts).toBeGreaterThanOrEqual(1);
          expect(r.contracts).toBeLessThanOrEqual(60);
          expect(atRisk + r.worstCaseE4).toBeLessThanOrEqual(CAP);
        }
      }
    }
  });
});

describe('wireOrderFor', () => {
  it('YES is a bid at the YES price', () => {
    expect(wireOrderFor('yes', 7500)).toEqual({ side: 'bid', yesPriceE4: 7500 });
  });

  it('NO at 0.80 is an ask at YES 0.2000', () => {
    const o = wireOrderFor('no', 8000);
    expect(o).toEqual({ side: 'ask', yesPriceE4: 2000 });
  });

  it('round-trips with bandCheck: the NO order prices at the YES bid it takes', () => {
    const m = book('0.2000', '0.2300');
    const r = bandCheck(m, BAND);
    expect(r.ok).toBe(true);
    if (r.ok) expect(wireOrderFor(r.side, r.priceE4)).toEqual({ side: 'ask', yesPriceE4: m.yesBidE4 });
  });
});
