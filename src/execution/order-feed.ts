// What the stream's `user_orders` and `fill` channels say about our own orders, kept per exchange order id, so an
// order in flight is confirmed and booked from the push instead of polled over REST. A report counts only when it is
// whole: a terminal status and fill records that add up to its fill count. Anything less (a lost frame: neither
// channel has sequence numbers) leaves the order to the REST path, which stays the fallback. The frames are input
// like any other: the executor bounds them exactly as it bounds a REST report (believeReport, boundedFills).
import type { Fill, Order } from '../kalshi/schemas.js';
import type { FillFrame, UserOrderFrame } from '../kalshi/ws-schemas.js';

interface Entry {
  status: string | null;
  ticker: string | null;
  clientOrderId: string | null;
  exchangeIndex: number | null;
  fillCountE2: number | null;
  remainingCountE2: number | null;
  /** The order's own cost and fee parts where a push carried them (the largest seen; null: never pushed). */
  reported: Order['reported'];
  /** By trade id; `side` as pushed (null: the frame did not say, so it is the order's own side). */
  fills: Map<string, { fill: Omit<Fill, 'bookSide' | 'outcomeSide' | 'noPriceE4'>; side: 'yes' | 'no' | null; feeKnown: boolean }>;
  seenMs: number;
}

/** Orders remembered at most (oldest dropped first): the feed is a short-lived buffer, not a history. */
const MAX_ORDERS = 2_000;

export class OrderFeed {
  private readonly orders = new Map<string, Entry>();
  private readonly waiters = new Map<string, Set<() => void>>();
  /** Orders booked on the feed's own fill records (what /status counts as fills booked from the stream). */
  booked = 0;

  /** `live`: whether the stream is connected now (a report can only be waited for on a live stream). */
  constructor(
    private readonly live: () => boolean,
    private readonly now: () => number = Date.now,
  ) {}

  get connected(): boolean {
    return this.live();
  }

  noteOrder(m: UserOrderFrame['msg']): void {
    const e = this.entry(m.order_id);
    // A terminal status sticks (frames may come reordered); counts only grow.
    if (!isTerminal(e.status)) e.status = m.status;
    e.ticker ??= m.ticker;
    e.clientOrderId ??= m.client_order_id || null;
    e.exchangeIndex ??= m.exchange_index ?? null;
    if (m.fill_count_fp !== undefined) e.fillCountE2 = Math.max(e.fillCountE2 ?? 0, m.fill_count_fp);
    const r = e.reported;
    r.takerCostE4 = larger(r.takerCostE4, m.taker_fill_cost_dollars);
    r.makerCostE4 = larger(r.makerCostE4, m.maker_fill_cost_dollars);
    r.takerFeesE4 = larger(r.takerFeesE4, m.taker_fees_dollars);
    r.makerFeesE4 = larger(r.makerFeesE4, m.maker_fees_dollars);
    if (m.remaining_count_fp !== undefined) e.remainingCountE2 = isTerminal(m.status) || e.remainingCountE2 === null ? m.remaining_count_fp : Math.min(e.remainingCountE2, m.remaining_count_fp);
    this.wake(m.order_id);
  }

  noteFill(m: FillFrame['msg']): void {
    const e = this.entry(m.order_id);
    // A fill whose fee the push does not say is no fill to book on: the order waits for the REST list instead.
    e.fills.set(m.trade_id, {
      feeKnown: m.fee_cost !== undefined,
      side: m.side ?? null,
      fill: {
        fillId: m.trade_id,
        orderId: m.order_id,
        ticker: m.market_ticker,
        countE2: m.count_fp,
        yesPriceE4: m.yes_price_dollars,
        isTaker: m.is_taker ?? false,
        feeE4: m.fee_cost ?? 0,
        createdMs: m.ts_ms ?? this.now(),
        exchangeIndex: m.exchange_index ?? null,
      },
    });
    this.wake(m.order_id);
  }

  /**
   * The order as the feed reports it, when the report is whole (its fill records are taken at booking, by
   * fillsCovering). `side` is the side we bought (the frames may not say).
   */
  report(orderId: string, side: 'yes' | 'no'): Order | null {
    const e = this.orders.get(orderId);
    if (!e || !isTerminal(e.status) || e.fillCountE2 === null || e.remainingCountE2 === null || e.ticker === null) return null;
    const fills = fillsOf(e, side);
    if (fills === null || fills.reduce((a, f) => a + f.countE2, 0) < e.fillCountE2) return null;
    const initial = e.fillCountE2 + e.remainingCountE2;
    return {
      orderId,
      clientOrderId: e.clientOrderId,
      ticker: e.ticker,
      bookSide: side === 'yes' ? 'bid' : 'ask',
      outcomeSide: side,
      status: e.status!,
      isTerminal: true,
      yesPriceE4: 0,
      noPriceE4: 0,
      initialCountE2: initial,
      fillCountE2: e.fillCountE2,
      remainingCountE2: e.remainingCountE2,
      // What the order's own pushes said it cost (0 where they did not): the larger of this and the fills is booked.
      fillCostE4: (e.reported.takerCostE4 ?? 0) + (e.reported.makerCostE4 ?? 0),
      feesE4: (e.reported.takerFeesE4 ?? 0) + (e.reported.makerFeesE4 ?? 0),
      reported: { ...e.reported },
      createdMs: e.seenMs,
      updatedMs: null,
      expirationMs: null,
      exchangeIndex: e.exchangeIndex,
    };
  }

  /**
   * For booking: the fill records of an order when they add up to `fillCountE2` (its report's count, pushed or
   * read), else null (the REST list is read). Counted in `booked` when they do.
   */
  fillsCovering(orderId: string, side: 'yes' | 'no', fillCountE2: number): Fill[] | null {
    const e = this.orders.get(orderId);
    if (!e) return null;
    const fills = fillsOf(e, side);
    if (fills === null || fills.reduce((a, f) => a + f.countE2, 0) !== fillCountE2) return null;
    if (fillCountE2 > 0) this.booked++;
    return fills;
  }

  /**
   * Wait for the whole report on an order, up to `ms` (or until the signal fires or the stream drops): null when
   * there is none by then.
   */
  async settled(orderId: string, side: 'yes' | 'no', ms: number, signal?: AbortSignal): Promise<Order | null> {
    const deadline = performance.now() + ms;
    for (;;) {
      const r = this.report(orderId, side);
      if (r || !this.live() || signal?.aborted) return r;
      const left = deadline - performance.now();
      if (left <= 0) return null;
      // Woken by a frame on this order, or every 250 ms to notice a dropped stream, the deadline or the signal.
      await new Promise<void>((resolve) => {
        const set = this.waiters.get(orderId) ?? new Set();
        const done = () => {
          clearTimeout(timer);
          set.delete(done);
          if (set.size === 0) this.waiters.delete(orderId);
          resolve();
        };
        const timer = setTimeout(done, Math.min(left, 250));
        set.add(done);
        this.waiters.set(orderId, set);
      });
    }
  }

  /** The order is booked: its frames are no longer needed. */
  forget(orderId: string): void {
    this.orders.delete(orderId);
  }

  private entry(orderId: string): Entry {
    let e = this.orders.get(orderId);
    if (!e) {
      if (this.orders.size >= MAX_ORDERS) this.orders.delete(this.orders.keys().next().value!);
      e = {
        status: null,
        ticker: null,
        clientOrderId: null,
        exchangeIndex: null,
        fillCountE2: null,
        remainingCountE2: null,
        reported: { takerCostE4: null, makerCostE4: null, takerFeesE4: null, makerFeesE4: null },
        fills: new Map(),
        seenMs: this.now(),
      };
      this.orders.set(orderId, e);
    }
    return e;
  }

  private wake(orderId: string): void {
    for (const w of [...(this.waiters.get(orderId) ?? [])]) w();
  }
}

const isTerminal = (s: string | null) => s === 'executed' || s === 'canceled';

const larger = (a: number | null, b: number | undefined): number | null => (b === undefined ? a : a === null ? b : Math.max(a, b));

/**
 * The order's fill records. Kalshi's fill channel need not say the side: a fill of our order is on the side the order
 * bought (`side`). One that says another side is kept as it says (boundedFills then drops it, and the report is not
 * believed).
 */
function fillsOf(e: Entry, side: 'yes' | 'no'): Fill[] | null {
  const all = [...e.fills.values()];
  // One fill without its fee: the pushed records cannot say what the order cost (null: read them over REST).
  if (all.some((f) => !f.feeKnown)) return null;
  return all.map(({ fill, side: pushed }) => {
    const s = pushed ?? side;
    return { ...fill, outcomeSide: s, bookSide: s === 'yes' ? 'bid' : 'ask', noPriceE4: 10_000 - fill.yesPriceE4 };
  });
}
