// The wire Market record -> the app's Market. Prices become integer e4, counts integer e2.
// Unknown fields are ignored (zod objects strip them); removed 2026 fields are never read.
import { z } from 'zod';
import { parseCountE2 as countImport, parseDollarsE4 as dollarsImport } from '../money.js';

// Imported bindings read through an accessor under tsx: these run for every field of 120,000 records a scan.
const parseCountE2 = countImport;
const parseDollarsE4 = dollarsImport;

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

/**
 * The wire record as Kalshi documents it (KALSHI_API.md). Only the fields marked "read" below are parsed: the
 * listing carries 120,000+ of these every cycle, so what the app never uses is neither checked nor kept.
 */
export interface MarketWireInput {
  /** read */
  ticker: string;
  /** read */
  event_ticker: string;
  market_type?: string;
  /** read (orders and approvals show it) */
  title?: string;
  yes_sub_title?: string;
  no_sub_title?: string;
  /** read */
  status: string;
  /** read (the scan's created-time windows) */
  created_time: string;
  open_time?: string;
  /** read (settlement time when no expected expiration is given) */
  close_time: string;
  /** read */
  expected_expiration_time?: string | null;
  latest_expiration_time?: string;
  /** read */
  yes_bid_dollars: string;
  /** read */
  yes_ask_dollars: string;
  no_bid_dollars?: string;
  no_ask_dollars?: string;
  last_price_dollars?: string;
  /** read */
  yes_bid_size_fp?: string;
  /** read */
  yes_ask_size_fp?: string;
  volume_fp?: string;
  /** read */
  volume_24h_fp?: string;
  open_interest_fp?: string;
  price_ranges?: Array<{ start: string; end: string; step: string }>;
  /** read (combos are not traded) */
  mve_collection_ticker?: string;
  /** read */
  exchange_index?: number;
}

/**
 * Wire -> Market. Every field the app uses, and only those: the layers read prices, sizes, 24h volume, settlement
 * time, status, shard and event; orders and approvals show the title; the scan plans by created time.
 */
export const MarketWire = z
  .object({
    ticker: z.string().min(1),
    event_ticker: z.string().min(1),
    title: z.string().default(''),
    status: z.string(),
    created_time: timeMs,
    close_time: timeMs,
    expected_expiration_time: timeMs.nullish(),
    yes_bid_dollars: priceE4,
    yes_ask_dollars: priceE4,
    yes_bid_size_fp: countE2.optional(),
    yes_ask_size_fp: countE2.optional(),
    volume_24h_fp: countE2.optional(),
    mve_collection_ticker: z.string().optional(),
    // Absent means shard 0 (records from before sharding).
    exchange_index: exchangeIndex.optional(),
  })
  // Bounds at the edge: a price outside [0, 1] or a negative size or volume is not market data; the record is skipped.
  .refine(
    (m) =>
      m.yes_bid_dollars >= 0 &&
      m.yes_bid_dollars <= 10_000 &&
      m.yes_ask_dollars >= 0 &&
      m.yes_ask_dollars <= 10_000 &&
      (m.yes_bid_size_fp ?? 0) >= 0 &&
      (m.yes_ask_size_fp ?? 0) >= 0 &&
      (m.volume_24h_fp ?? 0) >= 0,
    { message: 'a price outside [0, 1] or a negative count' },
  )
  .transform((m) => ({
    ticker: m.ticker,
    eventTicker: m.event_ticker,
    title: m.title,
    status: m.status,
    createdMs: m.created_time,
    /** When the market is expected to settle: the expected expiration if known, else the close time. */
    settlesMs: m.expected_expiration_time ?? m.close_time,
    yesBidE4: m.yes_bid_dollars,
    yesAskE4: m.yes_ask_dollars,
    // Sizes at the top of book. NO ask size = YES bid size (a NO buy takes the YES bids), and vice versa.
    yesBidSizeE2: m.yes_bid_size_fp ?? 0,
    yesAskSizeE2: m.yes_ask_size_fp ?? 0,
    volume24hE2: m.volume_24h_fp ?? 0,
    isCombo: m.mve_collection_ticker !== undefined || m.ticker.startsWith('KXMVE'),
    exchangeIndex: m.exchange_index ?? 0,
  }));

export type Market = z.output<typeof MarketWire>;
export type PriceRange = z.output<typeof PriceRangeWire>;
