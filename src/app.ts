// The composition root: builds every part once, in order (config -> exchange -> journal -> execution ->
// cycle -> scan loop -> control), and knows how to stop them in order. main.ts and cli.ts only call this.
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Transport } from './chat/transport.js';
import { type Clock, systemClock, tradingDay } from './clock.js';
import { type Config, DEFAULT_BASE_URLS } from './config.js';
import { Control } from './control/control.js';
import { Executor, type ExecutorDeps } from './execution/executor.js';
import { OrderFeed } from './execution/order-feed.js';
import { type FundingDeps, ShardFunding } from './execution/funding.js';
import type { ReconcileResult } from './execution/reconcile.js';
import { SettlementSync } from './execution/settlements.js';
import { Journal } from './journal/index.js';
import { KalshiClient } from './kalshi/client.js';
import type { HydrateProgress } from './kalshi/hydrate.js';
import type { MarketTable } from './kalshi/market-table.js';
import { loadPrivateKey, warnIfKeyFileShared } from './kalshi/signer.js';
import { type Logger, silentLogger } from './log.js';
import { Alerter } from './notify/alerter.js';
import type { Mode } from './notify/alerts.js';
import { startDailySummary } from './notify/delivery-summary.js';
import { expireApprovals } from './pipeline/approvals.js';
import { Calibration } from './pipeline/calibration.js';
import { CategoryCache } from './pipeline/categories.js';
import { Cycle, type CycleSummary } from './pipeline/cycle.js';
import { Scan } from './pipeline/scan.js';
import { StreamLoop } from './pipeline/stream.js';
import { KalshiStream, type KalshiStreamOptions, wsUrlFor } from './kalshi/ws.js';
import { ShadowBook } from './pipeline/shadow.js';
import { DayBlocklist } from './rules/blocklist.js';
import type { ApprovalRules } from './rules/risk.js';
import { ScanLoop, every } from './scheduler.js';
import { type SimExchange, startSimExchange } from './sim/index.js';

export interface AppOptions {
  config: Config;
  clock?: Clock;
  log?: Logger;
  /** Use this simulated exchange instead of starting one (tests share one sim across restarts). */
  sim?: SimExchange;
  onProgress?: (p: HydrateProgress) => void;
  executor?: Pick<ExecutorDeps, 'hooks' | 'pollMs' | 'makerPollMs' | 'waitClock'> & { fillTimeoutMs?: number; makerRestMs?: number };
  /** Test seam for crash tests (see FundingDeps.hooks). */
  fundingHooks?: FundingDeps['hooks'];
  hydrateStreams?: number;
  /** Client retry tuning (tests shorten the backoff). */
  http?: { retries?: number; baseDelayMs?: number; maxDelayMs?: number; timeoutMs?: number };
  /** Schedule the daily summary when the app starts (default true). */
  dailySummary?: boolean;
  /** The whole of stop() is bounded by this; past it the journal is closed anyway. Default 20 s. */
  stopTimeoutMs?: number;
  /** Stream-mode socket tuning (tests shorten the silence bound and the backoff). */
  stream?: Pick<KalshiStreamOptions, 'silenceMs' | 'pingMs' | 'backoff'>;
}

/** How often the shadow book reads what settled. */
const SHADOW_RESOLVE_MS = 10 * 60_000;

export function modeOf(config: Config): Mode {
  if (config.KALSHI_ENV === 'sim') return 'SIM';
  if (config.KALSHI_ENV === 'demo') return 'DEMO';
  return config.LIVE_TRADING ? 'LIVE' : 'DRY-RUN';
}

/** Every part of the running bot, built once by createApp. */
export interface AppParts {
  config: Config;
  mode: Mode;
  clock: Clock;
  log: Logger;
  client: KalshiClient;
  journal: Journal;
  alerter: Alerter;
  calibration: Calibration;
  shadow: ShadowBook;
  executor: Executor;
  cycle: Cycle;
  scan: Scan;
  loop: ScanLoop;
  control: Control;
  /** Stream mode (STREAM=on): the WebSocket price stream; null when off. */
  stream: StreamLoop | null;
  /** The simulated exchange in sim mode (null otherwise); `ownsSim`: started here, so closed here. */
  sim: SimExchange | null;
  ownsSim: boolean;
  options: Pick<AppOptions, 'dailySummary' | 'stopTimeoutMs'>;
}

export class App {
  readonly config: Config;
  readonly mode: Mode;
  readonly clock: Clock;
  readonly log: Logger;
  readonly client: KalshiClient;
  readonly journal: Journal;
  readonly alerter: Alerter;
  readonly calibration: Calibration;
  /** Every market the cycles saw in band, resolved as they settle (calibration going forward). */
  readonly shadow: ShadowBook;
  readonly executor: Executor;
  readonly cycle: Cycle;
  readonly scan: Scan;
  readonly loop: ScanLoop;
  readonly control: Control;
  readonly stream: StreamLoop | null;
  readonly sim: SimExchange | null;
  private readonly timers: (() => void)[] = [];
  private transport: Transport | null = null;
  private stopRequested = false;
  private stopping: Promise<void> | null = null;
  private starting: Promise<void> | null = null;
  private readonly startedAt: number;

  constructor(private readonly parts: AppParts) {
    ({
      config: this.config,
      mode: this.mode,
      clock: this.clock,
      log: this.log,
      client: this.client,
      journal: this.journal,
      alerter: this.alerter,
      calibration: this.calibration,
      shadow: this.shadow,
      executor: this.executor,
      cycle: this.cycle,
      scan: this.scan,
      loop: this.loop,
      control: this.control,
      stream: this.stream,
      sim: this.sim,
    } = parts);
    this.startedAt = parts.clock.now();
  }

  get lastSummary(): CycleSummary | null {
    return this.scan.lastSummary;
  }

  onCycle(listener: (s: CycleSummary) => void): () => void {
    return this.scan.onCycle(listener);
  }

  /** One cycle now (the scan loop runs the same). */
  runCycle(): Promise<CycleSummary> {
    return this.scan.run();
  }

  /** Settle every unfinished intent with the exchange. Runs before the first cycle; the chat hears the result. */
  async reconcile(opts: { announce?: boolean } = {}): Promise<ReconcileResult> {
    const r = await this.scan.settleUnfinished();
    // Announced by the long-running bot even when empty: it doubles as the "bot started" message on the phone.
    // A one-off CLI cycle announces only what it actually settled.
    if (opts.announce !== false || r.checked > 0) {
      const day = tradingDay(this.clock.now(), this.config.TIMEZONE);
      const s = this.journal.settings.get();
      this.alerter.send({
        kind: 'reconcile',
        mode: this.mode,
        ...r,
        capE4: s.dailyCapE4,
        configCapE4: this.config.DAILY_LOSS_CAP,
        atRiskE4: this.journal.orders.atRiskE4(day),
        halted: this.journal.orders.haltOf(day) !== undefined,
        paused: s.paused,
        ...(this.parts.ownsSim ? { earlierSimOrders: this.journal.orders.countBefore(this.startedAt) } : {}),
      });
    }
    this.log.info({ reconcile: r }, 'startup reconciliation');
    return r;
  }

  /**
   * Pace requests by the account's real buckets (GET /account/limits), not only the configured tier:
   * a wrong KALSHI_TIER would otherwise mean steady 429s or a wasted budget. Best effort.
   */
  async adoptAccountLimits(): Promise<void> {
    try {
      const l = await this.client.getAccountLimits();
      this.client.http.limiter.adopt({ read: l.read, write: l.write });
      if (l.tier !== this.config.KALSHI_TIER) {
        this.log.warn(`KALSHI_TIER is ${this.config.KALSHI_TIER} but the account is ${l.tier}: pacing by the account's limits; set KALSHI_TIER=${l.tier}`);
      }
    } catch (err) {
      this.log.warn({ err }, `could not read the account's rate limits; pacing by KALSHI_TIER=${this.config.KALSHI_TIER}`);
    }
    try {
      this.client.http.limiter.adoptCosts(await this.client.getEndpointCosts());
    } catch (err) {
      this.log.warn({ err }, 'could not read the endpoint token costs; using the built-in table');
    }
  }

  /**
   * At shutdown: cancel what the bot itself still has resting, each cancel routed to its order's shard (the
   * account's other orders, placed by hand, are left alone; /stopall cancels everything). Bounded in time.
   */
  async cancelOwnResting(timeoutMs = 5_000): Promise<number> {
    const open = this.journal.orders.unfinished().filter((r) => r.mode !== 'DRY-RUN' && r.state !== 'intent');
    const cancelOne = async (r: (typeof open)[number]): Promise<number> => {
      // A lost create answer leaves no id: look the order up by its client id before giving up on it.
      const id = r.exchange_order_id ?? (await this.client.findOrderByClientOrderId(r.client_order_id, r.ticker))?.orderId;
      if (!id) return 0;
      const c = await this.client.cancelOrder(id, { ticker: r.ticker, exchangeIndex: r.exchange_index });
      return c.kind === 'canceled' ? 1 : 0;
    };
    const work = Promise.all(open.map((r) => cancelOne(r).catch(() => 0))).then((n) => n.reduce<number>((a, b) => a + b, 0));
    const ac = new AbortController();
    try {
      return await Promise.race([work, sleep(timeoutMs, 0, { signal: ac.signal }).catch(() => 0)]);
    } finally {
      ac.abort();
    }
  }

  /** The chat transport (Telegram or the terminal): stopped by stop(), after the scan loop and before the journal. */
  useTransport(t: Transport): void {
    this.transport = t;
  }

  /** Reconcile, then cycle every CYCLE_SECONDS until stopped; approvals expire and the daily summary is sent on time. */
  start(): Promise<void> {
    this.starting ??= this.startInOrder();
    return this.starting;
  }

  private async startInOrder(): Promise<void> {
    await this.adoptAccountLimits();
    await this.reconcile();
    // A stop requested during reconciliation must not be followed by a loop that starts anyway.
    if (this.stopRequested) return;
    this.timers.push(
      every(15_000, () => {
        try {
          expireApprovals(this);
        } catch (err) {
          this.log.error({ err }, 'approval expiry failed');
        }
      }),
    );
    // The shadow book's markets are resolved from the exchange's settled listing every 10 minutes.
    const resolveShadow = () => {
      this.shadow.resolve().catch((err: unknown) => this.log.warn({ err }, 'shadow book: could not read settlements'));
    };
    resolveShadow();
    this.timers.push(every(SHADOW_RESOLVE_MS, resolveShadow));
    if (this.parts.options.dailySummary !== false) {
      this.timers.push(
        startDailySummary({
          journal: this.journal,
          alerter: this.alerter,
          clock: this.clock,
          log: this.log,
          mode: this.mode,
          timeZone: this.config.TIMEZONE,
          at: this.config.DAILY_SUMMARY_AT,
        }),
      );
    }
    this.stream?.start();
    this.loop.start();
  }

  /** No new cycles and no new orders from here on (a signal handler calls this first, synchronously). */
  requestStop(): void {
    this.stopRequested = true;
    void this.stream?.stop();
    void this.executor.stop();
    void this.loop.stop();
  }

  /**
   * The whole shutdown, in order: no new orders and the scan loop stopped -> the order in flight finished or
   * canceled -> the bot's own resting orders canceled -> chat transport stopped and the outbox flushed ->
   * client and simulated exchange closed -> journal closed. Bounded: past stopTimeoutMs the journal is closed
   * anyway (every write is a synchronous transaction, so none is cut in half).
   */
  stop(): Promise<void> {
    this.stopping ??= this.stopInOrder();
    return this.stopping;
  }

  private async stopInOrder(): Promise<void> {
    this.requestStop();
    for (const cancel of this.timers.splice(0)) cancel();
    const orderly = async () => {
      // A start still reconciling finishes first (it sees the stop and starts no loop).
      await this.starting?.catch(() => undefined);
      await this.stream?.stop();
      await this.executor.stop();
      await this.loop.stop();
      const canceled = await this.cancelOwnResting().catch(() => 0);
      if (canceled > 0) this.log.info(`canceled ${canceled} resting order(s) at shutdown`);
      await this.transport?.stop();
    };
    const ac = new AbortController();
    const limit = this.parts.options.stopTimeoutMs ?? 20_000;
    const timedOut = await Promise.race([
      orderly().then(() => false),
      sleep(limit, true, { signal: ac.signal }).catch(() => false),
    ]).finally(() => ac.abort());
    if (timedOut) this.log.error(`stop took longer than ${limit} ms: closing the journal without waiting further`);
    this.client.close();
    if (this.parts.ownsSim && this.sim) await this.sim.close();
    // The shadow book's observations still queued go in before the journal closes.
    this.shadow.flush();
    this.journal.close();
  }
}

/** The exchange the config names: the simulated one (started here unless given), or Kalshi with the user's key. */
async function connect(opts: AppOptions, clock: Clock, log: Logger) {
  const { config } = opts;
  const http = {
    tier: config.KALSHI_TIER,
    clock: () => clock.now(),
    ...opts.http,
    onRetry: (i: { method: string; path: string; attempt: number; delayMs: number; reason: string }) =>
      log.debug(`retry ${i.method} ${i.path} #${i.attempt} in ${i.delayMs} ms: ${i.reason}`),
  };
  if (config.KALSHI_ENV !== 'sim') {
    const privateKey = loadPrivateKey(config.KALSHI_PRIVATE_KEY_PATH!);
    warnIfKeyFileShared(config.KALSHI_PRIVATE_KEY_PATH!, (m) => log.warn(m));
    const baseUrl = config.KALSHI_BASE_URL ?? DEFAULT_BASE_URLS[config.KALSHI_ENV];
    const auth = { keyId: config.KALSHI_KEY_ID!, privateKey, wsUrl: wsUrlFor(baseUrl) };
    return { sim: null, ownsSim: false, auth, client: new KalshiClient({ baseUrl, keyId: config.KALSHI_KEY_ID!, privateKey, ...http }) };
  }
  const sim =
    opts.sim ??
    (await startSimExchange({
      markets: config.SIM_MARKETS,
      clock: () => clock.now(),
      // Outcomes follow SIM_FAVOURITE_EDGE; 60 days of settled history for `npm run calibrate`; every market settles.
      favouriteEdgeE4: config.SIM_FAVOURITE_EDGE,
      history: { perDay: 100, days: 60 },
      settleClosed: true,
      // Resting (maker) orders fill as order flow arrives, after the queue ahead of them.
      makerFlow: true,
    }));
  // The simulated exchange checks real signatures: make a key for this run and register it.
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyId = randomUUID();
  sim.registerKey(keyId, pair.publicKey.export({ type: 'spki', format: 'pem' }).toString());
  const baseUrl = config.KALSHI_BASE_URL ?? sim.baseUrl;
  const auth = { keyId, privateKey: pair.privateKey, wsUrl: wsUrlFor(baseUrl) };
  return { sim, ownsSim: !opts.sim, auth, client: new KalshiClient({ baseUrl, keyId, privateKey: pair.privateKey, ...http }) };
}

export async function createApp(opts: AppOptions): Promise<App> {
  const { config } = opts;
  const clock = opts.clock ?? systemClock;
  const log = opts.log ?? silentLogger;
  const mode = modeOf(config);
  const timeZone = config.TIMEZONE;

  const { sim, ownsSim, client, auth } = await connect(opts, clock, log);
  const journal = Journal.open(config.DB_PATH, config);
  const alerter = new Alerter(journal, clock);
  // What the exchange's history and the shadow book say each price wins: the edge of every candidate, MIN_EDGE.
  const calibration = new Calibration(journal);

  // Execution: what the executor and the shard funding both stand on.
  const core = { journal, api: client, clock, alerter, mode, timeZone };
  const funding = new ShardFunding({
    ...core,
    policy: config.SHARD_FUNDING,
    marginE4: config.SHARD_FUNDING_MARGIN,
    ...(opts.fundingHooks ? { hooks: opts.fundingHooks } : {}),
  });
  const settlements = new SettlementSync({ journal, clock, timeZone, source: client, alerter, mode });
  // Stream mode: our orders are confirmed and booked from the stream's pushed reports while it is connected.
  const feed: OrderFeed | null = config.STREAM === 'on' ? new OrderFeed((): boolean => stream?.connected() ?? false) : null;
  const executor = new Executor({
    ...core,
    fillTimeoutMs: config.FILL_TIMEOUT_SECONDS * 1000,
    orderStyle: config.ORDER_STYLE,
    makerRestMs: config.MAKER_REST_SECONDS * 1000,
    funding,
    settlements,
    ...(feed ? { feed } : {}),
    ...opts.executor,
  });

  // The cycle and the scan loop that runs it.
  const categories = new CategoryCache(client, clock);
  const shadow = new ShadowBook({ journal, clock, source: client, categories });
  const blocked = new DayBlocklist();
  const approvalRules: ApprovalRules = {
    approvalAboveCostE4: config.APPROVAL_ABOVE_COST,
    approvalCategories: new Set(config.APPROVAL_CATEGORIES.map((c) => c.toLowerCase())),
  };
  // What every decision stands on, the cycle's and the stream's alike: one set of rules, one order path.
  const decide = {
    client,
    journal,
    clock,
    alerter,
    executor,
    categories,
    mode,
    timeZone,
    approvalRules,
    approvalTtlMs: config.APPROVAL_TTL_MINUTES * 60_000,
    reaskRejected: config.APPROVAL_REASK_REJECTED,
    funding,
    blocked,
    calibration,
    minEdgeE4: config.MIN_EDGE ?? null,
    orderStyle: config.ORDER_STYLE,
  };
  // Stream mode: the same decision and order path as the cycle, driven by the price stream between full scans.
  const stream =
    config.STREAM === 'on'
      ? new StreamLoop({
          ...decide,
          ...(feed ? { feed } : {}),
          onResyncDue: () => loop.soon(),
          staleQuoteMs: config.STALE_QUOTE_SECONDS * 1000,
          resyncMs: config.RESYNC_MINUTES * 60_000,
          connect: (handlers) =>
            new KalshiStream({
              url: auth.wsUrl,
              keyId: auth.keyId,
              privateKey: auth.privateKey,
              channels: ['ticker', 'market_lifecycle_v2', 'fill', 'user_orders'],
              clock: () => clock.now(),
              handlers,
              ...opts.stream,
            }),
          log,
        })
      : null;
  const cycle = new Cycle({
    ...decide,
    settlements,
    shadow,
    ...(opts.hydrateStreams !== undefined ? { hydrateStreams: opts.hydrateStreams } : {}),
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
    ...(stream ? { onHydrated: (t: MarketTable, at: number) => stream.adopt(t, at) } : {}),
  });
  const scan = new Scan({ journal, api: client, executor, cycle, clock, alerter, mode, log });
  // With the stream healthy, a tick of the loop runs the full scan only when a resync is due (see StreamLoop.scanDue).
  const loop = new ScanLoop(config.CYCLE_SECONDS * 1000, () => (stream && !stream.scanDue() ? Promise.resolve() : scan.run().then(() => undefined)), clock, (err) => log.error({ err }, 'cycle failed'));

  // The control core the chat transports call.
  const control = new Control({
    journal,
    clock,
    client,
    executor,
    categories,
    alerter,
    mode,
    timeZone,
    approvalRules,
    funding,
    blocked,
    nextCycleAt: () => loop.nextCycleAt,
    skippedCycles: () => loop.skipped,
    cycleRunning: () => loop.busy,
    streamHealth: () => stream?.health() ?? null,
    calibration,
    minEdgeE4: config.MIN_EDGE ?? null,
    orderStyle: config.ORDER_STYLE,
  });

  return new App({
    config,
    mode,
    clock,
    log,
    client,
    journal,
    alerter,
    calibration,
    shadow,
    executor,
    cycle,
    scan,
    loop,
    control,
    stream,
    sim,
    ownsSim,
    options: { ...(opts.dailySummary !== undefined ? { dailySummary: opts.dailySummary } : {}), ...(opts.stopTimeoutMs !== undefined ? { stopTimeoutMs: opts.stopTimeoutMs } : {}) },
  });
}
