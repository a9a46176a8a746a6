// Kalshi's error bodies, verbatim where a fixture recorded them (fixtures/kalshi/*.json), except
// that `service` is gone: Kalshi removed it from error responses on 2026-08-06 (the fixtures are
// from June). ErrorResponse is now code, message, details.

export interface SimResponse {
  status: number;
  body: unknown;
  /** Pre-serialized JSON (large market pages are built as strings). */
  raw?: string;
}

const exchangeError = (code: string, message: string): unknown => ({ error: { code, message } });

export const ERR = {
  badSignature: { error: { code: 'authentication_error', message: 'authentication_error', details: 'INCORRECT_API_KEY_SIGNATURE' } },
  unknownKey: { error: { code: 'authentication_error', message: 'authentication_error', details: 'NOT_FOUND' } },
  timestampExpired: { error: { code: 'header_timestamp_expired', message: 'header timestamp expired' } },
  missingSignature: { error: { code: 'signature_is_missing_from_headers', message: 'signature is missing from headers' } },
  notFound: exchangeError('not_found', 'not found'),
  marketNotFound: exchangeError('market_not_found', 'market not found'),
  orderExists: exchangeError('order_already_exists', 'order already exists'),
  insufficientBalance: exchangeError('insufficient_balance', 'insufficient balance'),
  invalidPrice: exchangeError('invalid_price', 'invalid price'),
  postOnlyCross: { error: { code: 'invalid_order', message: 'invalid order', details: 'post only cross' } },
  marketClosed: exchangeError('market_closed', 'market closed'),
  tradingPaused: exchangeError('trading_is_paused', 'trading is paused'),
  fokUnfilled: exchangeError('fill_or_kill_insufficient_resting_volume', 'fill or kill insufficient resting volume'),
  deprecatedV1: {
    error: {
      code: 'deprecated_v1_order_endpoint',
      message: 'this order endpoint is deprecated, use /portfolio/events/orders',
    },
  },
  tooManyRequests: { error: 'too many requests' },
  internal: exchangeError('internal_server_error', 'internal server error'),
  badGateway: exchangeError('bad_gateway', 'bad gateway'),
  unavailable: exchangeError('service_unavailable', 'service unavailable'),
} as const;

export const invalidParameters = (details: string): unknown => ({
  error: { code: 'invalid_parameters', message: 'invalid parameters', details },
});

/** JSON-decode 400 (the Go decoder's shape, as in orders__numeric_field_types.json). */
export const badRequest = (details: string): unknown => ({ code: 'bad_request', message: 'bad request', details });

/** Query-validation 400 (as in markets__limit_over_max.json). */
export const paramValidation = (op: string, detail: string): unknown => ({ msg: `Parameter validation failed for ${op}: ${detail}` });

export const limitTag = (op: string, param: string, tag: 'lte' | 'gte'): unknown =>
  paramValidation(op, `Key: '${op}Params.${param}' Error:Field validation for '${param}' failed on the '${tag}' tag`);
