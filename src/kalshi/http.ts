// The one got instance that talks to Kalshi: signed per attempt, paced by the token buckets,
// bounded jittered retries for GET/DELETE. POST is never retried here (orders retry in the
// client with the same client_order_id). Errors leave this module as our own types only.
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { KeyObject } from 'node:crypto';
import got, { RequestError, type Got, type Method } from 'got';
import { KalshiApiError, KalshiNetworkError, KalshiResponseError } from './errors.js';
import { RateLimiter, type KalshiTier, type TierLimits } from './ratelimit.js';
import { authHeaders } from './signer.js';

export interface HttpOptions {
  /** e.g. https://external-api.demo.kalshi.co/trade-api/v2 or http://127.0.0.1:PORT/trade-api/v2 */
  baseUrl: string;
  keyId?: string;
  privateKey?: KeyObject;
  tier?: KalshiTier;
  /** Override the tier's bucket sizes (e.g. from GET /account/limits). */
  limits?: TierLimits;
  /** Share one limiter between clients of one key; default: a new one for the tier. */
  limiter?: RateLimiter;
  /** Per attempt. */
  timeoutMs?: number;
  /** Retries after the first attempt (GET/DELETE here; createOrder uses the same bound). */
  retries?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Epoch ms for the signature timestamp. */
  clock?: () => number;
  /** Called before each retry wait (for logs and stats). */
  onRetry?: (info: RetryInfo) => void;
}

export interface RetryInfo {
  method: string;
  path: string;
  /** The attempt that failed, from 1. */
  attempt: number;
  delayMs: number;
  reason: string;
}

export interface HttpStats {
  attempts: number;
  retries: number;
  responses2xx: number;
  responses429: number;
  responses5xx: number;
  networkErrors: number;
}

export type SearchParams = Record<string, string | number | boolean | undefined>;

export const DEFAULTS = { timeoutMs: 10_000, retries: 4, baseDelayMs: 250, maxDelayMs: 5_000 } as const;

/** Status codes worth another attempt: rate limited or the server's fault. */
export const RETRY_STATUS = [429, 500, 502, 503, 504] as const;

/** "Equal jitter" exponential backoff: half the step fixed, half random, capped. attempt counts from 1. */
export function backoffDelay(attempt: number, baseDelayMs: number, maxDelayMs: number, random: () => number = Math.random): number {
  const step = Math.min(maxDelayMs, baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(step / 2 + (random() * step) / 2);
}

export class KalshiHttp {
  readonly limiter: RateLimiter;
  readonly retries: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  private readonly got: Got;
  private readonly agents: { http: HttpAgent; https: HttpsAgent };
  private readonly counters: HttpStats = { attempts: 0, retries: 0, responses2xx: 0, responses429: 0, responses5xx: 0, networkErrors: 0 };

  constructor(private readonly opts: HttpOptions) {
    if ((opts.keyId === undefined) !== (opts.privateKey === undefined)) {
      throw new Error('Kalshi client: keyId and privateKey must be given together');
    }
    this.retries = opts.retries ?? DEFAULTS.retries;
    this.baseDelayMs = opts.baseDelayMs ?? DEFAULTS.baseDelayMs;
    this.maxDelayMs = opts.maxDelayMs ?? DEFAULTS.maxDelayMs;
    this.limiter = opts.limiter ?? new RateLimiter(opts.limits ?? opts.tier ?? 'basic');
    this.agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };
    const clock = opts.clock ?? Date.now;
    const { keyId, privateKey } = opts;
    // Reported paths are relative to the base ("/markets"), like the ones callers pass in.
    const basePath = new URL(opts.baseUrl).pathname.replace(/\/+$/, '');
    const relative = (pathname: string) => (pathname.startsWith(basePath) ? pathname.slice(basePath.length) || '/' : pathname);

    this.got = got.extend({
      prefixUrl: opts.baseUrl,
      agent: this.agents,
      // Per attempt: the answer must start within timeoutMs, but a 2 MB page may take longer to download
      // on a slow link, so the whole request gets a wider bound.
      timeout: {
        connect: opts.timeoutMs ?? DEFAULTS.timeoutMs,
        response: opts.timeoutMs ?? DEFAULTS.timeoutMs,
        request: 6 * (opts.timeoutMs ?? DEFAULTS.timeoutMs),
      },
      // Status errors come back as responses; we turn them into KalshiApiError ourselves.
      throwHttpErrors: false,
      // A signed request must not follow a redirect to another host.
      followRedirect: false,
      responseType: 'text',
      headers: { accept: 'application/json' },
      retry: {
        limit: this.retries,
        methods: ['GET', 'DELETE'],
        statusCodes: [...RETRY_STATUS],
        // Without this got calls calculateDelay even past the limit / for POST (got 14 trap).
        enforceRetryRules: true,
        // Kalshi sends no Retry-After; if a proxy does, honour it up to a minute, else give up at once.
        maxRetryAfter: 60_000,
        calculateDelay: ({ attemptCount, retryAfter, error }) => {
          const delayMs = Math.max(backoffDelay(attemptCount, this.baseDelayMs, this.maxDelayMs), retryAfter ?? 0);
          const status = error.response?.statusCode;
          opts.onRetry?.({
            method: error.options.method,
            path: error.options.url instanceof URL ? relative(error.options.url.pathname) : '',
            attempt: attemptCount,
            delayMs,
            reason: status !== undefined ? `HTTP ${status}` : error.code,
          });
          return delayMs;
        },
      },
      hooks: {
        beforeRequest: [
          async (options) => {
            const url = new URL(String(options.url));
            const method = options.method.toUpperCase();
            // Tokens per attempt: a retry spends budget too, exactly as on the server.
            await this.limiter.take(method, url.pathname, shardOfWrite(options.json, url));
            this.counters.attempts += 1;
            if (keyId !== undefined && privateKey !== undefined) {
              // Signed here, after the wait, so every attempt carries a fresh timestamp.
              Object.assign(options.headers, authHeaders(keyId, privateKey, clock(), method, url.pathname));
            }
          },
        ],
        afterResponse: [
          (response) => {
            // Per attempt, so retried 429s/5xx are counted too.
            const status = response.statusCode;
            if (status >= 200 && status < 300) this.counters.responses2xx += 1;
            else if (status === 429) this.counters.responses429 += 1;
            else if (status >= 500) this.counters.responses5xx += 1;
            return response;
          },
        ],
        beforeRetry: [
          (error) => {
            this.counters.retries += 1;
            if (error.response === undefined) this.counters.networkErrors += 1;
          },
        ],
      },
    });
  }

  get signed(): boolean {
    return this.opts.keyId !== undefined;
  }

  stats(): HttpStats {
    return { ...this.counters };
  }

  /**
   * One logical request (got may make several attempts). Returns the parsed JSON of a 2xx;
   * throws KalshiApiError (non-2xx after retries), KalshiNetworkError or KalshiResponseError.
   * `path` is relative to the base URL, e.g. "/markets".
   */
  async send(method: Method, path: string, opts: { searchParams?: SearchParams; json?: unknown } = {}): Promise<{ status: number; body: unknown }> {
    const m = method.toUpperCase();
    const searchParams = cleanParams(opts.searchParams);
    let response;
    try {
      response = await this.got(path.replace(/^\/+/, ''), {
        method,
        ...(searchParams ? { searchParams } : {}),
        ...(opts.json !== undefined ? { json: opts.json } : {}),
      });
    } catch (err) {
      // got's error holds the request options (auth headers included): keep only message and code.
      this.counters.networkErrors += 1;
      if (err instanceof RequestError) throw new KalshiNetworkError(err.message, err.code ?? 'EUNKNOWN', m, path);
      throw new KalshiNetworkError(err instanceof Error ? err.message : String(err), 'EUNKNOWN', m, path);
    }
    const status = response.statusCode;
    const text = typeof response.body === 'string' ? response.body : '';
    if (status < 200 || status >= 300) throw KalshiApiError.fromResponse(status, text, m, path);
    if (text.trim() === '') return { status, body: {} };
    try {
      return { status, body: JSON.parse(text) as unknown };
    } catch {
      throw new KalshiResponseError(m, path, 'body is not JSON');
    }
  }

  /** Close keep-alive sockets. */
  close(): void {
    this.agents.http.destroy();
    this.agents.https.destroy();
  }
}

/** The explicit shard a single write is routed to (body `exchange_index`, or the cancel's query), if any. */
function shardOfWrite(json: unknown, url: URL): number | undefined {
  const fromBody = (json as { exchange_index?: unknown } | undefined)?.exchange_index;
  const raw = typeof fromBody === 'number' ? fromBody : Number(url.searchParams.get('exchange_index') ?? Number.NaN);
  return Number.isInteger(raw) ? raw : undefined;
}

function cleanParams(params: SearchParams | undefined): Record<string, string> | undefined {
  if (!params) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') out[k] = String(v);
  return Object.keys(out).length > 0 ? out : undefined;
}
