// WebSocket frames of /trade-api/ws/v2 -> the app's own shapes (integer prices e4, counts e2), parsed with zod.
// Only the channels the bot reads are typed in detail; any other frame type parses as `other` (ignored, counted).
import { z } from 'zod';
import { countE2, costE4, exchangeIndex, priceE4 } from './market-schema.js';

/** A signed 2-decimal count ("-3.00", "2.00") -> integer e2 (orderbook deltas). */
const signedCountE2 = z.string().transform((v, ctx) => {
  const m = /^(-)?(\d+)(?:\.(\d{1,2}))?$/.exec(v);
  if (!m) {
    ctx.addIssue({ code: 'custom', message: `not a signed count: "${v}"` });
    return z.NEVER;
  }
  const e2 = Number(m[2]) * 100 + Number((m[3] ?? '').padEnd(2, '0'));
  return m[1] ? -e2 : e2;
});

const tsMs = z.number().int().nonnegative();
const sid = z.number().int().nonnegative();
const seq = z.number().int().nonnegative();

const Subscribed = z.object({
  type: z.literal('subscribed'),
  id: z.number().int().optional(),
  msg: z.object({ channel: z.string(), sid }),
});

const Ok = z.object({ type: z.literal('ok'), id: z.number().int().optional(), sid: sid.optional() });

const ErrorFrame = z.object({
  type: z.literal('error'),
  id: z.number().int().optional(),
  msg: z.object({ code: z.number().int(), msg: z.string().optional() }),
});

const Ticker = z.object({
  type: z.literal('ticker'),
  sid,
  msg: z.object({
    market_ticker: z.string().min(1),
    price_dollars: priceE4.optional(),
    yes_bid_dollars: priceE4,
    yes_ask_dollars: priceE4,
    yes_bid_size_fp: countE2.optional(),
    yes_ask_size_fp: countE2.optional(),
    volume_fp: countE2.optional(),
    ts_ms: tsMs.optional(),
    /** deprecated: unix seconds */
    ts: z.number().int().nonnegative().optional(),
  }),
});

const Lifecycle = z.object({
  type: z.literal('market_lifecycle_v2'),
  sid,
  seq: seq.optional(),
  msg: z.object({
    market_ticker: z.string().min(1),
    event_type: z.string(),
    open_ts: z.number().int().optional(),
    close_ts: z.number().int().optional(),
    result: z.string().optional(),
    exchange_index: exchangeIndex.optional(),
  }),
});

const FillFrame = z.object({
  type: z.literal('fill'),
  sid,
  msg: z.object({
    trade_id: z.string(),
    order_id: z.string().min(1),
    market_ticker: z.string().min(1),
    is_taker: z.boolean().optional(),
    side: z.enum(['yes', 'no']).optional(),
    yes_price_dollars: priceE4,
    count_fp: countE2,
    fee_cost: costE4.optional(),
    client_order_id: z.string().optional(),
    exchange_index: exchangeIndex.optional(),
    ts_ms: tsMs.optional(),
  }),
});

const UserOrder = z.object({
  type: z.literal('user_order'),
  sid,
  msg: z.object({
    order_id: z.string().min(1),
    ticker: z.string().min(1),
    status: z.string(),
    client_order_id: z.string().optional(),
    fill_count_fp: countE2.optional(),
    remaining_count_fp: countE2.optional(),
    taker_fill_cost_dollars: costE4.optional(),
    maker_fill_cost_dollars: costE4.optional(),
    taker_fees_dollars: costE4.optional(),
    maker_fees_dollars: costE4.optional(),
    exchange_index: exchangeIndex.optional(),
  }),
});

const BookSnapshot = z.object({
  type: z.literal('orderbook_snapshot'),
  sid,
  seq,
  msg: z.object({
    market_ticker: z.string().min(1),
    yes_dollars_fp: z.array(z.tuple([priceE4, countE2])).optional(),
    no_dollars_fp: z.array(z.tuple([priceE4, countE2])).optional(),
  }),
});

const BookDelta = z.object({
  type: z.literal('orderbook_delta'),
  sid,
  seq,
  msg: z.object({
    market_ticker: z.string().min(1),
    price_dollars: priceE4,
    delta_fp: signedCountE2,
    side: z.enum(['yes', 'no']),
    ts_ms: tsMs.optional(),
  }),
});

const Trade = z.object({
  type: z.literal('trade'),
  sid,
  msg: z.object({ market_ticker: z.string().min(1), yes_price_dollars: priceE4, count_fp: countE2, ts_ms: tsMs.optional() }),
});

const Frame = z.discriminatedUnion('type', [Subscribed, Ok, ErrorFrame, Ticker, Lifecycle, FillFrame, UserOrder, BookSnapshot, BookDelta, Trade]);

export type WsFrame = z.output<typeof Frame> | { type: 'other'; raw: string };
export type TickerFrame = z.output<typeof Ticker>;
export type LifecycleFrame = z.output<typeof Lifecycle>;
export type FillFrame = z.output<typeof FillFrame>;
export type UserOrderFrame = z.output<typeof UserOrder>;

const KNOWN = new Set(['subscribed', 'ok', 'error', 'ticker', 'market_lifecycle_v2', 'fill', 'user_order', 'orderbook_snapshot', 'orderbook_delta', 'trade']);

/** One text frame -> a frame, `other` for a type the bot does not read, or null for a malformed one (counted, skipped). */
export function parseWsFrame(text: string): WsFrame | null {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return null;
  }
  const type = (json as { type?: unknown } | null)?.type;
  if (typeof type !== 'string') return null;
  if (!KNOWN.has(type)) return { type: 'other', raw: type };
  const r = Frame.safeParse(json);
  return r.success ? r.data : null;
}

/** The `seq` of a frame on a sequenced channel, else null. */
export function seqOf(f: WsFrame): { sid: number; seq: number } | null {
  if ('seq' in f && typeof f.seq === 'number' && 'sid' in f) return { sid: f.sid, seq: f.seq };
  return null;
}

/** The channels the bot subscribes to. */
export type StreamChannel = 'ticker' | 'market_lifecycle_v2' | 'fill' | 'user_orders';

export const subscribeCommand = (id: number, channels: readonly StreamChannel[]) => ({ id, cmd: 'subscribe', params: { channels: [...channels] } });
