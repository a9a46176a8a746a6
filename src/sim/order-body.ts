// Decoding POST bodies like the Go server (create order, intra-exchange transfer): JSON types first
// (a number where a string belongs -> the decoder's 400 shape), then the rules (zod), then integers.
import { z } from 'zod';
import { badRequest, ERR, invalidParameters, type SimResponse } from './errors.js';
import { parseFixed } from './format.js';
import type { CreateOrderInput, TransferInput } from './exchange.js';
import { MAX_SHARD } from './shards.js';

type GoType = 'string' | 'bool' | 'int64' | 'int';

const CREATE_ORDER_TYPES: Record<string, GoType> = {
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

function goTypeError(struct: string, types: Record<string, GoType>, field: string, v: unknown): string | null {
  const want = types[field];
  if (!want || v === null) return null; // unknown fields are ignored; null is Go's zero value
  const ok =
    want === 'string' ? typeof v === 'string' : want === 'bool' ? typeof v === 'boolean' : typeof v === 'number' && Number.isInteger(v);
  if (ok) return null;
  const got = typeof v === 'number' ? `number ${v}` : jsonType(v);
  return `json: cannot unmarshal ${want === 'string' || typeof v !== 'number' ? jsonType(v) : got} into Go struct field ${struct}.${field} of type ${want}`;
}

/** JSON.parse plus Go's type check of the known fields: the object, or the decoder's 400. */
function goDecode(text: string, struct: string, types: Record<string, GoType>): { raw: object } | { fail: SimResponse } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return { fail: { status: 400, body: badRequest(`invalid character in JSON body: ${(e as Error).message}`) } };
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { fail: { status: 400, body: badRequest(`json: cannot unmarshal ${jsonType(raw)} into Go value of type ${struct}`) } };
  }
  // Go reports the first mismatch in document order
  for (const [k, v] of Object.entries(raw)) {
    const err = goTypeError(struct, types, k, v);
    if (err) return { fail: { status: 400, body: badRequest(err) } };
  }
  return { raw };
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
  exchange_index: z.number().int().nullish(),
});

export function decodeCreateOrder(text: string): CreateOrderInput | SimResponse {
  const dec = goDecode(text, 'CreateOrderV2Request', CREATE_ORDER_TYPES);
  if ('fail' in dec) return dec.fail;
  const parsed = Body.safeParse(dec.raw);
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
  // exchange_index: >= 0 direct, -1 auto-route, omitted auto-route by ticker; anything else is invalid
  const exchangeIndex = b.exchange_index ?? null;
  if (exchangeIndex !== null && (exchangeIndex < -1 || exchangeIndex > MAX_SHARD)) {
    return { status: 400, body: invalidParameters(`exchange_index: must be -1 (auto-route) or 0..${MAX_SHARD}`) };
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
    exchangeIndex,
  };
}

const TRANSFER_TYPES: Record<string, GoType> = {
  source: 'string',
  destination: 'string',
  amount: 'int64',
  source_exchange_shard: 'int',
  destination_exchange_shard: 'int',
  source_subaccount: 'int',
  destination_subaccount: 'int',
};

const shardField = z.number().int().min(0).max(MAX_SHARD).nullish();
const TransferBody = z.object({
  source: z.enum(['event_contract', 'margined']),
  destination: z.enum(['event_contract', 'margined']),
  amount: z.number().int().positive().max(Number.MAX_SAFE_INTEGER / 100),
  source_exchange_shard: shardField,
  destination_exchange_shard: shardField,
  source_subaccount: z.number().int().min(0).nullish(),
  destination_subaccount: z.number().int().min(0).nullish(),
});

/** POST /portfolio/intra_exchange_instance_transfer (IntraExchangeInstanceTransferRequest). */
export function decodeTransfer(text: string): TransferInput | SimResponse {
  const dec = goDecode(text, 'IntraExchangeInstanceTransferRequest', TRANSFER_TYPES);
  if ('fail' in dec) return dec.fail;
  const parsed = TransferBody.safeParse(dec.raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join('.') ?? 'body';
    return { status: 400, body: invalidParameters(`${field}: ${issue?.message ?? 'invalid'}`) };
  }
  const b = parsed.data;
  return {
    source: b.source,
    destination: b.destination,
    amountE4: b.amount, // centicents: $1 = 10000, i.e. dollars e4
    sourceShard: b.source_exchange_shard ?? 0,
    destinationShard: b.destination_exchange_shard ?? 0,
    sourceSubaccount: b.source_subaccount ?? 0,
    destinationSubaccount: b.destination_subaccount ?? 0,
  };
}
