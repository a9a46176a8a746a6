// Builds the object graph once (config, journal, client or in-process simulated exchange, cycle,
// control) and knows how to stop it in order. main.ts and cli.ts only call this.
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { type Clock, systemClock } from './clock.js';
import { type Config, DEFAULT_BASE_URLS } from './config.js';
import { Control } from './control/control.js';
import { Executor, type ExecutorDeps } from './execution/executor.js';
import { type FundingDeps, ShardFunding } from './execution/funding.js';
import { SettlementSync } from './execution/settlements.js';
import { type ReconcileResult, reconcile } from './execution/reconcile.js';
import { KalshiClient } from './kalshi/client.js';
import type { HydrateProgress } from './kalshi/hydrate.js';
import { loadPrivateKey, warnIfKeyFileShared } from './kalshi/signer.js';
import { Journal } from './journal/index.js';
import { describe, type Logger, silentLogger } from './log.js';
import { Alerter } from './notify/alerter.js';
import type { Mode } from './notify/alerts.js';
import { expireApprovals } from './pipeline/approvals.js';
import { DayBlocklist } from './rules/blocklist.js';
import { CategoryCache } from './pipeline/categories.js';
import { Cycle, type CycleSummary } from './pipeline/cycle.js';
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
  executor?: Pick<ExecutorDeps, 'hooks' | 'pollMs'> & { fillTimeoutMs?: number };
  /** Test seam for crash tests (see FundingDeps.hooks). */
  fundingHooks?: FundingDeps['hooks'];
  hydrateStreams?: number;
  /** Client retry tuning (tests shorten the backoff). */
  http?: { retries?: number; baseDelayMs?: number; maxDelayMs?: number; timeoutMs?: number };
}

export function modeOf(config: Config): Mode {
  if (config.KALSHI_ENV === 'sim') return 'SIM';
  if (config.KALSHI_ENV === 'demo') return 'DEMO';
  return config.LIVE_TRADING ? 'LIVE' : 'DRY-RUN';
}

export class App {
  readonly loop: ScanLoop;
  private stopExpiry: (() => void) | null = null;
  private stopRequested = false;
  lastSummary: CycleSummary | null = null;
  private readonly cycleListeners = new Set<(s: CycleSummary) => void>();

  constructor(
    readonly config: Config,
    readonly mode: Mode,
    readonly clock: Clock,
    readonly log: Logger,
    readonly client: KalshiClient,
    readonly journal: Journal,
    readonly alerter: Alerter,
    readonly executor: Executor,
    readonly cycle: Cycle,
    readonly control: Control,
    private readonly ownedSim: SimExchange | null,
    readonly sim: SimExchange | null,
  ) {
    this.loop = new ScanLoop(config.CYCLE_SECONDS * 1000, () => this.runCycle().then(() => undefined), clock, (err) =>
      log.error(`cycle failed: ${describe(err)}`),
    );
  }

  onCycle(listener: (s: CycleSummary) => void): () => void {
    this.cycleListeners.add(listener);
    return () => this.cycleListeners.delete(listener);
  }

  async runCycle(): Promise<CycleSummary> {
    expireApprovals(this);
    // Orders whose outcome was unknown (a lost answer, a network failure) are settled before new ones.
    if (this.journal.orders.unfinished().length > 0) {
      const r = await this.settleUnfinished().catch((err) => {
        this.log.warn(`reconciliation failed: ${describe(err)}`);
        return null;
      });
      if (r) this.log.info(`reconciled unfinished orders: ${JSON.stringify(r)}`);
    }
    const s = await this.cycle.run();
    this.lastSummary = s;
    const orders = s.orders.length ? `, ${s.orders.length} orders` : '';
    this.log.info(
      `cycle ${s.cycleId}: ${s.markets} markets (${s.skipped} skipped) -> ${s.candidates} in band -> ${s.validated} validated${orders}` +
        `${s.halted ? ', HALTED' : ''}${s.paused ? ', paused' : ''} | hydrate ${s.hydrateMs} ms, total ${s.durationMs} ms` +
        (s.error ? ` | error: ${s.error}` : ''),
    );
    for (const l of this.cycleListeners) l(s);
    return s;
  }

  private settleUnfinished(): Promise<ReconcileResult> {
    return reconcile({
      journal: this.journal,
      api: this.client,
      executor: this.executor,
      clock: this.clock,
      fillTimeoutMs: this.executor.fillTimeoutMs,
    });
  }

  /** Settle every unfinished intent with the exchange. Runs before the first cycle; the chat hears the result. */
  async reconcile(opts: { announce?: boolean } = {}): Promise<ReconcileResult> {
    const r = await this.settleUnfinished();
    // Announced by the long-running bot even when empty: it doubles as the "bot started" message on the phone.
    // A one-off CLI cycle announces only what it actually settled.
    if (opts.announce !== false || r.checked > 0) this.alerter.send({ kind: 'reconcile', mode: this.mode, ...r });
    this.log.info(`startup reconciliation: ${JSON.stringify(r)}`);
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
      this.log.warn(`could not read the account's rate limits (${describe(err)}); pacing by KALSHI_TIER=${this.config.KALSHI_TIER}`);
    }
    try {
      this.client.http.limiter.adoptCosts(await this.client.getEndpointCosts());
    } catch (err) {
      this.log.warn(`could not read the endpoint token costs (${describe(err)}); using the built-in table`);
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
    return Promise.race([work, new Promise<number>((r) => setTimeout(() => r(0), timeoutMs).unref())]);
  }

  /** Reconcile, then cycle every CYCLE_SECONDS until stopped. */
  async start(): Promise<void> {
    await this.adoptAccountLimits();
    await this.reconcile();
    // A stop requested during reconciliation must not be followed by a loop that starts anyway.
    if (this.stopRequested) return;
    this.stopExpiry = every(15_000, () => {
      try {
        expireApprovals(this);
      } catch (err) {
        this.log.error(`approval expiry failed: ${describe(err)}`);
      }
    });
    this.loop.start();
  }

  /** No new cycles and no new orders from here on; the rest of the stop waits for what is in flight. */
  requestStop(): void {
    this.stopRequested = true;
    void this.executor.stop();
    void this.loop.stop();
  }

  /** Stop order: no new orders -> order in flight -> scan loop -> journal close. Transports stop before this. */
  async stop(): Promise<void> {
    this.stopRequested = true;
    this.stopExpiry?.();
    const loopDone = this.loop.stop();
    await this.executor.stop();
    await loopDone;
    const canceled = await this.cancelOwnResting().catch(() => 0);
    if (canceled > 0) this.log.info(`canceled ${canceled} resting order(s) at shutdown`);
    this.client.close();
    if (this.ownedSim) await this.ownedSim.close();
    this.journal.close();
  }
}

export async function createApp(opts: AppOptions): Promise<App> {
  const { config } = opts;
  const clock = opts.clock ?? systemClock;
  const log = opts.log ?? silentLogger;
  const mode = modeOf(config);

  let ownedSim: SimExchange | null = null;
  let sim: SimExchange | null = opts.sim ?? null;
  let baseUrl: string;
  let keyId: string;
  let privateKey;
  if (config.KALSHI_ENV === 'sim') {
    if (!sim) {
      ownedSim = await startSimExchange({ markets: config.SIM_MARKETS, clock: () => clock.now() });
      sim = ownedSim;
    }
    // The simulated exchange checks real signatures: make a key for this run and register it.
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    keyId = randomUUID();
    sim.registerKey(keyId, pair.publicKey.export({ type: 'spki', format: 'pem' }).toString());
    privateKey = pair.privateKey;
    baseUrl = config.KALSHI_BASE_URL ?? sim.baseUrl;
  } else {
    keyId = config.KALSHI_KEY_ID!;
    privateKey = loadPrivateKey(config.KALSHI_PRIVATE_KEY_PATH!);
    warnIfKeyFileShared(config.KALSHI_PRIVATE_KEY_PATH!, (m) => log.warn(m));
    baseUrl = config.KALSHI_BASE_URL ?? DEFAULT_BASE_URLS[config.KALSHI_ENV];
  }

  const client = new KalshiClient({
    baseUrl,
    keyId,
    privateKey,
    tier: config.KALSHI_TIER,
    clock: () => clock.now(),
    ...opts.http,
    onRetry: (i) => log.debug(`retry ${i.method} ${i.path} #${i.attempt} in ${i.delayMs} ms: ${i.reason}`),
  });
  const journal = Journal.open(config.DB_PATH, config);
  const alerter = new Alerter(journal, clock);
  // What the executor and the shard funding both stand on.
  const core = { journal, api: client, clock, alerter, mode, timeZone: config.TIMEZONE };
  const funding = new ShardFunding({
    ...core,
    policy: config.SHARD_FUNDING,
    marginE4: config.SHARD_FUNDING_MARGIN,
    ...(opts.fundingHooks ? { hooks: opts.fundingHooks } : {}),
  });
  const settlements = new SettlementSync({ journal, clock, timeZone: config.TIMEZONE, source: client });
  const executor = new Executor({
    ...core,
    fillTimeoutMs: config.FILL_TIMEOUT_SECONDS * 1000,
    funding,
    settlements,
    ...opts.executor,
  });
  const categories = new CategoryCache(client, clock);
  const blocked = new DayBlocklist();
  const approvalRules: ApprovalRules = {
    approvalAboveCostE4: config.APPROVAL_ABOVE_COST,
    approvalCategories: new Set(config.APPROVAL_CATEGORIES.map((c) => c.toLowerCase())),
  };
  const cycle = new Cycle({
    client,
    journal,
    clock,
    alerter,
    executor,
    categories,
    mode,
    timeZone: config.TIMEZONE,
    approvalRules,
    approvalTtlMs: config.APPROVAL_TTL_MINUTES * 60_000,
    funding,
    blocked,
    settlements,
    ...(opts.hydrateStreams !== undefined ? { hydrateStreams: opts.hydrateStreams } : {}),
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
  });
  let app: App | null = null;
  const control = new Control({
    journal,
    clock,
    client,
    executor,
    categories,
    alerter,
    mode,
    timeZone: config.TIMEZONE,
    approvalRules,
    funding,
    blocked,
    nextCycleAt: () => app?.loop.nextCycleAt ?? null,
    skippedCycles: () => app?.loop.skipped ?? 0,
  });
  app = new App(config, mode, clock, log, client, journal, alerter, executor, cycle, control, ownedSim, sim);
  return app;
}
