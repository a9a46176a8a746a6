// The hydrated universe as a compact table: one row per open market, a typed-array column per number the layers
// read, and the three strings the app needs (ticker, event, title; events interned). 120,000 markets take about
// 25 MB here instead of ~100 MB as objects, and a pass over a column touches no pointers.
import type { Market } from './market-schema.js';

/**
 * A finished table's event tickers and their ids. The next scan's table takes an event it has seen from here rather
 * than the string just parsed: the layers look events up in maps kept across cycles (categories, fee rules), and a
 * key that is the very string the map holds is found without comparing its text.
 */
export interface EventNames {
  readonly ids: ReadonlyMap<string, number>;
  readonly events: readonly string[];
}

/** What a row holds; `market(i)` gives it back as the app's Market. */
export class MarketTable {
  size = 0;
  /** Rows written more than once (the same ticker seen again: the later copy wins, as in a Map). */
  replaced = 0;
  tickers: string[] = [];
  titles: string[] = [];
  /** Distinct event tickers; `eventOf[i]` indexes into it. */
  readonly events: string[] = [];
  eventOf: Int32Array;
  yesBidE4: Int32Array;
  yesAskE4: Int32Array;
  yesBidSizeE2: Float64Array;
  yesAskSizeE2: Float64Array;
  volume24hE2: Float64Array;
  settlesMs: Float64Array;
  createdMs: Float64Array;
  exchangeIndex: Uint8Array;
  private readonly rowOf = new Map<string, number>();
  private readonly eventIds = new Map<string, number>();
  /** The tickers as newline-separated UTF-8, in row order, written as rows are added (for the decision trail). */
  private names = Buffer.allocUnsafe(1 << 16);
  private namesLength = 0;

  constructor(
    capacity = 1024,
    private readonly previous: EventNames | null = null,
  ) {
    const n = Math.max(16, capacity);
    this.eventOf = new Int32Array(n);
    this.yesBidE4 = new Int32Array(n);
    this.yesAskE4 = new Int32Array(n);
    this.yesBidSizeE2 = new Float64Array(n);
    this.yesAskSizeE2 = new Float64Array(n);
    this.volume24hE2 = new Float64Array(n);
    this.settlesMs = new Float64Array(n);
    this.createdMs = new Float64Array(n);
    this.exchangeIndex = new Uint8Array(n);
  }

  get capacity(): number {
    return this.eventOf.length;
  }

  /** The row of a ticker (exact match), if present. */
  row(ticker: string): number | undefined {
    return this.rowOf.get(ticker);
  }

  /**
   * Write an open market (status active, not a combo: hydration drops the others before this). A ticker already in
   * the table is overwritten in its row; returns true then.
   */
  put(m: Market): boolean {
    if (m.status !== 'active' || m.isCombo) throw new RangeError(`market table: ${m.ticker} is not an open, non-combo market`);
    let i = this.rowOf.get(m.ticker);
    const seen = i !== undefined;
    if (i === undefined) {
      i = this.size++;
      if (i >= this.capacity) this.grow();
      this.rowOf.set(m.ticker, i);
      this.tickers.push(m.ticker);
      this.titles.push(m.title);
      this.appendName(m.ticker);
    } else {
      this.replaced++;
      this.titles[i] = m.title;
    }
    let e = this.eventIds.get(m.eventTicker);
    if (e === undefined) {
      e = this.events.length;
      const seen = this.previous?.ids.get(m.eventTicker);
      const name = seen === undefined ? m.eventTicker : this.previous!.events[seen]!;
      this.events.push(name);
      this.eventIds.set(name, e);
    }
    this.eventOf[i] = e;
    this.yesBidE4[i] = m.yesBidE4;
    this.yesAskE4[i] = m.yesAskE4;
    this.yesBidSizeE2[i] = m.yesBidSizeE2;
    this.yesAskSizeE2[i] = m.yesAskSizeE2;
    this.volume24hE2[i] = m.volume24hE2;
    this.settlesMs[i] = m.settlesMs;
    this.createdMs[i] = m.createdMs;
    this.exchangeIndex[i] = m.exchangeIndex;
    return seen;
  }

  /** Every ticker, newline-separated UTF-8, in row order (built while the table fills, so it costs no time later). */
  tickerText(): Buffer {
    return this.names.subarray(0, Math.max(0, this.namesLength - 1));
  }

  private appendName(ticker: string): void {
    const need = this.namesLength + ticker.length * 3 + 1;
    if (need > this.names.length) {
      const bigger = Buffer.allocUnsafe(Math.max(need, this.names.length * 2));
      this.names.copy(bigger, 0, 0, this.namesLength);
      this.names = bigger;
    }
    this.namesLength += this.names.write(ticker, this.namesLength, 'utf8');
    this.names[this.namesLength++] = 0x0a;
  }

  /** This table's events, for the next scan's table (see EventNames). */
  eventNames(): EventNames {
    return { ids: this.eventIds, events: this.events };
  }

  eventTicker(i: number): string {
    return this.events[this.eventOf[i]!]!;
  }

  /** Row i as the app's Market (the record the rules and the executor take). */
  market(i: number): Market {
    return {
      ticker: this.tickers[i]!,
      eventTicker: this.eventTicker(i),
      title: this.titles[i]!,
      status: 'active',
      createdMs: this.createdMs[i]!,
      settlesMs: this.settlesMs[i]!,
      yesBidE4: this.yesBidE4[i]!,
      yesAskE4: this.yesAskE4[i]!,
      yesBidSizeE2: this.yesBidSizeE2[i]!,
      yesAskSizeE2: this.yesAskSizeE2[i]!,
      volume24hE2: this.volume24hE2[i]!,
      isCombo: false,
      exchangeIndex: this.exchangeIndex[i]!,
    };
  }

  /** Every row as a Market (tests, small tools; not the cycle's path). */
  markets(): Market[] {
    return Array.from({ length: this.size }, (_, i) => this.market(i));
  }

  /** Created times in whole seconds, ascending: the distribution the next scan plans its windows by. */
  createdSecondsSorted(): Float64Array {
    const out = new Float64Array(this.size);
    for (let i = 0; i < this.size; i++) out[i] = Math.floor(this.createdMs[i]! / 1000);
    return out.sort();
  }

  /** Bytes held, roughly (columns, strings, indexes): for the bench's memory-per-market figure. */
  approxBytes(): number {
    let strings = 0;
    for (let i = 0; i < this.size; i++) strings += this.tickers[i]!.length + this.titles[i]!.length + 32;
    for (const e of this.events) strings += e.length + 16;
    // columns + two pointer arrays + the ticker index (~40 B an entry) + the tickers' text for the trail
    return this.capacity * (4 * 3 + 8 * 5 + 1) + this.size * (16 + 40) + strings + this.names.length;
  }

  private grow(): void {
    const n = this.capacity * 2;
    const g = <T extends Int32Array | Float64Array | Uint8Array>(a: T, make: (n: number) => T): T => {
      const b = make(n);
      b.set(a);
      return b;
    };
    this.eventOf = g(this.eventOf, (k) => new Int32Array(k));
    this.yesBidE4 = g(this.yesBidE4, (k) => new Int32Array(k));
    this.yesAskE4 = g(this.yesAskE4, (k) => new Int32Array(k));
    this.yesBidSizeE2 = g(this.yesBidSizeE2, (k) => new Float64Array(k));
    this.yesAskSizeE2 = g(this.yesAskSizeE2, (k) => new Float64Array(k));
    this.volume24hE2 = g(this.volume24hE2, (k) => new Float64Array(k));
    this.settlesMs = g(this.settlesMs, (k) => new Float64Array(k));
    this.createdMs = g(this.createdMs, (k) => new Float64Array(k));
    this.exchangeIndex = g(this.exchangeIndex, (k) => new Uint8Array(k));
  }
}
