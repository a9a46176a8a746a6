// Decoding POST /portfolio/events/orders like the Go server: JSON types first (a number where a
// string belongs -> the decoder's 400 shape), then the rules (zod), then integer prices/counts.
import { z } from 'zod';
import { badRequest, ERR, invalidParameters, type SimResponse } from './errors.js';
import { parseFixed } from './format.js';
import type { CreateOrderInput } from './exchange.js';

const GO_TYPES: Record<string, 'string' | 'bool' | 'int64' | 'int'> = {
  ticker: 'string',
  client_order_id: 'string',
  side: 'string',
  count: 'string',
  price: 'string',
  time_in_force: 'string',
  self_trade_prevention_type: 'string',
  expiration_time: 'int64',
  post_only: 'bool',
  reduce_only: 'bool',
  subaccount: 'int',
  exchange_index: 'int',
};

const jsonType = (v: unknown): string =>
  typeof v === 'number' ? 'number' : typeof v === 'string' ? 'string' : typeof v === 'boolean' ? 'bool' : Array.isArray(v) ? 'array' : 'object';

function goTypeError(field: string, v: unknown): string | null {
  const want = GO_TYPES[field];
  if (!want || v === null) return null; // unknown fields are ignored; null is Go's zero value
  const ok =
    want === 'string' ? typeof v === 'string' : want === 'bool' ? typeof v === 'boolean' : typeof v === 'number' && Number.isInteger(v);
  if (ok) return null;
  const got = typeof v === 'number' ? `number ${v}` : jsonType(v);
  return `json: cannot unmarshal ${want === 'string' || typeof v !== 'number' ? jsonType(v) : got} into Go struct field CreateOrderV2Request.${field} of type ${want}`;
}

const Body = z.object({
  ticker: z.string().min(1),
  side: z.enum(['bid', 'ask']),
  count: z.string().min(1),
  price: z.string().min(1),
  time_in_force: z.enum(['fill_or_kill', 'good_till_canceled', 'immediate_or_cancel']),
  self_trade_prevention_type: z.enum(['taker_at_cross', 'maker']),
  client_order_id: z.string().nullish(),
  expiration_time: z.number().int().nullish(),
  post_only: z.boolean().nullish(),
  reduce_only: z.boolean().nullish(),
});

export function decodeCreateOrder(text: string): CreateOrderInput | SimResponse {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return { status: 400, body: badRequest(`invalid character in JSON body: ${(e as Error).message}`) };
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { status: 400, body: badRequest(`json: cannot unmarshal ${jsonType(raw)} into Go value of type CreateOrderV2Request`) };
  }
  // Go reports the first mismatch in document order
  for (const [k, v] of Object.entries(raw)) {
    const err = goTypeError(k, v);
    if (err) return { status: 400, body: badRequest(err) };
  }
  const parsed = Body.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join('.') ?? 'body';
    return { status: 400, body: invalidParameters(`${field}: ${issue?.message ?? 'invalid'}`) };
  }
  const b = parsed.data;
  const countE2 = parseFixed(b.count, 2);
  if (countE2 === null || countE2 <= 0) return { status: 400, body: invalidParameters('count: must be a positive amount with at most 2 decimals') };
  // a price finer than the e4 grid cannot be on any market's grid
  const priceE4 = parseFixed(b.price, 4);
  if (priceE4 === null) return { status: 400, body: ERR.invalidPrice };
  const expirationS = b.expiration_time ?? null;
  if (expirationS !== null && b.time_in_force !== 'good_till_canceled') {
    return { status: 400, body: invalidParameters('expiration_time is only allowed with good_till_canceled') };
  }
  return {
    ticker: b.ticker,
    side: b.side,
    countE2,
    priceE4,
    tif: b.time_in_force,
    stp: b.self_trade_prevention_type,
    clientOrderId: b.client_order_id ?? '',
    expirationS,
    postOnly: b.post_only ?? false,
    reduceOnly: b.reduce_only ?? false,
  };
}
