// Designed markets (tests): whole cents and whole contracts in, a SimMarket struct out.
import type { Exchange } from './exchange.js';
import { MAX_SHARD, shardForCategory } from './shards.js';
import type { FixedStatus, SimMarket } from './universe.js';

export interface SimMarketSpec {
  ticker: string;
  eventTicker?: string;
  seriesTicker?: string;
  category?: string;
  title?: string;
  status?: 'active' | 'closed' | 'initialized' | 'settled';
  yesBidCents: number;
  yesAskCents: number;
  yesBidSize?: number;
  yesAskSize?: number;
  volume24h?: number;
  createdMs?: number;
  closeMs?: number;
  expectedExpirationMs?: number | null;
  stepCents?: number;
  tickSizeE4?: number;
  feeMultiplierE4?: number;
  /** series fee type (default quadratic) */
  feeType?: 'quadratic' | 'quadratic_with_maker_fees';
  /** the event's own fee rule (fee_type_override / fee_multiplier_override) */
  eventFeeTypeOverride?: 'quadratic' | 'quadratic_with_maker_fees' | null;
  eventFeeMultiplierOverrideE4?: number | null;
  /** how the market resolves when it settles (default: drawn from its price) */
  result?: 'yes' | 'no';
  /**
   * The shard (exchange_index, 0..100) the market trades on. Default: by the series' category
   * (Crypto 2, Sports 3, everything else 0). In updateMarket it moves the market and its event to
   * another shard (resting orders stay where they were placed; Kalshi does not migrate live markets).
   */
  exchangeIndex?: number;
}

const DAY = 86_400_000;

/** "KXA-26JUN11-X" -> event "KXA-26JUN11", series "KXA". */
export function deriveTickers(ticker: string): { event: string; series: string } {
  const parts = ticker.split('-');
  const event = parts.length > 1 ? parts.slice(0, -1).join('-') : ticker;
  return { event, series: parts[0] ?? ticker };
}

function checkShard(k: number | undefined): void {
  if (k !== undefined && !(Number.isInteger(k) && k >= 0 && k <= MAX_SHARD)) throw new Error(`sim: exchangeIndex ${k} is not an integer 0..${MAX_SHARD}`);
}

function ensureParents(ex: Exchange, spec: SimMarketSpec): { event: string; series: string; shard: number } {
  const d = deriveTickers(spec.ticker);
  const event = spec.eventTicker ?? d.event;
  const series = spec.seriesTicker ?? d.series;
  const u = ex.universe;
  const s = u.addSeries({
    ticker: series,
    title: `${series} series`,
    category: spec.category ?? 'Economics',
    tags: [spec.category ?? 'Economics'],
    feeType: spec.feeType ?? 'quadratic',
    feeMultiplierE4: spec.feeMultiplierE4 ?? 10_000,
    frequency: 'custom',
    template: null,
    combo: false,
    exchangeIndex: spec.exchangeIndex ?? shardForCategory(spec.category ?? 'Economics', false),
  });
  if (spec.category !== undefined) s.category = spec.category;
  if (spec.feeMultiplierE4 !== undefined) s.feeMultiplierE4 = spec.feeMultiplierE4;
  if (spec.feeType !== undefined) s.feeType = spec.feeType;
  const shard = spec.exchangeIndex ?? shardForCategory(s.category, false);
  const ev = u.addEvent({
    eventTicker: event,
    seriesTicker: series,
    title: spec.title ?? `${event} event`,
    subTitle: '',
    mutuallyExclusive: false,
    combo: false,
    n: 0,
    markets: [],
    exchangeIndex: shard,
  });
  if (spec.exchangeIndex !== undefined) ev.exchangeIndex = spec.exchangeIndex;
  if (spec.eventFeeTypeOverride !== undefined) ev.feeTypeOverride = spec.eventFeeTypeOverride;
  if (spec.eventFeeMultiplierOverrideE4 !== undefined) ev.feeMultiplierOverrideE4 = spec.eventFeeMultiplierOverrideE4;
  ex.shard(shard); // a shard with a market is a known shard (exchange status, transfers)
  return { event, series, shard };
}

const fixed = (s: SimMarketSpec['status']): FixedStatus | null => (s === undefined || s === 'active' ? null : s);

export function addDesignedMarket(ex: Exchange, spec: SimMarketSpec): void {
  checkShard(spec.exchangeIndex);
  const now = ex.clock();
  const { event, series, shard } = ensureParents(ex, spec);
  const closeMs = spec.closeMs ?? now + 7 * DAY;
  const m: SimMarket = {
    ticker: spec.ticker,
    eventTicker: event,
    seriesTicker: series,
    idx: ex.universe.newIdx(),
    designed: true,
    title: spec.title ?? `Will ${spec.ticker} resolve Yes?`,
    subject: spec.title ?? spec.ticker,
    strikeE2: null,
    createdMs: spec.createdMs ?? now - 3_600_000,
    openMs: spec.createdMs ?? now - 3_600_000,
    closeMs,
    expectedExpirationMs: spec.expectedExpirationMs === undefined ? closeMs : spec.expectedExpirationMs,
    latestExpirationMs: closeMs + 14 * DAY,
    bidE4: spec.yesBidCents * 100,
    askE4: spec.yesAskCents * 100,
    bidSizeE2: (spec.yesBidSize ?? 100) * 100,
    askSizeE2: (spec.yesAskSize ?? 100) * 100,
    emptyAskZero: false,
    tickE4: spec.tickSizeE4 ?? (spec.stepCents ?? 1) * 100,
    volumeE2: (spec.volume24h ?? 10_000) * 100,
    volume24hE2: (spec.volume24h ?? 10_000) * 100,
    openInterestE2: 0,
    lastPriceE4: spec.yesBidCents * 100,
    movePeriod: 0, // designed markets hold still: tests reason about exact fills
    moveAmp: 0,
    moveStep: 0,
    movePhase: 0,
    fixedStatus: fixed(spec.status),
    leak: false,
    combo: null,
    settlementTimerSeconds: 60,
    exchangeIndex: shard,
  };
  ex.renderCache?.delete(m.ticker);
  ex.universe.addMarketStruct(m);
  ex.books.reset(m.ticker);
}

export function updateDesignedMarket(ex: Exchange, ticker: string, patch: Partial<SimMarketSpec>): void {
  const m = ex.universe.markets.get(ticker);
  if (!m) throw new Error(`sim: no market ${ticker}`);
  checkShard(patch.exchangeIndex);
  ex.renderCache?.delete(ticker);
  if (patch.exchangeIndex !== undefined) {
    m.exchangeIndex = patch.exchangeIndex;
    const ev = ex.universe.events.get(m.eventTicker);
    if (ev) ev.exchangeIndex = patch.exchangeIndex;
    ex.shard(patch.exchangeIndex);
  }
  if (patch.yesBidCents !== undefined) m.bidE4 = patch.yesBidCents * 100;
  if (patch.yesAskCents !== undefined) m.askE4 = patch.yesAskCents * 100;
  if (patch.yesBidSize !== undefined) m.bidSizeE2 = patch.yesBidSize * 100;
  if (patch.yesAskSize !== undefined) m.askSizeE2 = patch.yesAskSize * 100;
  if (patch.volume24h !== undefined) m.volume24hE2 = patch.volume24h * 100;
  if (patch.result !== undefined) ex.results.set(ticker, patch.result);
  if (patch.status !== undefined) m.fixedStatus = fixed(patch.status);
  if (patch.closeMs !== undefined) m.closeMs = patch.closeMs;
  if (patch.expectedExpirationMs !== undefined) m.expectedExpirationMs = patch.expectedExpirationMs;
  if (patch.title !== undefined) m.title = patch.title;
  if (patch.stepCents !== undefined) m.tickE4 = patch.stepCents * 100;
  if (patch.tickSizeE4 !== undefined) m.tickE4 = patch.tickSizeE4;
  const s = ex.universe.series.get(m.seriesTicker);
  if (s && patch.category !== undefined) s.category = patch.category;
  if (s && patch.feeMultiplierE4 !== undefined) s.feeMultiplierE4 = patch.feeMultiplierE4;
  if (patch.createdMs !== undefined) {
    m.createdMs = patch.createdMs;
    ex.universe.invalidate();
  }
  ex.books.reset(ticker);
}
