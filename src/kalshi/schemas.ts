// Zod wire schemas: Kalshi JSON in, the app's types out (prices/money e4, counts e2, times epoch ms).
// Unknown fields are stripped; fields removed in 2026 are never read.
import { z } from 'zod';
import { parseDollarsE4 } from '../money.js';
import { costE4, countE2, exchangeIndex, MarketWire, priceE4, timeMs, type Market } from './market-schema.js';

export { costE4, countE2, exchangeIndex, MarketWire, priceE4, timeMs, PriceRangeWire } from './market-schema.js';
export type { Market, MarketWireInput, PriceRange } from './market-schema.js';

/** A signed dollar amount such as P&L ("-0.5000"): extra digits round toward -infinity (never overstate a gain). */
export const signedMoneyE4 = priceE4;

/** Integer cents (balance, revenue) -> e4. */
export const centsE4 = z.number().int().transform((c) => c * 100);

/** "" / null / absent all mean "no more pages". */
export const Cursor = z
  .string()
  .nullish()
  .transform((c) => (c ? c : null));

/** Parse records one by one: a bad record is skipped and counted, never fatal to its page. */
function tolerantList<T extends z.ZodType>(item: T) {
  return z
    .array(z.unknown())
    .nullish()
    .transform((records) => {
      const items: Array<z.output<T>> = [];
      let skipped = 0;
      for (const r of records ?? []) {
        const parsed = item.safeParse(r);
        if (parsed.success) items.push(parsed.data);
        else skipped += 1;
      }
      return { items, skipped };
    });
}

/** A list that must parse whole: portfolio records carry money, so a silently dropped one would be worse than an error. */
function strictList<T extends z.ZodType>(item: T) {
  return z
    .array(item)
    .nullish()
    .transform((v) => v ?? []);
}

// ---------- Markets ----------

export const MarketsPage = z
  .object({ markets: tolerantList(MarketWire), cursor: Cursor })
  .transform((p): { markets: Market[]; skipped: number; cursor: string | null } => ({
    markets: p.markets.items,
    skipped: p.markets.skipped,
    cursor: p.cursor,
  }));
export type MarketsPage = z.output<typeof MarketsPage>;

export const MarketResponse = z.object({ market: MarketWire }).transform((r) => r.market);

// ---------- Settled markets and their price history (calibration) ----------

/** `settlement_ts`: RFC 3339 on the wire (the spec says date-time); unix seconds accepted too. */
const settledTime = z.union([timeMs, z.number().int().nonnegative().transform((s) => s * 1000)]);

/**
 * A market of the settled listing (GET /markets?status=settled): what calibration needs of it, and only that. The
 * result is 'yes' or 'no' for a binary market that resolved; anything else (void, scalar, not yet determined) is null.
 */
export const SettledMarketWire = z
  .object({
    ticker: z.string().min(1),
    event_ticker: z.string().min(1),
    market_type: z.string().optional(),
    status: z.string(),
    result: z.string().nullish(),
    close_time: timeMs,
    expected_expiration_time: timeMs.nullish(),
    settlement_ts: settledTime.nullish(),
    mve_collection_ticker: z.string().optional(),
  })
  .transform((m) => ({
    ticker: m.ticker,
    eventTicker: m.event_ticker,
    status: m.status,
    result: (m.market_type === undefined || m.market_type === 'binary') && (m.result === 'yes' || m.result === 'no') ? (m.result as 'yes' | 'no') : null,
    closeMs: m.close_time,
    /** When it was expected to settle, as an open market's record says (what the bot's time to settlement is measured to). */
    settlesMs: m.expected_expiration_time ?? m.close_time,
    settledMs: m.settlement_ts ?? null,
    isCombo: m.mve_collection_ticker !== undefined || m.ticker.startsWith('KXMVE'),
  }));
export type SettledMarket = z.output<typeof SettledMarketWire>;

export const SettledMarketsPage = z
  .object({ markets: tolerantList(SettledMarketWire), cursor: Cursor })
  .transform((p) => ({ markets: p.markets.items, skipped: p.markets.skipped, cursor: p.cursor }));

/** A bid or ask OHLC of a candlestick: the close is what is read (null when the period had no quote). */
const QuoteOhlc = z.object({ close_dollars: priceE4.nullish() }).nullish();

/** One candlestick (GetMarketCandlesticks / BatchGetMarketCandlesticks): the quote at the end of the period. */
export const CandlestickWire = z
  .object({
    end_period_ts: z.number().int().nonnegative(),
    yes_bid: QuoteOhlc,
    yes_ask: QuoteOhlc,
    volume_fp: countE2.optional(),
  })
  .refine((c) => [c.yes_bid?.close_dollars, c.yes_ask?.close_dollars].every((p) => p === undefined || p === null || (p >= 0 && p <= 10_000)), {
    message: 'a quote outside [0, 1]',
  })
  .transform((c) => ({
    endMs: c.end_period_ts * 1000,
    yesBidE4: c.yes_bid?.close_dollars ?? null,
    yesAskE4: c.yes_ask?.close_dollars ?? null,
    volumeE2: c.volume_fp ?? 0,
  }));
export type Candlestick = z.output<typeof CandlestickWire>;

/** GET /markets/candlesticks: one entry per market; a bad candle is skipped and counted. */
export const BatchCandlesticks = z
  .object({ markets: z.array(z.object({ market_ticker: z.string().min(1), candlesticks: tolerantList(CandlestickWire) })) })
  .transform((r) => {
    const byTicker = new Map<string, Candlestick[]>();
    let skipped = 0;
    for (const m of r.markets) {
      byTicker.set(m.market_ticker, m.candlesticks.items);
      skipped += m.candlesticks.skipped;
    }
    return { byTicker, skipped };
  });

// ---------- Order book ----------

const Level = z.tuple([priceE4, countE2]).transform(([p, c]) => ({ priceE4: p, countE2: c }));

/** Bids only, ascending (best last). YES ask = 1 - best NO bid; NO ask = 1 - best YES bid. */
export const OrderbookResponse = z
  .object({
    orderbook_fp: z.object({
      yes_dollars: z.array(Level).nullish(),
      no_dollars: z.array(Level).nullish(),
    }),
  })
  .transform((r) => {
    const yesBids = r.orderbook_fp.yes_dollars ?? [];
    const noBids = r.orderbook_fp.no_dollars ?? [];
    const bestYesBid = yesBids.at(-1) ?? null;
    const bestNoBid = noBids.at(-1) ?? null;
    return {
      yesBids,
      noBids,
      yesBidE4: bestYesBid?.priceE4 ?? null,
      noBidE4: bestNoBid?.priceE4 ?? null,
      yesAskE4: bestNoBid ? 10_000 - bestNoBid.priceE4 : null,
      noAskE4: bestYesBid ? 10_000 - bestYesBid.priceE4 : null,
      yesAskSizeE2: bestNoBid?.countE2 ?? 0,
      noAskSizeE2: bestYesBid?.countE2 ?? 0,
    };
  });
export type Orderbook = z.output<typeof OrderbookResponse>;

// ---------- Events and series ----------

export const EventWire = z
  .object({
    event_ticker: z.string().min(1),
    series_ticker: z.string().min(1),
    title: z.string().default(''),
    sub_title: z.string().optional(),
    category: z.string().nullish(),
    mutually_exclusive: z.boolean().optional(),
    // An event's own fee rule wins over its series' (KALSHI_API.md, Fees).
    fee_type_override: z.string().nullish(),
    fee_multiplier_override: z.lazy(() => multiplierE4).nullish(),
    exchange_index: exchangeIndex.optional(),
  })
  .transform((e) => ({
    eventTicker: e.event_ticker,
    seriesTicker: e.series_ticker,
    title: e.title,
    subtitle: e.sub_title ?? '',
    category: e.category ?? null,
    mutuallyExclusive: e.mutually_exclusive ?? false,
    feeTypeOverride: e.fee_type_override || null,
    feeMultiplierOverrideE4: e.fee_multiplier_override ?? null,
  }));
export type Event = z.output<typeof EventWire>;

export const EventsPage = z
  .object({ events: tolerantList(EventWire), cursor: Cursor })
  .transform((p) => ({ events: p.events.items, skipped: p.events.skipped, cursor: p.cursor }));
export type EventsPage = z.output<typeof EventsPage>;

export const EventResponse = z.object({ event: EventWire }).transform((r) => r.event);

/** fee_multiplier comes as a JSON number (1, 0.5) or a string: -> e4 via its decimal text, rounded up (never understate a fee). */
export const multiplierE4 = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const e4 = parseDollarsE4(typeof v === 'number' ? String(v) : v, 'up');
  if (e4 === null || e4 < 0) {
    ctx.addIssue({ code: 'custom', message: `not a fee multiplier: ${String(v)}` });
    return z.NEVER;
  }
  return e4;
});

export const SeriesWire = z
  .object({
    ticker: z.string().min(1),
    title: z.string().default(''),
    category: z.string().default(''),
    tags: z.array(z.string()).nullish(),
    fee_type: z.string().default('quadratic'),
    fee_multiplier: multiplierE4.default(10_000),
  })
  .transform((s) => ({
    ticker: s.ticker,
    title: s.title,
    category: s.category,
    tags: s.tags ?? [],
    feeType: s.fee_type,
    feeMultiplierE4: s.fee_multiplier,
  }));
export type Series = z.output<typeof SeriesWire>;

export const SeriesList = z
  .object({ series: tolerantList(SeriesWire) })
  .transform((r) => ({ series: r.series.items, skipped: r.series.skipped }));
export type SeriesList = z.output<typeof SeriesList>;

/** A scheduled fee change of a series: `scheduled_ts` is RFC 3339 in the spec, unix seconds in some clients: take both. */
export const SeriesFeeChangeWire = z
  .object({
    id: z.union([z.string(), z.number()]).optional(),
    series_ticker: z.string().min(1),
    fee_type: z.string().min(1),
    fee_multiplier: multiplierE4,
    scheduled_ts: z.union([timeMs, z.number().int().nonnegative().transform((s) => s * 1000)]),
  })
  .transform((c) => ({ seriesTicker: c.series_ticker, feeType: c.fee_type, feeMultiplierE4: c.fee_multiplier, scheduledMs: c.scheduled_ts }));
export type SeriesFeeChange = z.output<typeof SeriesFeeChangeWire>;

/** GET /series/fee_changes (an empty list on the recorded wire). A bad record is skipped and counted. */
export const SeriesFeeChanges = z
  .object({ series_fee_change_arr: tolerantList(SeriesFeeChangeWire) })
  .transform((r) => ({ changes: r.series_fee_change_arr.items, skipped: r.series_fee_change_arr.skipped }));

// ---------- Exchange and account ----------

const ShardStatusWire = z
  .object({
    exchange_index: exchangeIndex,
    description: z.string().optional(),
    exchange_active: z.boolean(),
    trading_active: z.boolean(),
    intra_exchange_transfers_active: z.boolean().optional(),
  })
  .transform((s) => ({
    exchangeIndex: s.exchange_index,
    description: s.description ?? '',
    exchangeActive: s.exchange_active,
    tradingActive: s.trading_active,
    // Unknown means not shown to be open: a transfer is not attempted on a guess.
    transfersActive: s.intra_exchange_transfers_active ?? false,
  }));
export type ShardStatus = z.output<typeof ShardStatusWire>;

/** Top-level fields describe shard 0; `exchange_index_statuses` (absent if unavailable) each shard. */
export const ExchangeStatus = z
  .object({
    exchange_active: z.boolean(),
    trading_active: z.boolean(),
    exchange_estimated_resume_time: timeMs.nullish(),
    exchange_index_statuses: tolerantList(ShardStatusWire).optional(),
  })
  .transform((s) => ({
    exchangeActive: s.exchange_active,
    tradingActive: s.trading_active,
    estimatedResumeMs: s.exchange_estimated_resume_time ?? null,
    shards: s.exchange_index_statuses?.items ?? [],
  }));
export type ExchangeStatus = z.output<typeof ExchangeStatus>;

const WireBucket = z
  .object({ bucket_capacity: z.number().positive(), refill_rate: z.number().positive() })
  .transform((b) => ({ capacity: b.bucket_capacity, refillPerSec: b.refill_rate }));

export const AccountLimits = z
  .object({ usage_tier: z.string(), read: WireBucket, write: WireBucket })
  .transform((l) => ({ tier: l.usage_tier, read: l.read, write: l.write }));
export type AccountLimits = z.output<typeof AccountLimits>;

export const EndpointCosts = z
  .object({
    default_cost: z.number().int().nonnegative(),
    endpoint_costs: z.array(z.object({ cost: z.number().int().nonnegative(), method: z.string(), path: z.string() })),
  })
  .transform((c) => ({ defaultCost: c.default_cost, costs: c.endpoint_costs }));

// ---------- Orders ----------

export const BookSide = z.enum(['bid', 'ask']);
export type BookSide = z.output<typeof BookSide>;

export const CreateOrderResponse = z
  .object({
    order_id: z.string().min(1),
    client_order_id: z.string().nullish(),
    fill_count: countE2,
    remaining_count: countE2,
    average_fill_price: priceE4.nullish(),
    average_fee_paid: costE4.nullish(),
    ts_ms: z.number().int().nullish(),
  })
  .transform((r) => ({
    orderId: r.order_id,
    clientOrderId: r.client_order_id ?? null,
    fillCountE2: r.fill_count,
    remainingCountE2: r.remaining_count,
    averageFillPriceE4: r.average_fill_price ?? null,
    averageFeePaidE4: r.average_fee_paid ?? null,
    tsMs: r.ts_ms ?? null,
  }));
export type CreateOrderResponse = z.output<typeof CreateOrderResponse>;

export const OrderWire = z
  .object({
    order_id: z.string().min(1),
    client_order_id: z.string().nullish(),
    ticker: z.string().min(1),
    outcome_side: z.enum(['yes', 'no']).optional(),
    book_side: BookSide,
    status: z.string(),
    yes_price_dollars: priceE4,
    no_price_dollars: priceE4.optional(),
    initial_count_fp: countE2,
    fill_count_fp: countE2,
    remaining_count_fp: countE2,
    taker_fill_cost_dollars: costE4.optional(),
    maker_fill_cost_dollars: costE4.optional(),
    taker_fees_dollars: costE4.optional(),
    maker_fees_dollars: costE4.optional(),
    created_time: timeMs,
    last_update_time: timeMs.nullish(),
    expiration_time: timeMs.nullish(),
    exchange_index: exchangeIndex.optional(),
  })
  .transform((o) => ({
    orderId: o.order_id,
    clientOrderId: o.client_order_id ? o.client_order_id : null,
    ticker: o.ticker,
    bookSide: o.book_side,
    /** A bid buys YES; an ask sells YES, i.e. buys NO. */
    outcomeSide: o.outcome_side ?? (o.book_side === 'bid' ? 'yes' : 'no'),
    status: o.status,
    isTerminal: o.status === 'canceled' || o.status === 'executed',
    yesPriceE4: o.yes_price_dollars,
    noPriceE4: o.no_price_dollars ?? 10_000 - o.yes_price_dollars,
    initialCountE2: o.initial_count_fp,
    fillCountE2: o.fill_count_fp,
    remainingCountE2: o.remaining_count_fp,
    fillCostE4: (o.taker_fill_cost_dollars ?? 0) + (o.maker_fill_cost_dollars ?? 0),
    feesE4: (o.taker_fees_dollars ?? 0) + (o.maker_fees_dollars ?? 0),
    /** Each reported part as sent (null: absent), so a missing or negative part can be told from a zero. */
    reported: {
      takerCostE4: o.taker_fill_cost_dollars ?? null,
      makerCostE4: o.maker_fill_cost_dollars ?? null,
      takerFeesE4: o.taker_fees_dollars ?? null,
      makerFeesE4: o.maker_fees_dollars ?? null,
    },
    createdMs: o.created_time,
    updatedMs: o.last_update_time ?? null,
    expirationMs: o.expiration_time ?? null,
    exchangeIndex: o.exchange_index ?? null,
  }));
export type Order = z.output<typeof OrderWire>;

export const OrderResponse = z.object({ order: OrderWire }).transform((r) => r.order);

export const OrdersPage = z
  .object({ orders: strictList(OrderWire), cursor: Cursor })
  .transform((p) => ({ orders: p.orders, cursor: p.cursor }));
export type OrdersPage = z.output<typeof OrdersPage>;

export const CancelResponse = z
  .object({
    order_id: z.string().min(1),
    client_order_id: z.string().nullish(),
    reduced_by: countE2.optional(),
    reduced_by_fp: countE2.optional(),
    ts_ms: z.number().int().nullish(),
  })
  .transform((r) => ({
    orderId: r.order_id,
    clientOrderId: r.client_order_id ?? null,
    reducedByE2: r.reduced_by ?? r.reduced_by_fp ?? 0,
    tsMs: r.ts_ms ?? null,
  }));
export type CancelResponse = z.output<typeof CancelResponse>;

/** The dead V1 DELETE /portfolio/orders/{id} answer; parsed only so its fixture is understood. */
export const LegacyCancelResponse = z
  .object({ order: OrderWire, reduced_by_fp: countE2 })
  .transform((r) => ({ order: r.order, reducedByE2: r.reduced_by_fp }));

// ---------- Portfolio ----------

export const PositionWire = z
  .object({
    ticker: z.string().min(1),
    position_fp: countE2,
    market_exposure_dollars: costE4,
    realized_pnl_dollars: signedMoneyE4,
    fees_paid_dollars: costE4,
    total_traded_dollars: costE4.optional(),
    resting_orders_count: z.number().int().optional(),
    exchange_index: exchangeIndex.optional(),
  })
  .transform((p) => ({
    ticker: p.ticker,
    /** Signed: + YES contracts, - NO contracts. */
    positionE2: p.position_fp,
    exposureE4: p.market_exposure_dollars,
    realizedPnlE4: p.realized_pnl_dollars,
    feesPaidE4: p.fees_paid_dollars,
    totalTradedE4: p.total_traded_dollars ?? 0,
    restingOrdersCount: p.resting_orders_count ?? 0,
    exchangeIndex: p.exchange_index ?? null,
  }));
export type Position = z.output<typeof PositionWire>;

export const PositionsPage = z
  .object({ market_positions: strictList(PositionWire), cursor: Cursor })
  .transform((p) => ({ positions: p.market_positions, cursor: p.cursor }));

/** Money we hold: a dollar string, never negative (rounded down: never overstate cash). */
const heldDollarsE4 = z.string().transform((v, ctx) => {
  const e4 = parseDollarsE4(v, 'down');
  if (e4 === null || e4 < 0) {
    ctx.addIssue({ code: 'custom', message: `not a balance: "${v}"` });
    return z.NEVER;
  }
  return e4;
});

/** Unit trap: inside the breakdown `balance` is a DOLLAR STRING, while the top-level `balance` is integer cents. */
const ShardBalanceWire = z
  .object({ exchange_index: exchangeIndex, balance: heldDollarsE4 })
  .transform((b) => ({ exchangeIndex: b.exchange_index, balanceE4: b.balance }));
export type ShardBalance = z.output<typeof ShardBalanceWire>;

export const Balance = z
  .object({
    balance: centsE4.pipe(z.number().nonnegative()),
    balance_dollars: z.string().optional(),
    portfolio_value: centsE4.optional(),
    updated_ts: z.number().int().optional(),
    balance_breakdown: z.array(ShardBalanceWire).nullish(),
  })
  .transform((b) => ({
    /** Whole cents as Kalshi reports `balance`: the total over every shard. */
    balanceE4: b.balance,
    /** `balance_dollars` keeps sub-cent digits ("98.0186"); null if absent or unreadable. Rounded down: never overstate cash. */
    balanceExactE4: b.balance_dollars === undefined ? null : parseDollarsE4(b.balance_dollars, 'down'),
    portfolioValueE4: b.portfolio_value ?? null,
    updatedMs: b.updated_ts === undefined ? null : b.updated_ts * 1000,
    /** Per shard; null when the exchange sent no breakdown (then only the total is known). */
    shards: b.balance_breakdown ?? null,
  }));
export type Balance = z.output<typeof Balance>;

export const FillWire = z
  .object({
    fill_id: z.string().min(1),
    trade_id: z.string().optional(),
    order_id: z.string().min(1),
    ticker: z.string().min(1).optional(),
    market_ticker: z.string().min(1).optional(),
    outcome_side: z.enum(['yes', 'no']).optional(),
    book_side: BookSide,
    count_fp: countE2,
    yes_price_dollars: priceE4,
    no_price_dollars: priceE4.optional(),
    is_taker: z.boolean(),
    fee_cost: costE4.default(0),
    created_time: timeMs,
    exchange_index: exchangeIndex.optional(),
  })
  .refine((f) => f.ticker !== undefined || f.market_ticker !== undefined, { message: 'fill without a ticker' })
  .transform((f) => ({
    fillId: f.fill_id,
    orderId: f.order_id,
    ticker: f.ticker ?? f.market_ticker ?? '',
    bookSide: f.book_side,
    outcomeSide: f.outcome_side ?? (f.book_side === 'bid' ? 'yes' : 'no'),
    countE2: f.count_fp,
    yesPriceE4: f.yes_price_dollars,
    noPriceE4: f.no_price_dollars ?? 10_000 - f.yes_price_dollars,
    isTaker: f.is_taker,
    feeE4: f.fee_cost,
    createdMs: f.created_time,
    exchangeIndex: f.exchange_index ?? null,
  }));
export type Fill = z.output<typeof FillWire>;

export const FillsPage = z
  .object({ fills: strictList(FillWire), cursor: Cursor })
  .transform((p) => ({ fills: p.fills, cursor: p.cursor }));

export const SettlementWire = z
  .object({
    ticker: z.string().min(1),
    market_result: z.string(),
    yes_count_fp: countE2.optional(),
    no_count_fp: countE2.optional(),
    // Older integer-contract fields, read only when the _fp ones are absent.
    yes_count: z.number().int().optional(),
    no_count: z.number().int().optional(),
    revenue: centsE4,
    fee_cost: costE4.optional(),
    settled_time: timeMs,
    exchange_index: exchangeIndex.optional(),
  })
  .transform((s) => ({
    ticker: s.ticker,
    marketResult: s.market_result,
    yesCountE2: s.yes_count_fp ?? (s.yes_count ?? 0) * 100,
    noCountE2: s.no_count_fp ?? (s.no_count ?? 0) * 100,
    revenueE4: s.revenue,
    feeE4: s.fee_cost ?? 0,
    settledMs: s.settled_time,
    exchangeIndex: s.exchange_index ?? null,
  }));
export type Settlement = z.output<typeof SettlementWire>;

export const SettlementsPage = z
  .object({ settlements: strictList(SettlementWire), cursor: Cursor })
  .transform((p) => ({ settlements: p.settlements, cursor: p.cursor }));

// ---------- Transfers between exchange shards ----------

export const TransferWire = z
  .object({
    transfer_id: z.string().min(1),
    source: z.string().optional(),
    destination: z.string().optional(),
    source_exchange_shard: exchangeIndex.default(0),
    destination_exchange_shard: exchangeIndex.default(0),
    amount: heldDollarsE4,
    status: z.string(),
    created_ts: z.number().int().nonnegative(),
  })
  .transform((t) => ({
    transferId: t.transfer_id,
    fromShard: t.source_exchange_shard,
    toShard: t.destination_exchange_shard,
    amountE4: t.amount,
    status: t.status,
    complete: t.status === 'complete',
    createdMs: t.created_ts * 1000,
  }));
export type Transfer = z.output<typeof TransferWire>;

export const TransfersPage = z
  .object({ transfers: strictList(TransferWire), cursor: Cursor })
  .transform((p) => ({ transfers: p.transfers, cursor: p.cursor }));

export const TransferResponse = z.object({ transfer: TransferWire }).transform((r) => r.transfer);

export const CreateTransferResponse = z.object({ transfer_id: z.string().min(1) }).transform((r) => r.transfer_id);

// ---------- Public trades ----------

export const TradeWire = z
  .object({
    trade_id: z.string().min(1),
    ticker: z.string().min(1),
    count_fp: countE2,
    yes_price_dollars: priceE4,
    no_price_dollars: priceE4.optional(),
    taker_book_side: BookSide.optional(),
    taker_outcome_side: z.enum(['yes', 'no']).optional(),
    created_time: timeMs,
  })
  .transform((t) => ({
    tradeId: t.trade_id,
    ticker: t.ticker,
    countE2: t.count_fp,
    yesPriceE4: t.yes_price_dollars,
    noPriceE4: t.no_price_dollars ?? 10_000 - t.yes_price_dollars,
    takerBookSide: t.taker_book_side ?? null,
    takerOutcomeSide: t.taker_outcome_side ?? null,
    createdMs: t.created_time,
  }));
export type Trade = z.output<typeof TradeWire>;

export const TradesPage = z
  .object({ trades: tolerantList(TradeWire), cursor: Cursor })
  .transform((p) => ({ trades: p.trades.items, skipped: p.trades.skipped, cursor: p.cursor }));

// ---------- WebSocket frames (recorded; no WS client yet) ----------

const WsLevels = z.array(z.tuple([priceE4, countE2]));

export const WsMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('subscribed'), id: z.number().optional(), msg: z.object({ channel: z.string(), sid: z.number() }) }),
  z.object({
    type: z.literal('orderbook_snapshot'),
    sid: z.number(),
    seq: z.number(),
    msg: z.object({ market_ticker: z.string(), yes_dollars_fp: WsLevels.nullish(), no_dollars_fp: WsLevels.nullish() }),
  }),
  z.object({
    type: z.literal('orderbook_delta'),
    sid: z.number(),
    seq: z.number(),
    msg: z.object({ market_ticker: z.string(), price_dollars: priceE4, delta_fp: countE2, side: z.enum(['yes', 'no']), ts_ms: z.number().optional() }),
  }),
  z.object({ type: z.literal('trade'), sid: z.number(), msg: z.record(z.string(), z.unknown()) }),
  z.object({ type: z.literal('error'), id: z.number().optional(), msg: z.record(z.string(), z.unknown()) }),
]);
export type WsMessage = z.output<typeof WsMessage>;
