// The simulated exchange's past: markets that settled over the last weeks, with the quotes they had before close
// (served as candlesticks) and their outcomes. Deterministic from the seed, generated once at start.
//
// The truth is exact and configurable: each market holds one quote over its life, its favourite (the side whose ask
// is 50¢ or more) at ask p wins with probability p + favouriteEdge, clamped to [1%, 99%]. So a calibration that reads
// the ask some hours before close and counts wins must find realized = implied + edge, within its interval; with
// edge 0, realized = implied. Events are realistic clusters: a two-way game is two markets of one outcome (the
// favourite's YES and the underdog's NO are the same bet), threshold events hold a few independent strikes.
import { hash32, makeRng } from './prng.js';
import { shardForCategory } from './shards.js';
import { dateCode, type SimEvent, type SimMarket, type SimSeries, type Universe } from './universe.js';

export interface HistoryOptions {
  /** Markets settled per day (default 100). */
  perDay?: number;
  /** Days of history before the start (default 45). */
  days?: number;
}

export interface HistoryMarket {
  m: SimMarket;
  ev: SimEvent;
  settledMs: number;
  result: 'yes' | 'no';
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** The series the history's markets belong to (listed by /series, so their categories and fees are known). */
const HISTORY_SERIES: ReadonlyArray<{ ticker: string; category: string; feeType: SimSeries['feeType']; multE4: number; competitor: boolean }> = [
  { ticker: 'KXHGAME', category: 'Sports', feeType: 'quadratic', multE4: 10_000, competitor: true },
  { ticker: 'KXHMATCH', category: 'Sports', feeType: 'quadratic_with_maker_fees', multE4: 10_000, competitor: true },
  { ticker: 'KXHCPI', category: 'Economics', feeType: 'quadratic', multE4: 10_000, competitor: false },
  { ticker: 'KXHBTC', category: 'Crypto', feeType: 'quadratic', multE4: 10_000, competitor: false },
  { ticker: 'KXHTEMP', category: 'Climate and Weather', feeType: 'quadratic', multE4: 5_000, competitor: false },
  { ticker: 'KXHRACE', category: 'Politics', feeType: 'quadratic', multE4: 10_000, competitor: true },
];

export class SettledHistory {
  /** Newest settlement first (ties by ticker), the settled listing's order. */
  readonly markets: HistoryMarket[] = [];
  readonly byTicker = new Map<string, HistoryMarket>();

  constructor(
    u: Universe,
    o: { seed: number; nowMs: number; favouriteEdgeE4: number } & HistoryOptions,
  ) {
    const perDay = o.perDay ?? 100;
    const days = o.days ?? 45;
    const rng = makeRng(hash32(o.seed, 0x415));
    const series = HISTORY_SERIES.map((s) =>
      u.addSeries({
        ticker: s.ticker,
        title: `${s.ticker} (settled history)`,
        category: s.category,
        tags: [s.category],
        feeType: s.feeType,
        feeMultiplierE4: s.multE4,
        frequency: 'daily',
        template: null,
        combo: false,
        exchangeIndex: shardForCategory(s.category, false),
      }),
    );
    const competitor = new Set(HISTORY_SERIES.filter((s) => s.competitor).map((s) => s.ticker));
    const total = perDay * days;
    let made = 0;
    for (let e = 0; made < total; e++) {
      const s = series[Math.floor(rng() * series.length)]!;
      // Settled within the window, evenly: the event closes, its markets settle 5-90 minutes later.
      const closeMs = Math.floor((o.nowMs - days * DAY + rng() * (days * DAY - 2 * HOUR)) / 60_000) * 60_000;
      const lifeMs = (2 + Math.floor(rng() * 8)) * DAY;
      const settledMs = closeMs + (5 + Math.floor(rng() * 85)) * 60_000;
      const eventTicker = `${s.ticker}-${dateCode(closeMs)}H${e.toString(36).toUpperCase()}`;
      const ev: SimEvent = {
        eventTicker,
        seriesTicker: s.ticker,
        title: `${s.ticker} event ${e}`,
        subTitle: '',
        mutuallyExclusive: competitor.has(s.ticker),
        combo: false,
        n: e,
        markets: [],
        exchangeIndex: s.exchangeIndex,
      };
      const legs = competitor.has(s.ticker) ? twoWay(rng, o.favouriteEdgeE4, hash32(o.seed, e, 1)) : strikes(rng, o.favouriteEdgeE4, o.seed, e);
      legs.forEach((leg, i) => {
        const m: SimMarket = {
          ticker: `${eventTicker}-${String.fromCharCode(65 + i)}`,
          eventTicker,
          seriesTicker: s.ticker,
          idx: u.newIdx(),
          designed: true,
          title: `Will ${eventTicker} leg ${String.fromCharCode(65 + i)} resolve Yes?`,
          subject: `leg ${String.fromCharCode(65 + i)}`,
          strikeE2: null,
          createdMs: closeMs - lifeMs,
          openMs: closeMs - lifeMs,
          closeMs,
          expectedExpirationMs: closeMs,
          latestExpirationMs: closeMs + 14 * DAY,
          bidE4: leg.bidE4,
          askE4: leg.askE4,
          bidSizeE2: 100 * (20 + Math.floor(rng() * 500)),
          askSizeE2: 100 * (20 + Math.floor(rng() * 500)),
          emptyAskZero: false,
          tickE4: 100,
          volumeE2: 100 * (500 + Math.floor(rng() * 50_000)),
          volume24hE2: 0,
          openInterestE2: 100 * Math.floor(rng() * 10_000),
          lastPriceE4: leg.bidE4,
          movePeriod: 0,
          moveAmp: 0,
          moveStep: 0,
          movePhase: 0,
          fixedStatus: 'settled',
          leak: false,
          combo: null,
          settlementTimerSeconds: 300,
          exchangeIndex: s.exchangeIndex,
        };
        ev.markets.push(m);
        const h: HistoryMarket = { m, ev, settledMs, result: leg.result };
        this.markets.push(h);
        this.byTicker.set(m.ticker, h);
        made++;
      });
    }
    this.markets.sort((a, b) => (a.settledMs !== b.settledMs ? b.settledMs - a.settledMs : a.m.ticker < b.m.ticker ? -1 : a.m.ticker > b.m.ticker ? 1 : 0));
  }
}

interface Leg {
  bidE4: number;
  askE4: number;
  result: 'yes' | 'no';
}

/** The favourite's ask: most in the band traders look at, the rest anywhere from 52¢ to 97¢. */
function favouriteAskE4(rng: () => number): number {
  return (rng() < 0.7 ? 70 + Math.floor(rng() * 18) : 52 + Math.floor(rng() * 46)) * 100;
}

/** Does the favourite at ask `p` win? With probability p + edge (clamped), from a hash: deterministic. */
function favouriteWins(askE4: number, edgeE4: number, h: number): boolean {
  const p = Math.min(9900, Math.max(100, askE4 + edgeE4));
  return h % 10_000 < p;
}

/** A two-way game: market A's YES is the favourite at ask p; market B is the other side of the same outcome. */
function twoWay(rng: () => number, edgeE4: number, h: number): Leg[] {
  const p = favouriteAskE4(rng);
  const spread = 100 * (1 + Math.floor(rng() * 3));
  const favWins = favouriteWins(p, edgeE4, h);
  // B's NO ask = 1 - B's YES bid = p: the same bet as A's YES, at the same price.
  return [
    { bidE4: p - spread, askE4: p, result: favWins ? 'yes' : 'no' },
    { bidE4: 10_000 - p, askE4: 10_000 - p + spread, result: favWins ? 'no' : 'yes' },
  ];
}

/** A threshold event: 1-3 strikes, each its own outcome; the favourite is YES or NO. */
function strikes(rng: () => number, edgeE4: number, seed: number, e: number): Leg[] {
  const n = 1 + Math.floor(rng() * 3);
  return Array.from({ length: n }, (_, i) => {
    const p = favouriteAskE4(rng);
    const spread = 100 * (1 + Math.floor(rng() * 3));
    const favWins = favouriteWins(p, edgeE4, hash32(seed, e, 2 + i));
    return rng() < 0.5
      ? { bidE4: p - spread, askE4: p, result: favWins ? 'yes' : 'no' }
      : // NO is the favourite: NO ask = 1 - YES bid = p.
        { bidE4: 10_000 - p, askE4: 10_000 - p + spread, result: favWins ? 'no' : 'yes' };
  });
}
