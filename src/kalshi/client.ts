// KalshiClient: typed calls over KalshiHttp. Knows endpoints, params and response schemas;
// keeps no state beyond the connection and makes no trading decisions.
import { setTimeout as sleep } from 'node:timers/promises';
import type { z } from 'zod';
import { formatCountE2, formatPriceE4 } from '../money.js';
import { KalshiApiError, KalshiNetworkError, KalshiResponseError, OrderOutcomeUnknownError, OrderRecoveryError } from './errors.js';
import { backoffDelay, KalshiHttp, type HttpOptions, type SearchParams } from './http.js';
import {
  AccountLimits,
  Balance,
  BatchCandlesticks,
  CancelResponse,
  CreateOrderResponse,
  CreateTransferResponse,
  EndpointCosts,
  EventResponse,
  EventsPage,
  ExchangeStatus,
  FillsPage,
  MarketResponse,
  MarketsPage,
  OrderbookResponse,
  OrderResponse,
  OrdersPage,
  PositionsPage,
  SeriesFeeChanges,
  SeriesList,
  SettledMarketsPage,
  SettlementsPage,
  TradesPage,
  TransferResponse,
  TransfersPage,
  type Transfer,
  type BookSide,
  type Event,
  type Fill,
  type Market,
  type Order,
  type Orderbook,
  type Position,
  type Settlement,
} from './schemas.js';

export type TimeInForce = 'fill_or_kill' | 'good_till_canceled' | 'immediate_or_cancel';
export type SelfTradePrevention = 'taker_at_cross' | 'maker';
export type MarketStatusFilter = 'unopened' | 'open' | 'paused' | 'closed' | 'settled';

export interface KalshiClientOptions extends HttpOptions {
  /** Called when a list walk stops early on a repeated cursor (the walk keeps what it has). */
  onRepeatedCursor?: (info: { path: string; cursor: string; pages: number }) => void;
  /** Safety bound on pages per list walk. Default 10_000 (10M markets at 1000/page). */
  maxPages?: number;
}

export interface MarketsPageParams {
  limit?: number;
  cursor?: string | null;
  status?: MarketStatusFilter;
  /** Default 'exclude': unfiltered scans drown in zero-volume combo markets. */
  mveFilter?: 'exclude' | 'only' | 'all';
  eventTicker?: string;
  seriesTicker?: string;
  tickers?: string[];
  minCreatedTs?: number;
  maxCreatedTs?: number;
  minCloseTs?: number;
  maxCloseTs?: number;
}

export interface EventsPageParams {
  limit?: number;
  cursor?: string | null;
  status?: MarketStatusFilter;
  seriesTicker?: string;
  minCloseTs?: number;
}

export interface CreateOrderRequest {
  ticker: string;
  /** bid = buy YES; ask = sell YES (buy NO). */
  side: BookSide;
  countE2: number;
  /** Always the YES price. */
  priceE4: number;
  timeInForce: TimeInForce;
  clientOrderId: string;
  /** Unix seconds; only with good_till_canceled. */
  expirationTimeS?: number;
  postOnly?: boolean;
  selfTradePrevention?: SelfTradePrevention;
  /**
   * The market's shard, sent explicitly (>= 0 goes direct; a wrong one answers 404 market_not_found, a refusal).
   * Explicit rather than auto-routed: the bot funds that very shard before ordering, and an omitted index was
   * seen routed to shard 0 after auto-routing was announced. Omitted: the exchange auto-routes by ticker.
   */
  exchangeIndex?: number;
}

/** Where an order lives, so a cancel reaches its engine: an order id alone goes to shard 0. */
export interface OrderRoute {
  ticker: string;
  exchangeIndex?: number | null;
}

export interface CreateOrderResult {
  orderId: string;
  clientOrderId: string;
  fillCountE2: number;
  remainingCountE2: number;
  /** From the 201 answer; null when recovered (read `order` instead). */
  averageFillPriceE4: number | null;
  averageFeePaidE4: number | null;
  tsMs: number | null;
  /** True when the order already existed (409 order_already_exists) and was found by client_order_id. */
  recovered: boolean;
  /** The order as listed, when recovered. */
  order: Order | null;
  /** POST attempts made. */
  attempts: number;
}

export type CancelResult = { kind: 'canceled'; reducedByE2: number } | { kind: 'not-found' };

export interface ListOrdersParams {
  status?: 'resting' | 'canceled' | 'executed';
  ticker?: string;
  /** Unix seconds. */
  minTs?: number;
  limit?: number;
  cursor?: string | null;
}

export interface FillsParams {
  ticker?: string;
  orderId?: string;
  /** Unix seconds. */
  minTs?: number;
  maxTs?: number;
  limit?: number;
}

export interface SettlementsParams {
  ticker?: string;
  minTs?: number;
  maxTs?: number;
  limit?: number;
}

const CREATE_PATH = '/portfolio/events/orders';

export class KalshiClient {
  readonly http: KalshiHttp;
  private readonly maxPages: number;

  constructor(private readonly opts: KalshiClientOptions) {
    this.http = new KalshiHttp(opts);
    this.maxPages = opts.maxPages ?? 10_000;
  }

  close(): void {
    this.http.close();
  }

  // ---------- market data ----------

  async getMarketsPage(params: MarketsPageParams = {}): Promise<{ markets: Market[]; skipped: number; cursor: string | null }> {
    const mve = params.mveFilter ?? 'exclude';
    return this.get('/markets', MarketsPage, {
      limit: params.limit,
      cursor: params.cursor ?? undefined,
      status: params.status,
      mve_filter: mve === 'all' ? undefined : mve,
      event_ticker: params.eventTicker,
      series_ticker: params.seriesTicker,
      tickers: params.tickers && params.tickers.length > 0 ? params.tickers.join(',') : undefined,
      min_created_ts: params.minCreatedTs,
      max_created_ts: params.maxCreatedTs,
      min_close_ts: params.minCloseTs,
      max_close_ts: params.maxCloseTs,
    });
  }

  /**
   * Walk the market list page by page (sequential: Kalshi cursors are). Stops on the last page,
   * a repeated cursor (reported) or the page bound.
   */
  async *marketPages(params: Omit<MarketsPageParams, 'cursor'> = {}): AsyncGenerator<{ markets: Market[]; skipped: number; cursor: string | null }> {
    const seen = new Set<string>();
    let cursor: string | null = null;
    for (let pages = 1; pages <= this.maxPages; pages++) {
      const page = await this.getMarketsPage({ limit: 1000, ...params, cursor });
      yield page;
      if (page.cursor === null) return;
      if (seen.has(page.cursor)) {
        this.opts.onRepeatedCursor?.({ path: '/markets', cursor: page.cursor, pages });
        return;
      }
      seen.add(page.cursor);
      cursor = page.cursor;
    }
    this.opts.onRepeatedCursor?.({ path: '/markets', cursor: cursor ?? '', pages: this.maxPages });
  }

  /** The whole (filtered) universe: every page of marketPages. */
  async getAllMarkets(params: Omit<MarketsPageParams, 'cursor'> = {}): Promise<{ markets: Market[]; skipped: number; pages: number }> {
    const markets: Market[] = [];
    let skipped = 0;
    let pages = 0;
    for await (const page of this.marketPages(params)) {
      markets.push(...page.markets);
      skipped += page.skipped;
      pages += 1;
    }
    return { markets, skipped, pages };
  }

  /**
   * One page of settled markets (status=settled, combos excluded), settled within [minSettledTs, maxSettledTs]
   * (unix seconds). Markets settled before Kalshi's historical cutoff (about 3 months) are only in /historical/markets.
   */
  async getSettledMarketsPage(params: { minSettledTs?: number; maxSettledTs?: number; cursor?: string | null; limit?: number; tickers?: string[] }) {
    return this.get('/markets', SettledMarketsPage, {
      status: 'settled',
      mve_filter: 'exclude',
      limit: params.limit ?? 1000,
      cursor: params.cursor ?? undefined,
      min_settled_ts: params.minSettledTs,
      max_settled_ts: params.maxSettledTs,
      tickers: params.tickers && params.tickers.length > 0 ? params.tickers.join(',') : undefined,
    });
  }

  /**
   * Candlesticks of up to 100 markets in one request (at most 10,000 candles in all), ending within [startTs, endTs]
   * (unix seconds); `periodMinutes` 1, 60 or 1440.
   */
  async getCandlesticks(params: { tickers: string[]; startTs: number; endTs: number; periodMinutes: number }) {
    return this.get('/markets/candlesticks', BatchCandlesticks, {
      market_tickers: params.tickers.join(','),
      start_ts: params.startTs,
      end_ts: params.endTs,
      period_interval: params.periodMinutes,
    });
  }

  async getMarket(ticker: string): Promise<Market> {
    return this.get(`/markets/${enc(ticker)}`, MarketResponse);
  }

  async getOrderbook(ticker: string, depth?: number): Promise<Orderbook> {
    return this.get(`/markets/${enc(ticker)}/orderbook`, OrderbookResponse, { depth });
  }

  async getTradesPage(params: { ticker?: string; limit?: number; cursor?: string | null; minTs?: number; maxTs?: number } = {}) {
    return this.get('/markets/trades', TradesPage, {
      ticker: params.ticker,
      limit: params.limit,
      cursor: params.cursor ?? undefined,
      min_ts: params.minTs,
      max_ts: params.maxTs,
    });
  }

  async getEventsPage(params: EventsPageParams = {}): Promise<{ events: Event[]; skipped: number; cursor: string | null }> {
    return this.get('/events', EventsPage, {
      limit: params.limit,
      cursor: params.cursor ?? undefined,
      status: params.status,
      series_ticker: params.seriesTicker,
      min_close_ts: params.minCloseTs,
    });
  }

  async getEvent(eventTicker: string): Promise<Event> {
    return this.get(`/events/${enc(eventTicker)}`, EventResponse, { with_nested_markets: false });
  }

  /** Not paginated (~13k series). Bad records are skipped and counted. */
  async getSeries(params: { category?: string } = {}): Promise<z.output<typeof SeriesList>> {
    return this.get('/series', SeriesList, { category: params.category });
  }

  async getExchangeStatus(): Promise<z.output<typeof ExchangeStatus>> {
    return this.get('/exchange/status', ExchangeStatus);
  }

  async getAccountLimits(): Promise<z.output<typeof AccountLimits>> {
    return this.get('/account/limits', AccountLimits);
  }

  // ---------- orders ----------

  /**
   * Place one order. Lost answers (network error, timeout, 5xx, 429) are retried with the SAME
   * client_order_id, bounded by `retries`. A 409 order_already_exists (on a retry or the first
   * attempt) means the id is taken: the existing order is looked up and returned with
   * `recovered: true`; a second order is never created for one client_order_id.
   */
  async createOrder(req: CreateOrderRequest): Promise<CreateOrderResult> {
    const body = {
      ticker: req.ticker,
      side: req.side,
      count: formatCountE2(req.countE2),
      price: formatPriceE4(req.priceE4),
      time_in_force: req.timeInForce,
      self_trade_prevention_type: req.selfTradePrevention ?? 'taker_at_cross',
      client_order_id: req.clientOrderId,
      ...(req.expirationTimeS !== undefined ? { expiration_time: req.expirationTimeS } : {}),
      ...(req.postOnly !== undefined ? { post_only: req.postOnly } : {}),
      ...(req.exchangeIndex !== undefined ? { exchange_index: req.exchangeIndex } : {}),
    };
    const maxAttempts = this.http.retries + 1;
    for (let attempt = 1; ; attempt++) {
      try {
        const { body: raw } = await this.http.send('POST', CREATE_PATH, { json: body });
        const r = parseOrThrow(CreateOrderResponse, raw, 'POST', CREATE_PATH);
        return { ...r, clientOrderId: r.clientOrderId ?? req.clientOrderId, recovered: false, order: null, attempts: attempt };
      } catch (err) {
        if (err instanceof KalshiApiError && err.status === 409 && err.code === 'order_already_exists') {
          const order = await this.recoverOrder(req.clientOrderId, req.ticker);
          return {
            orderId: order.orderId,
            clientOrderId: req.clientOrderId,
            fillCountE2: order.fillCountE2,
            remainingCountE2: order.remainingCountE2,
            averageFillPriceE4: null,
            averageFeePaidE4: null,
            tsMs: null,
            recovered: true,
            order,
            attempts: attempt,
          };
        }
        const lost = err instanceof KalshiNetworkError || (err instanceof KalshiApiError && err.retryable);
        // After a lost answer, a refusal of the retry says nothing about the first attempt.
        if (!lost && attempt > 1 && err instanceof KalshiApiError) throw new OrderOutcomeUnknownError(req.clientOrderId, attempt, err);
        if (!lost || attempt >= maxAttempts) throw err;
        const delayMs = backoffDelay(attempt, this.http.baseDelayMs, this.http.maxDelayMs);
        this.opts.onRetry?.({ method: 'POST', path: CREATE_PATH, attempt, delayMs, reason: err.message });
        await sleep(delayMs);
      }
    }
  }

  /** The order list may lag the create: look a few times before concluding it is missing. */
  private async recoverOrder(clientOrderId: string, ticker: string): Promise<Order> {
    for (let attempt = 1; attempt <= 3; attempt++) {
      const found = await this.findOrderByClientOrderId(clientOrderId, ticker);
      if (found) return found;
      if (attempt < 3) await sleep(backoffDelay(attempt, this.http.baseDelayMs, this.http.maxDelayMs));
    }
    throw new OrderRecoveryError(clientOrderId, ticker);
  }

  async getOrder(orderId: string): Promise<Order> {
    return this.get(`/portfolio/orders/${enc(orderId)}`, OrderResponse);
  }

  async listOrders(params: ListOrdersParams = {}): Promise<{ orders: Order[]; cursor: string | null }> {
    return this.get('/portfolio/orders', OrdersPage, {
      status: params.status,
      ticker: params.ticker,
      min_ts: params.minTs,
      limit: params.limit ?? 200,
      cursor: params.cursor ?? undefined,
    });
  }

  async listAllOrders(params: Omit<ListOrdersParams, 'cursor'> = {}): Promise<Order[]> {
    return this.walk('/portfolio/orders', (cursor) => this.listOrders({ ...params, cursor }), (p) => p.orders);
  }

  /** Scans the order list (all statuses) of the ticker, or of the account if no ticker. */
  async findOrderByClientOrderId(clientOrderId: string, ticker?: string): Promise<Order | null> {
    const orders = await this.listAllOrders(ticker !== undefined ? { ticker } : {});
    return orders.find((o) => o.clientOrderId === clientOrderId) ?? null;
  }

  /**
   * A 404 proves nothing (unknown, canceled, executed, or sent to the wrong shard all answer it): settle state
   * from the order list. Always routed: `market_ticker` (auto-routes) plus the shard where it is known.
   */
  async cancelOrder(orderId: string, route: OrderRoute): Promise<CancelResult> {
    const path = `/portfolio/events/orders/${enc(orderId)}`;
    const searchParams: SearchParams = { market_ticker: route.ticker };
    if (route.exchangeIndex !== undefined && route.exchangeIndex !== null) searchParams.exchange_index = route.exchangeIndex;
    try {
      const { body } = await this.http.send('DELETE', path, { searchParams });
      const r = parseOrThrow(CancelResponse, body, 'DELETE', path);
      return { kind: 'canceled', reducedByE2: r.reducedByE2 };
    } catch (err) {
      if (err instanceof KalshiApiError && err.status === 404) return { kind: 'not-found' };
      throw err;
    }
  }

  /** Cancel every resting order of the account on every shard (204). */
  async cancelAllOrders(): Promise<void> {
    await this.http.send('DELETE', CREATE_PATH);
  }

  // ---------- portfolio ----------

  async getPositions(params: { ticker?: string } = {}): Promise<Position[]> {
    return this.walk(
      '/portfolio/positions',
      (cursor) => this.get('/portfolio/positions', PositionsPage, { ticker: params.ticker, limit: 1000, cursor: cursor ?? undefined }),
      (p) => p.positions,
    );
  }

  /** The total over every shard with its per-shard breakdown; with `exchangeIndex`, that shard only. */
  async getBalance(params: { exchangeIndex?: number } = {}): Promise<z.output<typeof Balance>> {
    return this.get('/portfolio/balance', Balance, { exchange_index: params.exchangeIndex });
  }

  /**
   * Move money between shards. NOT idempotent and processed asynchronously: sent exactly once (the HTTP
   * layer never retries a POST); after a lost answer the caller looks in the transfer history instead.
   */
  async createTransfer(t: { fromShard: number; toShard: number; amountE4: number }): Promise<string> {
    const path = '/portfolio/intra_exchange_instance_transfer';
    const { body } = await this.http.send('POST', path, {
      json: {
        source: 'event_contract',
        destination: 'event_contract',
        // centicents: $1 = 10000, the same unit as our e4 money
        amount: t.amountE4,
        source_exchange_shard: t.fromShard,
        destination_exchange_shard: t.toShard,
      },
    });
    return parseOrThrow(CreateTransferResponse, body, 'POST', path);
  }

  async getTransfer(transferId: string): Promise<Transfer> {
    return this.get(`/portfolio/intra_exchange_instance_transfers/${enc(transferId)}`, TransferResponse);
  }

  /**
   * The transfer history, every page up to `maxPages` (default 50, i.e. 5,000 transfers). Its order is not
   * documented, so a lookup never stops early on the assumption that it is newest first.
   */
  async listTransfers(opts: { maxPages?: number } = {}): Promise<Transfer[]> {
    const out: Transfer[] = [];
    const seen = new Set<string>();
    let cursor: string | null = null;
    for (let pages = 0; pages < (opts.maxPages ?? 50); pages++) {
      const p: { transfers: Transfer[]; cursor: string | null } = await this.get('/portfolio/intra_exchange_instance_transfers', TransfersPage, {
        limit: 500,
        cursor: cursor ?? undefined,
      });
      out.push(...p.transfers);
      if (p.cursor === null || seen.has(p.cursor)) break;
      seen.add(p.cursor);
      cursor = p.cursor;
    }
    return out;
  }

  async getEndpointCosts(): Promise<z.output<typeof EndpointCosts>> {
    return this.get('/account/endpoint_costs', EndpointCosts);
  }

  async getSeriesFeeChanges(): Promise<z.output<typeof SeriesFeeChanges>> {
    return this.get('/series/fee_changes', SeriesFeeChanges);
  }

  /** All pages. */
  async getFills(params: FillsParams = {}): Promise<Fill[]> {
    return this.walk(
      '/portfolio/fills',
      (cursor) =>
        this.get('/portfolio/fills', FillsPage, {
          ticker: params.ticker,
          order_id: params.orderId,
          min_ts: params.minTs,
          max_ts: params.maxTs,
          limit: params.limit ?? 200,
          cursor: cursor ?? undefined,
        }),
      (p) => p.fills,
    );
  }

  /** All pages. */
  async getSettlements(params: SettlementsParams = {}): Promise<Settlement[]> {
    return this.walk(
      '/portfolio/settlements',
      (cursor) =>
        this.get('/portfolio/settlements', SettlementsPage, {
          ticker: params.ticker,
          min_ts: params.minTs,
          max_ts: params.maxTs,
          limit: params.limit ?? 200,
          cursor: cursor ?? undefined,
        }),
      (p) => p.settlements,
    );
  }

  // ---------- plumbing ----------

  private async get<S extends z.ZodType>(path: string, schema: S, searchParams?: SearchParams): Promise<z.output<S>> {
    const { body } = await this.http.send('GET', path, searchParams ? { searchParams } : {});
    return parseOrThrow(schema, body, 'GET', path);
  }

  /** Follow cursors to the end; stop (and report) on a repeated cursor or the page bound. */
  private async walk<P extends { cursor: string | null }, T>(path: string, page: (cursor: string | null) => Promise<P>, items: (p: P) => T[]): Promise<T[]> {
    const out: T[] = [];
    const seen = new Set<string>();
    let cursor: string | null = null;
    for (let pages = 1; pages <= this.maxPages; pages++) {
      const p = await page(cursor);
      out.push(...items(p));
      if (p.cursor === null) return out;
      if (seen.has(p.cursor)) {
        this.opts.onRepeatedCursor?.({ path, cursor: p.cursor, pages });
        return out;
      }
      seen.add(p.cursor);
      cursor = p.cursor;
    }
    this.opts.onRepeatedCursor?.({ path, cursor: cursor ?? '', pages: this.maxPages });
    return out;
  }
}

/** Parse a 2xx body; a mismatch names the first issues, never the body. */
export function parseOrThrow<S extends z.ZodType>(schema: S, body: unknown, method: string, path: string): z.output<S> {
  const r = schema.safeParse(body);
  if (r.success) return r.data;
  const issues = r.error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
    .join('; ');
  throw new KalshiResponseError(method, path, issues);
}

function enc(segment: string): string {
  return encodeURIComponent(segment);
}
