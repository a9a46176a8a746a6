// Order books: synthetic liquidity built around each market's (moved) top of book, depleted by
// takers. A book that was traded on is kept until the price moves, then rebuilt (fresh liquidity).
import { hash32 } from './prng.js';
import { movedTop, priceOffsetE4, type SimMarket } from './universe.js';

export interface Level {
  priceE4: number;
  sizeE2: number;
}
/** bids: best (highest) first; asks: best (lowest) first. Prices are YES prices. */
export interface Book {
  off: number;
  bids: Level[];
  asks: Level[];
}
export interface Top {
  bidE4: number;
  bidSizeE2: number;
  askE4: number;
  askSizeE2: number;
}
export interface Take {
  priceE4: number;
  countE2: number;
}

function buildBook(m: SimMarket, off: number): Book {
  const { bidE4, askE4 } = movedTop(m, off);
  const bids: Level[] = [];
  const asks: Level[] = [];
  // Designed markets get exactly their top level so tests can reason about fills.
  const depth = m.designed ? 1 : 1 + (hash32(m.idx, off, 1) % 5);
  let p = bidE4;
  for (let i = 0; i < depth && m.bidSizeE2 > 0 && p >= m.tickE4; i++) {
    bids.push({ priceE4: p, sizeE2: i === 0 ? m.bidSizeE2 : 100 * (1 + (hash32(m.idx, i, 2) % 500)) });
    p -= m.tickE4 * (1 + (hash32(m.idx, i, 3) % 3));
  }
  p = askE4;
  for (let i = 0; i < depth && m.askSizeE2 > 0 && p <= 10_000 - m.tickE4; i++) {
    asks.push({ priceE4: p, sizeE2: i === 0 ? m.askSizeE2 : 100 * (1 + (hash32(m.idx, i, 4) % 500)) });
    p += m.tickE4 * (1 + (hash32(m.idx, i, 5) % 3));
  }
  return { off, bids, asks };
}

export class BookStore {
  private readonly books = new Map<string, Book>();

  /** The live book (materialized: takers may deplete it). */
  get(m: SimMarket, t: number): Book {
    const off = priceOffsetE4(m, t);
    const have = this.books.get(m.ticker);
    if (have && have.off === off) return have;
    const b = buildBook(m, off);
    this.books.set(m.ticker, b);
    return b;
  }

  /** Top of book without materializing (cheap, for rendering listings). */
  top(m: SimMarket, t: number): Top {
    const off = priceOffsetE4(m, t);
    const have = this.books.get(m.ticker);
    if (have && have.off === off) {
      const b = have.bids[0];
      const a = have.asks[0];
      return { bidE4: b?.priceE4 ?? 0, bidSizeE2: b?.sizeE2 ?? 0, askE4: a?.priceE4 ?? 10_000, askSizeE2: a?.sizeE2 ?? 0 };
    }
    return syntheticTop(m, t);
  }

  reset(ticker: string): void {
    this.books.delete(ticker);
  }
}

/** The top of a market's own synthetic book at time t (its quotes as they move), before any trading depletes it. */
export function syntheticTop(m: SimMarket, t: number): Top {
  const { bidE4, askE4 } = movedTop(m, priceOffsetE4(m, t));
  return {
    bidE4: m.bidSizeE2 > 0 ? bidE4 : 0,
    bidSizeE2: m.bidSizeE2,
    askE4: m.askSizeE2 > 0 ? askE4 : 10_000,
    askSizeE2: m.askSizeE2,
  };
}

/** Liquidity available to a taker at `limitE4` (bid: asks ≤ limit; ask: bids ≥ limit). */
export function available(book: Book, side: 'bid' | 'ask', limitE4: number): number {
  let sum = 0;
  for (const l of side === 'bid' ? book.asks : book.bids) {
    if (side === 'bid' ? l.priceE4 > limitE4 : l.priceE4 < limitE4) break;
    sum += l.sizeE2;
  }
  return sum;
}

/** Take up to countE2 from the book at level prices, depleting it. Returns one Take per level. */
export function take(book: Book, side: 'bid' | 'ask', limitE4: number, countE2: number): Take[] {
  const levels = side === 'bid' ? book.asks : book.bids;
  const out: Take[] = [];
  let left = countE2;
  while (left > 0) {
    const l = levels[0];
    if (!l || (side === 'bid' ? l.priceE4 > limitE4 : l.priceE4 < limitE4)) break;
    const n = Math.min(left, l.sizeE2);
    out.push({ priceE4: l.priceE4, countE2: n });
    left -= n;
    l.sizeE2 -= n;
    if (l.sizeE2 <= 0) levels.shift();
  }
  return out;
}
