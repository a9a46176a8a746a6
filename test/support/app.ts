// Builds the real app per test: its own temp SQLite file, its own simulated exchange on a loopback port.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type App, type AppOptions, createApp } from '../../src/app.js';
import { ManualClock } from '../../src/clock.js';
import { SimulatedCrash } from '../../src/execution/executor.js';
import { loadConfig } from '../../src/config.js';
import { type SimExchange, type SimOptions, startSimExchange } from '../../src/sim/index.js';

export const T0 = Date.parse('2026-11-25T15:00:00Z'); // 10:00 in New York
export const DAY = 86_400_000;

export interface World {
  dir: string;
  dbPath: string;
  clock: ManualClock;
  sim: SimExchange;
  apps: App[];
  start(env?: Record<string, string>, extra?: Partial<AppOptions>): Promise<App>;
  close(): Promise<void>;
}

/** A sim on a manual clock plus a factory for apps sharing one journal file (restarts reuse it). */
export async function world(simOpts: SimOptions = {}): Promise<World> {
  const dir = mkdtempSync(join(tmpdir(), 'kalshi-test-'));
  const clock = new ManualClock(T0);
  const sim = await startSimExchange({ markets: 0, rateLimit: false, clock: () => clock.now(), ...simOpts });
  const w: World = {
    dir,
    dbPath: join(dir, 'bot.db'),
    clock,
    sim,
    apps: [],
    async start(env = {}, extra = {}) {
      // The scan loop as such unless a test asks for the stream (STREAM=on is the default outside the tests).
      const config = loadConfig({ KALSHI_ENV: 'sim', DB_PATH: w.dbPath, STREAM: 'off', ...env });
      const app = await createApp({
        config,
        sim,
        clock,
        hydrateStreams: 4,
        executor: { pollMs: 10, fillTimeoutMs: 200 },
        http: { baseDelayMs: 5, maxDelayMs: 20, timeoutMs: 2000 },
        ...extra,
      });
      w.apps.push(app);
      return app;
    },
    async close() {
      for (const app of w.apps) await app.stop().catch(() => undefined);
      await sim.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return w;
}

/** A designed market in band (YES 76¢ bid / 78¢ ask), settling in two days. */
export const inBandMarket = (ticker: string, askSize = 50) => ({
  ticker,
  yesBidCents: 76,
  yesAskCents: 78,
  yesAskSize: askSize,
  yesBidSize: 50,
  volume24h: 9000,
  expectedExpirationMs: T0 + 2 * DAY,
  closeMs: T0 + 3 * DAY,
});

/** An execution plan buying YES at that market's ask. */
export const buyYes = (ticker: string, contracts = 6) => ({
  ticker,
  title: '',
  side: 'yes' as const,
  contracts,
  priceE4: 7800,
  cycleId: null,
  approvalId: null,
});

/** App options whose executor "dies" (throws SimulatedCrash) right after writing the intent or after sending. */
export const crashingAt = (stage: 'intent' | 'send'): Partial<AppOptions> => {
  const die = () => {
    throw new SimulatedCrash(stage === 'intent' ? 'died after writing the intent' : 'died after sending');
  };
  return { executor: { pollMs: 10, fillTimeoutMs: 200, hooks: stage === 'intent' ? { afterIntent: die } : { afterSend: die } } };
};

/** Simulate a crash: drop the app without any orderly shutdown (the journal file stays as it was). */
export function crash(app: App): void {
  app.client.close();
  app.journal.close();
}

/** Every alert queued in the app's outbox (delivered or not), oldest first, as its payload. */
export function alertsOf(app: App, kind?: string): Array<Record<string, unknown> & { kind: string }> {
  const rows = app.journal.db.prepare('SELECT payload FROM outbox ORDER BY id').all() as { payload: string }[];
  return rows.map((r) => JSON.parse(r.payload)).filter((a) => kind === undefined || a.kind === kind);
}

/** The messages of queued alerts of one kind ('error', 'info', ...). */
export const messagesOf = (app: App, kind: string): string[] => alertsOf(app, kind).map((a) => String(a.message));

/**
 * An order record as Kalshi's GET /portfolio/orders/{id} sends it: 6 YES at 78c, executed, as the test needs it to
 * lie (`over` replaces fields). Used to feed the bot reports it must not believe.
 */
export function orderRecord(over: Record<string, unknown> & { order_id: string; client_order_id: string; ticker: string; created_time: string }): { order: Record<string, unknown> } {
  return {
    order: {
      book_side: 'bid',
      outcome_side: 'yes',
      status: 'executed',
      yes_price_dollars: '0.7800',
      no_price_dollars: '0.2200',
      initial_count_fp: '6.00',
      fill_count_fp: '6.00',
      remaining_count_fp: '0.00',
      taker_fill_cost_dollars: '4.680000',
      maker_fill_cost_dollars: '0.000000',
      taker_fees_dollars: '0.072100',
      maker_fees_dollars: '0.000000',
      exchange_index: 0,
      ...over,
    },
  };
}
