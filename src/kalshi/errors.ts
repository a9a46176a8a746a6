// Typed errors of the Kalshi edge. Branch on `code`: `service` left the wire on 2026-08-06 and is not read.
// None of them holds request options or headers: got's own
// errors carry the KALSHI-ACCESS-* headers, so they are converted here and never re-thrown or chained.
import { z } from 'zod';

/** What a Kalshi error body says, whichever of the four shapes it came in. */
export interface ErrorBodyInfo {
  code: string;
  message: string;
  details: string | null;
}

const str = z.string();
const detailsField = z.unknown().optional().transform((v) => (v === undefined || v === null ? null : typeof v === 'string' ? v : JSON.stringify(v)));

const NestedError = z.object({
  error: z.object({ code: str, message: str.optional(), details: detailsField }),
});
const FlatError = z.object({ code: str, message: str.optional(), details: detailsField });
const MsgError = z.object({ msg: str });
const StringError = z.object({ error: str });

/** Parse any of `{"error":{code,message,details}}`, `{code,message,details}`, `{"msg"}`, `{"error":"..."}`, or plain text. */
export const ErrorBody = z.unknown().transform((body): ErrorBodyInfo => {
  const nested = NestedError.safeParse(body);
  if (nested.success) {
    const e = nested.data.error;
    return { code: e.code, message: e.message ?? e.code, details: e.details };
  }
  const flat = FlatError.safeParse(body);
  if (flat.success) {
    const e = flat.data;
    return { code: e.code, message: e.message ?? e.code, details: e.details };
  }
  const msg = MsgError.safeParse(body);
  if (msg.success) return { code: 'bad_request', message: msg.data.msg, details: null };
  const s = StringError.safeParse(body);
  // The 429 body is {"error":"too many requests"}: turn the sentence into a code-like token.
  if (s.success) return { code: s.data.error.trim().toLowerCase().replace(/\s+/g, '_') || 'unknown', message: s.data.error, details: null };
  const text = typeof body === 'string' ? body.trim().slice(0, 200) : '';
  return { code: 'unknown', message: text || 'no error body', details: null };
});

/** Parse a raw response body (JSON or not) into error info. */
export function parseErrorBody(raw: string): ErrorBodyInfo {
  let body: unknown = raw;
  try {
    body = JSON.parse(raw);
  } catch {
    // Not JSON (an HTML error page from a proxy, say): keep the text.
  }
  return ErrorBody.parse(body);
}

/** A non-2xx answer from Kalshi. */
export class KalshiApiError extends Error {
  override readonly name = 'KalshiApiError';
  readonly status: number;
  readonly code: string;
  readonly details: string | null;
  readonly method: string;
  readonly path: string;

  constructor(opts: { status: number; info: ErrorBodyInfo; method: string; path: string }) {
    const { status, info, method, path } = opts;
    super(`Kalshi ${status} ${info.code}: ${info.message}${info.details ? ` (${info.details})` : ''} [${method} ${path}]`);
    this.status = status;
    this.code = info.code;
    this.details = info.details;
    this.method = method;
    this.path = path;
  }

  static fromResponse(status: number, rawBody: string, method: string, path: string): KalshiApiError {
    return new KalshiApiError({ status, info: parseErrorBody(rawBody), method, path });
  }

  get retryable(): boolean {
    return this.status === 429 || this.status >= 500;
  }

  toJSON(): Record<string, unknown> {
    return { name: this.name, status: this.status, code: this.code, message: this.message, details: this.details };
  }
}

/** No usable answer: timeout, refused or dropped connection. The request may or may not have reached Kalshi. */
export class KalshiNetworkError extends Error {
  override readonly name = 'KalshiNetworkError';
  constructor(
    message: string,
    readonly code: string,
    readonly method: string,
    readonly path: string,
  ) {
    super(`Kalshi request failed: ${message} [${method} ${path}]`);
  }

  get isTimeout(): boolean {
    return this.code === 'ETIMEDOUT';
  }

  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, message: this.message, method: this.method, path: this.path };
  }
}

/** A 2xx body that does not match its schema. Only the first issues are kept, never the body itself. */
export class KalshiResponseError extends Error {
  override readonly name = 'KalshiResponseError';
  constructor(
    readonly method: string,
    readonly path: string,
    readonly issues: string,
  ) {
    super(`Kalshi response did not match its schema: ${issues} [${method} ${path}]`);
  }

  toJSON(): Record<string, unknown> {
    return { name: this.name, message: this.message, method: this.method, path: this.path };
  }
}

/** A create answered 409 order_already_exists but the order could not be found by client_order_id. */
export class OrderRecoveryError extends Error {
  override readonly name = 'OrderRecoveryError';
  constructor(readonly clientOrderId: string, readonly ticker: string) {
    super(`order with client_order_id ${clientOrderId} exists on ${ticker} but was not found in the order list; not creating another`);
  }

  toJSON(): Record<string, unknown> {
    return { name: this.name, message: this.message, clientOrderId: this.clientOrderId, ticker: this.ticker };
  }
}

/**
 * A create whose earlier attempt may have reached the exchange (its answer was lost) and whose retry was
 * then refused (e.g. insufficient_balance because the first order holds the cash). The refusal proves
 * nothing about the first attempt: the caller must look the order up by client_order_id.
 */
export class OrderOutcomeUnknownError extends Error {
  override readonly name = 'OrderOutcomeUnknownError';
  constructor(
    readonly clientOrderId: string,
    readonly attempts: number,
    readonly last: KalshiApiError,
  ) {
    super(`create ${clientOrderId}: an earlier attempt's answer was lost and attempt ${attempts} was refused (${last.status} ${last.code})`);
  }

  toJSON(): Record<string, unknown> {
    return { name: this.name, message: this.message, clientOrderId: this.clientOrderId, attempts: this.attempts };
  }
}

export function isKalshiError(
  err: unknown,
): err is KalshiApiError | KalshiNetworkError | KalshiResponseError | OrderRecoveryError | OrderOutcomeUnknownError {
  return (
    err instanceof KalshiApiError ||
    err instanceof KalshiNetworkError ||
    err instanceof KalshiResponseError ||
    err instanceof OrderRecoveryError ||
    err instanceof OrderOutcomeUnknownError
  );
}
