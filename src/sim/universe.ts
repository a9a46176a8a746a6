// The market universe: series -> events -> markets, generated deterministically from a seed,
// plus designed markets added by tests. Markets are compact structs; long text is rendered later.
import { compareKeys, type SortKey } from './cursor.js';
import { hash32, makeRng } from './prng.js';
import { shardForCategory } from './shards.js';
import { TEMPLATES, fillNoun, pick, NAMES, type Template } from './templates.js';

export type FixedStatus = 'active' | 'closed' | 'initialized' | 'settled';
/** Status values as the wire shows them. */
export type WireStatus = 'active' | 'closed' | 'initialized' | 'finalized';

export interface SimSeries {
  ticker: string;
  title: string;
  category: string;
  tags: string[];
  feeType: 'quadratic' | 'quadratic_with_maker_fees';
  feeMultiplierE4: number;
  frequency: string;
  template: Template | null;
  combo: boolean;
  /** shard of the series' events (exchange_index on the series record) */
  exchangeIndex: number;
}

export interface SimEvent {
  eventTicker: string;
  seriesTicker: string;
  title: string;
  subTitle: string;
  mutuallyExclusive: boolean;
  combo: boolean;
  /** per-event number that picks names/places */
  n: number;
  markets: SimMarket[];
  /** an event's markets share one shard */
  exchangeIndex: number;
  /** the event's own fee rule, which wins over its series' (fee_type_override / fee_multiplier_override) */
  feeTypeOverride?: string | null;
  feeMultiplierOverrideE4?: number | null;
}

/** A scheduled change of a series' fee rule (GET /series/fee_changes). */
export interface SimFeeChange {
  id: string;
  seriesTicker: string;
  feeType: 'quadratic' | 'quadratic_with_maker_fees';
  feeMultiplierE4: number;
  scheduledMs: number;
}

export interface ComboLeg {
  event_ticker: string;
  market_ticker: string;
  side: 'yes' | 'no';
}

export interface SimMarket {
  ticker: string;
  eventTicker: string;
  seriesTicker: string;
  idx: number;
  designed: boolean;
  /** explicit text (designed markets); generated ones render from the template */
  title: string | null;
  subject: string; // yes_sub_title
  strikeE2: number | null; // threshold markets: floor_strike in hundredths
  createdMs: number;
  openMs: number;
  closeMs: number;
  expectedExpirationMs: number | null;
  latestExpirationMs: number;
  /** top of book before price moves: e4 prices, e2 sizes; size 0 = empty side */
  bidE4: number;
  askE4: number;
  bidSizeE2: number;
  askSizeE2: number;
  /** an empty ask renders as "1.0000" (false) or "0.0000" (true): both occur on the wire */
  emptyAskZero: boolean;
  tickE4: number;
  volumeE2: number;
  volume24hE2: number;
  openInterestE2: number;
  lastPriceE4: number;
  /** price-move shape (0 period = static) */
  movePeriod: number;
  moveAmp: number;
  moveStep: number;
  movePhase: number;
  fixedStatus: FixedStatus | null; // null: active until closeMs
  leak: boolean; // a closed market that still shows up in status=open listings
  combo: { collection: string; legs: ComboLeg[] } | null;
  settlementTimerSeconds: number;
  /** the matching engine (exchange shard) the market trades on */
  exchangeIndex: number;
}

export const MOVE_BUCKET_MS = 10_000;
const DAY = 86_400_000;
const HOUR = 3_600_000;

/** Status at time t. Generated markets close when their close time passes. */
export function statusAt(m: SimMarket, t: number): WireStatus {
  if (m.fixedStatus === 'settled') return 'finalized';
  if (m.fixedStatus === 'closed') return 'closed';
  if (m.fixedStatus === 'initialized') return t >= m.closeMs ? 'closed' : 'initialized';
  return t >= m.closeMs ? 'closed' : 'active';
}

/**
 * Price offset in e4 at time t: a deterministic zigzag (closed form, O(1) for any clock jump):
 * every `movePeriod` buckets of 10 s the market steps by `moveStep` cents, bouncing within ±amp/2.
 */
export function priceOffsetE4(m: SimMarket, t: number): number {
  if (m.movePeriod === 0) return 0;
  const k = Math.floor(t / MOVE_BUCKET_MS);
  const e = Math.floor((k + m.movePhase) / m.movePeriod);
  const span = 2 * m.moveAmp;
  const u = (((e * m.moveStep) % span) + span) % span;
  const folded = u <= m.moveAmp ? u : span - u;
  return (folded - Math.floor(m.moveAmp / 2)) * 100;
}

/** The moved top of book (before any depletion by trading). */
export function movedTop(m: SimMarket, off: number): { bidE4: number; askE4: number } {
  const tick = m.tickE4;
  let bid = m.bidE4;
  let ask = m.askE4;
  if (off !== 0) {
    if (m.bidSizeE2 > 0) bid = Math.min(Math.max(bid + off, tick), 10_000 - 2 * tick);
    if (m.askSizeE2 > 0) ask = Math.min(Math.max(ask + off, tick * 2), 10_000 - tick);
    if (m.bidSizeE2 > 0 && m.askSizeE2 > 0 && ask <= bid) ask = bid + tick;
  }
  return { bidE4: bid, askE4: ask };
}

export const sortKeyOf = (m: SimMarket): SortKey => [m.createdMs, m.ticker];

export class Universe {
  readonly markets = new Map<string, SimMarket>();
  readonly events = new Map<string, SimEvent>();
  readonly series = new Map<string, SimSeries>();
  readonly feeChanges: SimFeeChange[] = [];
  private sortedCache: SimMarket[] | null = null;
  private eventsSortedCache: SimEvent[] | null = null;
  private nextIdx = 0;

  /** All markets, newest first (created desc, ticker asc): the listing order. */
  sorted(): SimMarket[] {
    if (!this.sortedCache) {
      // allocation-free comparator: same order as compareKeys(sortKeyOf(a), sortKeyOf(b))
      this.sortedCache = [...this.markets.values()].sort((a, b) =>
        a.createdMs !== b.createdMs ? b.createdMs - a.createdMs : a.ticker < b.ticker ? -1 : a.ticker > b.ticker ? 1 : 0,
      );
    }
    return this.sortedCache;
  }

  /** Non-combo events in listing order (first market's created time desc, ticker asc). */
  sortedEvents(): SimEvent[] {
    if (!this.eventsSortedCache) {
      this.eventsSortedCache = [...this.events.values()]
        .filter((e) => !e.combo && e.markets.length > 0)
        .sort((a, b) => compareKeys(eventKey(a), eventKey(b)));
    }
    return this.eventsSortedCache;
  }

  invalidate(): void {
    this.sortedCache = null;
    this.eventsSortedCache = null;
  }

  addSeries(s: SimSeries): SimSeries {
    const have = this.series.get(s.ticker);
    if (have) return have;
    this.series.set(s.ticker, s);
    return s;
  }

  addEvent(e: SimEvent): SimEvent {
    const have = this.events.get(e.eventTicker);
    if (have) return have;
    this.events.set(e.eventTicker, e);
    this.invalidate();
    return e;
  }

  addMarketStruct(m: SimMarket): void {
    const ev = this.events.get(m.eventTicker);
    if (!ev) throw new Error(`sim: event ${m.eventTicker} missing`);
    const old = this.markets.get(m.ticker);
    if (old) ev.markets.splice(ev.markets.indexOf(old), 1);
    ev.markets.push(m);
    this.markets.set(m.ticker, m);
    this.invalidate();
  }

  newIdx(): number {
    return this.nextIdx++;
  }
}

export const eventKey = (e: SimEvent): SortKey => [e.markets[0]?.createdMs ?? 0, e.eventTicker];

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
/** "26JUN11": Kalshi's date fragment in event tickers. */
export function dateCode(ms: number): string {
  const d = new Date(ms);
  return `${String(d.getUTCFullYear() % 100).padStart(2, '0')}${MONTHS[d.getUTCMonth()]}${String(d.getUTCDate()).padStart(2, '0')}`;
}

function alpha(n: number): string {
  let s = '';
  let v = n;
  do {
    s = String.fromCharCode(65 + (v % 26)) + s;
    v = Math.floor(v / 26) - 1;
  } while (v >= 0);
  return s;
}

const hex = (n: number, len: number): string => (n >>> 0).toString(16).toUpperCase().padStart(8, '0').slice(0, len);

export interface GenerateOptions {
  markets: number;
  combos: number;
  leakClosed: number;
  seed: number;
  nowMs: number;
}

/**
 * A U-shaped price distribution like the real universe's (most markets sit near 0 or 1), with some
 * extra weight in the bands a band-trader looks for: about a third of markets end up in band.
 */
function samplePriceCents(r: number, r2: number): number {
  if (r < 0.08) return 70 + Math.floor(r2 * 18); // 0.70-0.87
  if (r < 0.16) return 13 + Math.floor(r2 * 18); // 0.13-0.30
  if (r < 0.6) return r2 < 0.5 ? 1 + Math.floor(r2 * 16) : 92 + Math.floor((r2 - 0.5) * 16); // 0.01-0.08, 0.92-0.99
  return 1 + Math.floor(r2 * 99); // anywhere 0.01-0.99
}

/** Generate a universe: `markets` open non-combo markets, plus closed ones, plus combos. */
export function generateUniverse(u: Universe, o: GenerateOptions): void {
  const rng = makeRng(o.seed);
  const totalWeight = TEMPLATES.reduce((s, t) => s + t.weight, 0);
  const pickTemplate = (r: number): Template => {
    let x = r * totalWeight;
    for (const t of TEMPLATES) {
      x -= t.weight;
      if (x < 0) return t;
    }
    return TEMPLATES[0] as Template;
  };

  const closedCount = o.leakClosed + Math.floor(o.markets * 0.02);
  const target = o.markets + closedCount;
  let made = 0;
  let openMade = 0;
  let closedMade = 0;
  let seriesN = 0;
  const regular: SimMarket[] = [];

  while (made < target) {
    // one series with many events
    const tpl = pickTemplate(rng());
    const sTicker = `${tpl.prefix}${alpha(seriesN)}`;
    const sn = seriesN++;
    const series = u.addSeries({
      ticker: sTicker,
      title: fillNoun(tpl.noun, sn).replace(/^./, (c) => c.toUpperCase()),
      category: tpl.category,
      tags: [tpl.category.split(' ')[0] ?? tpl.category],
      feeType: rng() < 0.15 ? 'quadratic_with_maker_fees' : 'quadratic',
      feeMultiplierE4: rng() < 0.1 ? 5000 : 10_000,
      frequency: tpl.frequency,
      template: tpl,
      combo: false,
      exchangeIndex: shardForCategory(tpl.category, false),
    });
    const eventsInSeries = 1 + Math.floor(rng() * rng() * 20); // mostly a few, some with many
    for (let ei = 0; ei < eventsInSeries && made < target; ei++) {
      // exact counts: `markets` open ones and `closedCount` closed ones
      const isClosed = closedMade < closedCount && rng() * (target - made) < closedCount - closedMade;
      const left = isClosed ? closedCount - closedMade : o.markets - openMade;
      if (left <= 0) continue;
      // created: bursty toward the present (square of a uniform), over ~90 days
      const ur = rng();
      const createdMs = isClosed
        ? o.nowMs - (20 + Math.floor(rng() * 70)) * DAY
        : o.nowMs - Math.floor(90 * DAY * ur * ur * ur) - Math.floor(rng() * 60_000) - 1000;
      const horizon = tpl.horizonHours[0] + rng() * rng() * (tpl.horizonHours[1] - tpl.horizonHours[0]);
      const closeMs = isClosed
        ? o.nowMs - Math.floor(1 + rng() * 200) * HOUR
        : Math.max(o.nowMs + 2 * HOUR + Math.floor(rng() * HOUR), createdMs + Math.floor(horizon * HOUR));
      const closeS = Math.floor(closeMs / 60_000) * 60_000; // whole minutes, like the wire
      const en = hash32(o.seed, sn, ei);
      const evTicker = `${sTicker}-${dateCode(closeS)}${alpha(ei)}${hex(en, 3)}`;
      const competitor = tpl.kind === 'competitor';
      const nMarkets = competitor ? (rng() < 0.8 ? 2 : 1 + Math.floor(rng() * 8)) : 1 + Math.floor(rng() * 8);
      const names = Array.from({ length: nMarkets }, (_, i) => pick(NAMES, en + i * 7));
      const evTitle = competitor
        ? `${names.slice(0, 2).join(' vs ')} ${fillNoun(tpl.noun, en)}`
        : `${fillNoun(tpl.noun, en)} on ${new Date(closeS).toUTCString().slice(5, 16)}`;
      const ev = u.addEvent({
        eventTicker: evTicker,
        seriesTicker: series.ticker,
        title: evTitle,
        subTitle: competitor ? 'Winner' : `On ${new Date(closeS).toUTCString().slice(5, 16)}`,
        mutuallyExclusive: competitor,
        combo: false,
        n: en,
        markets: [],
        exchangeIndex: series.exchangeIndex,
      });
      const deci = rng() < 0.05;
      const tick = deci ? 10 : 100;
      const baseStrike = (tpl.baseE2 ?? 0) + Math.floor(rng() * 6) * (tpl.stepE2 ?? 100);
      for (let mi = 0; mi < nMarkets && mi < left; mi++) {
        const suffix = competitor ? (names[mi] ?? 'X').slice(0, 3).toUpperCase() + (mi > 0 && names[mi] === names[0] ? mi : '') : `T${baseStrike / 100 + (mi * (tpl.stepE2 ?? 100)) / 100}`;
        const mTicker = `${evTicker}-${suffix}`;
        if (u.markets.has(mTicker)) continue;
        const mid = samplePriceCents(rng(), rng()) * 100 + (deci ? Math.floor(rng() * 10) * 10 : 0);
        const spread = tick * (1 + Math.floor(rng() * rng() * 6));
        let bid = Math.max(tick, mid - Math.floor(spread / 2 / tick) * tick);
        let ask = Math.min(10_000 - tick, bid + spread);
        if (ask <= bid) bid = ask - tick;
        const emptyR = rng();
        const sizeR = rng();
        const bigSize = (r: number): number => Math.max(100, Math.floor(100 * (1 + 2000 * r * r * r)) - (r < 0.1 ? 40 : 0));
        const bidSize = emptyR < 0.12 || (emptyR > 0.95) ? 0 : bigSize(sizeR);
        const askSize = (emptyR >= 0.12 && emptyR < 0.24) || emptyR > 0.95 ? 0 : bigSize(rng());
        const volR = rng();
        const vol24 = volR < 0.3 ? 0 : Math.floor(Math.exp(volR * Math.log(500_000))) * 100;
        const strikeE2 = competitor ? null : baseStrike + mi * (tpl.stepE2 ?? 100);
        const m: SimMarket = {
          ticker: mTicker,
          eventTicker: ev.eventTicker,
          seriesTicker: series.ticker,
          idx: u.newIdx(),
          designed: false,
          title: null,
          subject: competitor ? `${names[mi] ?? 'X'}` : '',
          strikeE2,
          createdMs,
          openMs: createdMs + Math.floor(rng() * 30) * 60_000,
          closeMs: closeS,
          expectedExpirationMs: rng() < 0.1 ? null : closeS + Math.floor(rng() * 4) * HOUR,
          latestExpirationMs: closeS + 14 * DAY,
          bidE4: bid,
          askE4: ask,
          bidSizeE2: bidSize,
          askSizeE2: askSize,
          emptyAskZero: rng() < 0.5,
          tickE4: tick,
          volumeE2: vol24 + Math.floor(rng() * 3) * vol24,
          volume24hE2: vol24,
          openInterestE2: Math.floor(vol24 * rng()),
          lastPriceE4: vol24 === 0 ? 0 : Math.min(9900, Math.max(100, mid - (mid % 100))),
          movePeriod: rng() < 0.6 ? 1 + Math.floor(rng() * 90) : 0,
          moveAmp: 2 + Math.floor(rng() * 5),
          moveStep: rng() < 0.7 ? 1 : 2,
          movePhase: Math.floor(rng() * 1000),
          fixedStatus: isClosed ? 'closed' : null,
          leak: isClosed && closedMade < o.leakClosed,
          combo: null,
          settlementTimerSeconds: competitor ? 60 : 300,
          exchangeIndex: ev.exchangeIndex,
        };
        if (isClosed) closedMade++;
        else openMade++;
        u.addMarketStruct(m);
        regular.push(m);
        made++;
      }
    }
  }

  // Combos: one event per combo, legs from regular markets, quoting 1.0000/1.0000 with no volume.
  const collection = 'KXMVESPORTSMULTIGAMEEXTENDED';
  const cSeries = u.addSeries({
    ticker: collection,
    title: 'Multi-game combos',
    category: 'Sports',
    tags: ['Sports'],
    feeType: 'quadratic',
    feeMultiplierE4: 10_000,
    frequency: 'custom',
    template: null,
    combo: true,
    exchangeIndex: shardForCategory('Sports', true),
  });
  for (let ci = 0; ci < o.combos && regular.length > 0; ci++) {
    const h = hash32(o.seed, 0xc0, ci);
    const evTicker = `${collection}-S2026${hex(h, 8)}${hex(ci, 3)}`;
    const legs: ComboLeg[] = [];
    const nLegs = 2 + (h % 3);
    for (let l = 0; l < nLegs; l++) {
      const leg = regular[Math.floor(rng() * regular.length)] as SimMarket;
      legs.push({ event_ticker: leg.eventTicker, market_ticker: leg.ticker, side: rng() < 0.8 ? 'yes' : 'no' });
    }
    const ev = u.addEvent({
      eventTicker: evTicker,
      seriesTicker: cSeries.ticker,
      title: legs.map((l) => `${l.side} ${l.market_ticker}`).join(','),
      subTitle: '',
      mutuallyExclusive: false,
      combo: true,
      n: h,
      markets: [],
      exchangeIndex: cSeries.exchangeIndex,
    });
    const createdMs = o.nowMs - Math.floor(rng() * rng() * 5 * DAY) - 1000;
    const closeMs = Math.floor((o.nowMs + (2 + rng() * 300) * HOUR) / 60_000) * 60_000;
    u.addMarketStruct({
      ticker: `${evTicker}-${hex(hash32(h, 7), 8)}${hex(ci, 3)}`,
      eventTicker: ev.eventTicker,
      seriesTicker: cSeries.ticker,
      idx: u.newIdx(),
      designed: false,
      title: ev.title,
      subject: ev.title,
      strikeE2: null,
      createdMs,
      openMs: createdMs,
      closeMs,
      expectedExpirationMs: closeMs - 12 * HOUR,
      latestExpirationMs: closeMs,
      bidE4: 0,
      askE4: 10_000,
      bidSizeE2: 0,
      askSizeE2: 0,
      emptyAskZero: false,
      tickE4: 10,
      volumeE2: 0,
      volume24hE2: 0,
      openInterestE2: 0,
      lastPriceE4: 0,
      movePeriod: 0,
      moveAmp: 0,
      moveStep: 0,
      movePhase: 0,
      fixedStatus: null,
      leak: false,
      combo: { collection: `${collection}-R`, legs },
      settlementTimerSeconds: 5,
      exchangeIndex: ev.exchangeIndex,
    });
  }
}
