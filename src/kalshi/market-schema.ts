// The wire Market record -> the app's Market. Prices become integer e4, counts integer e2.
// Unknown fields are ignored (zod objects strip them); removed 2026 fields are never read.
import { z } from 'zod';
import { parseCountE2, parseDollarsE4 } from '../money.js';

/** A dollar string ("0.5600", up to 6 decimals on the wire) -> integer e4. */
export const priceE4 = z.string().transform((v, ctx) => {
  const e4 = parseDollarsE4(v, 'down');
  if (e4 === null) {
    ctx.addIssue({ code: 'custom', message: `not a dollar amount: "${v}"` });
    return z.NEVER;
  }
  return e4;
});

/** A dollar amount that is a cost or fee: extra digits round up (never understate money at risk). */
export const costE4 = z.string().transform((v, ctx) => {
  const e4 = parseDollarsE4(v, 'up');
  if (e4 === null) {
    ctx.addIssue({ code: 'custom', message: `not a dollar amount: "${v}"` });
    return z.NEVER;
  }
  return e4;
});

/** A 2-decimal count string ("10.00") -> integer e2. */
export const countE2 = z.string().transform((v, ctx) => {
  const e2 = parseCountE2(v);
  if (e2 === null) {
    ctx.addIssue({ code: 'custom', message: `not a count: "${v}"` });
    return z.NEVER;
  }
  return e2;
});

/** RFC 3339 -> epoch ms. */
export const timeMs = z.string().transform((v, ctx) => {
  const ms = Date.parse(v);
  if (Number.isNaN(ms)) {
    ctx.addIssue({ code: 'custom', message: `not a time: "${v}"` });
    return z.NEVER;
  }
  return ms;
});

/** An exchange shard (matching engine): 0 is the catch-all; the reference names 0-100. */
export const exchangeIndex = z.number().int().min(0).max(100);

export const PriceRangeWire = z.object({ start: priceE4, end: priceE4, step: priceE4 });

export const MarketWire = z
  .object({
    ticker: z.string().min(1),
    event_ticker: z.string().min(1),
    market_type: z.string(),
    title: z.string().default(''),
    yes_sub_title: z.string().optional(),
    status: z.string(),
    created_time: timeMs,
    open_time: timeMs.optional(),
    close_time: timeMs,
    expected_expiration_time: timeMs.nullish(),
    latest_expiration_time: timeMs.optional(),
    yes_bid_dollars: priceE4,
    yes_ask_dollars: priceE4,
    no_bid_dollars: priceE4,
    no_ask_dollars: priceE4,
    last_price_dollars: priceE4.optional(),
    yes_bid_size_fp: countE2.optional(),
    yes_ask_size_fp: countE2.optional(),
    volume_fp: countE2.optional(),
    volume_24h_fp: countE2.optional(),
    open_interest_fp: countE2.optional(),
    price_ranges: z.array(PriceRangeWire).optional(),
    mve_collection_ticker: z.string().optional(),
    // Absent means shard 0 (records from before sharding).
    exchange_index: exchangeIndex.optional(),
  })
  // Bounds at the edge: a price outside [0, 1] or a negative size or volume is not market data; the record is skipped.
  .refine(
    (m) =>
      [m.yes_bid_dollars, m.yes_ask_dollars, m.no_bid_dollars, m.no_ask_dollars, m.last_price_dollars ?? 0].every((p) => p >= 0 && p <= 10_000) &&
      [m.yes_bid_size_fp, m.yes_ask_size_fp, m.volume_fp, m.volume_24h_fp, m.open_interest_fp].every((c) => c === undefined || c >= 0),
    { message: 'a price outside [0, 1] or a negative count' },
  )
  .transform((m) => ({
    ticker: m.ticker,
    eventTicker: m.event_ticker,
    marketType: m.market_type,
    title: m.title,
    subtitle: m.yes_sub_title ?? '',
    status: m.status,
    createdMs: m.created_time,
    closeMs: m.close_time,
    /** When the market is expected to settle: the expected expiration if known, else the close time. */
    settlesMs: m.expected_expiration_time ?? m.close_time,
    yesBidE4: m.yes_bid_dollars,
    yesAskE4: m.yes_ask_dollars,
    noBidE4: m.no_bid_dollars,
    noAskE4: m.no_ask_dollars,
    lastPriceE4: m.last_price_dollars ?? null,
    // Sizes at the top of book. NO ask size = YES bid size (a NO buy takes the YES bids), and vice versa.
    yesBidSizeE2: m.yes_bid_size_fp ?? 0,
    yesAskSizeE2: m.yes_ask_size_fp ?? 0,
    volumeE2: m.volume_fp ?? 0,
    volume24hE2: m.volume_24h_fp ?? 0,
    openInterestE2: m.open_interest_fp ?? 0,
    priceRanges: m.price_ranges ?? [],
    isCombo: m.mve_collection_ticker !== undefined || m.ticker.startsWith('KXMVE'),
    exchangeIndex: m.exchange_index ?? 0,
  }));

export type Market = z.output<typeof MarketWire>;
export type MarketWireInput = z.input<typeof MarketWire>;
export type PriceRange = z.output<typeof PriceRangeWire>;
