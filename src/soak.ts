// `npm run soak -- --cycles N [--json] [--seed S]`: N scan cycles against the simulated exchange with random
// faults, crashes and restarts, on a compressed clock (days turn over), and then the ledger is audited against the
// exchange's own records: no order twice, no day where the exchange took more than that day's cap, every alert
// delivered, the journal intact. Progress goes to stderr; with --json the last stdout line is the summary.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type App, createApp } from './app.js';
import { ManualClock, tradingDay } from './clock.js';
import { loadConfig } from './config.js';
import { SimulatedCrash } from './execution/executor.js';
import { silentLogger } from './log.js';
import { type AlertSink, OutboxDelivery } from './notify/delivery.js';
import { type SimExchange, type SimFault, startSimExchange } from './sim/index.js';
import { makeRng } from './sim/prng.js';

const TZ = 'America/New_York';
const CYCLE_MINUTES = 90; // 16 cycles a trading day
const FAULT_KINDS = ['rate-limit', '5xx', 'drop', 'drop-after', 'malformed', 'refused', 'slow', 'trading-off', 'crash-intent', 'crash-send', 'kill'] as const;
type FaultKind = (typeof FAULT_KINDS)[number];

export interface SoakSummary {
  cycles: number;
  faults: Partial<Record<FaultKind, number>>;
  kills: number;
  orders: number;
  duplicateOrders: number;
  capBreaches: number;
  alertsQueued: number;
  alertsDelivered: number;
  integrity: string;
}

function faultFor(kind: FaultKind, r: () => number): SimFault | null {
  const n = 1 + Math.floor(r() * 4);
  switch (kind) {
    case 'rate-limit':
      return { kind: 'rate-limit', count: 5 + n * 5 };
    case '5xx':
      return { kind: 'status', status: r() < 0.5 ? 503 : 500, count: n, ...(r() < 0.5 ? { method: 'POST' } : {}) };
    case 'drop':
      return { kind: 'drop', count: n, ...(r() < 0.5 ? { pathIncludes: '/portfolio/events/orders' } : { pathIncludes: '/markets' }) };
    case 'drop-after':
      return { kind: 'drop-after', count: 1, method: 'POST' };
    case 'malformed':
      return { kind: 'malformed', count: 10 * n };
    case 'refused': {
      const code = r() < 0.5 ? 'insufficient_balance' : 'invalid_price';
      return { kind: 'reply', status: 400, body: { error: { code, message: code.replace('_', ' ') } }, count: 1, method: 'POST', pathIncludes: '/portfolio/events/orders' };
    }
    default:
      return null;
  }
}

export async function runSoak(opts: { cycles: number; seed?: number; markets?: number; onProgress?: (line: string) => void }): Promise<SoakSummary> {
  // Seeded: the same seed replays the same soak.
  const r = makeRng(opts.seed ?? 7);
  const dir = mkdtempSync(join(tmpdir(), 'kalshi-soak-'));
  const clock = new ManualClock(Date.parse('2026-11-30T14:00:00Z'));
  const sim: SimExchange = await startSimExchange({ markets: opts.markets ?? 3000, rateLimit: false, clock: () => clock.now(), transferDelayMs: 5 });
  const faults: Partial<Record<FaultKind, number>> = {};
  const delivered = new Set<number>();
  let kills = 0;
  let crashAt: 'none' | 'intent' | 'send' = 'none';
  const capByDay = new Map<string, number>();

  const config = loadConfig({ KALSHI_ENV: 'sim', DB_PATH: join(dir, 'bot.db'), DAILY_LOSS_CAP: '25', MIN_VOLUME_24H: '100', CYCLE_SECONDS: '60' });
  const sink: AlertSink = {
    deliver: async (_alert, row) => {
      delivered.add(row.id);
    },
  };
  const boot = async (): Promise<{ app: App; delivery: OutboxDelivery }> => {
    const app = await createApp({
      config,
      sim,
      clock,
      log: silentLogger,
      hydrateStreams: 4,
      executor: {
        pollMs: 5,
        fillTimeoutMs: 40,
        hooks: {
          afterIntent: () => {
            if (crashAt === 'intent') throw new SimulatedCrash('soak: killed after the intent');
          },
          afterSend: () => {
            if (crashAt === 'send') throw new SimulatedCrash('soak: killed after the send');
          },
        },
      },
      http: { retries: 3, baseDelayMs: 2, maxDelayMs: 10, timeoutMs: 500 },
    });
    const delivery = new OutboxDelivery(
      { outbox: app.journal.outbox, clock, log: silentLogger, sink, subscribe: (wake) => app.alerter.onQueued(wake), lateMarker: () => '' },
      { pollMs: 5, baseBackoffMs: 1, maxBackoffMs: 5 },
    );
    delivery.start();
    await app.reconcile({ announce: true });
    return { app, delivery };
  };
  /** A kill: the process dies where it stands; only the journal file and the exchange remain. */
  const kill = (s: { app: App; delivery: OutboxDelivery }) => {
    kills++;
    void s.delivery.stop(0);
    s.app.client.close();
    s.app.journal.close();
  };

  let s = await boot();
  const started = performance.now();
  try {
    for (let cycle = 1; cycle <= opts.cycles; cycle++) {
      const day = tradingDay(clock.now(), TZ);
      capByDay.set(day, Math.max(capByDay.get(day) ?? 0, s.app.journal.settings.get().dailyCapE4));
      const kind = r() < 0.6 ? FAULT_KINDS[Math.floor(r() * FAULT_KINDS.length)]! : null;
      if (kind) faults[kind] = (faults[kind] ?? 0) + 1;
      const f = kind ? faultFor(kind, r) : null;
      if (f) sim.inject(f);
      if (kind === 'slow') sim.setLatency(600); // above the client's 500 ms timeout
      if (kind === 'trading-off') sim.setTradingActive(false);
      crashAt = kind === 'crash-intent' ? 'intent' : kind === 'crash-send' ? 'send' : 'none';
      await s.app.runCycle().catch(() => undefined);
      sim.setLatency(0);
      sim.setTradingActive(true);
      if (crashAt !== 'none' || kind === 'kill') {
        kill(s);
        crashAt = 'none';
        s = await boot();
      } else if (r() < 0.05) {
        await s.delivery.stop();
        await s.app.stop();
        s = await boot();
      }
      clock.advance(CYCLE_MINUTES * 60_000);
      if (cycle % 10 === 0 || cycle === opts.cycles) {
        const secs = ((performance.now() - started) / 1000).toFixed(1);
        opts.onProgress?.(`soak: cycle ${cycle}/${opts.cycles}, ${sim.ordersSnapshot().length} orders, ${kills} kills, ${secs} s`);
      }
    }
    // Settle what is left and deliver what is queued, as a clean stop would.
    await s.app.reconcile({ announce: false });
    await s.delivery.stop(5_000);
    const audit = auditLedger(s.app, sim, capByDay);
    const integrity = s.app.journal.integrity();
    const { queued: alertsQueued, delivered: alertsDelivered } = s.app.journal.outbox.counts();
    await s.app.stop();
    return { cycles: opts.cycles, faults, kills, orders: audit.orders, duplicateOrders: audit.duplicates, capBreaches: audit.breaches, alertsQueued, alertsDelivered, integrity };
  } finally {
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The exchange's records against the journal: an order twice is a client_order_id used twice on the exchange, an
 * exchange order the journal has no row for, or two exchange orders for one decision (a cycle's market); a breach is a trading day on which the fills cost more than the day's cap.
 */
function auditLedger(app: App, sim: SimExchange, capByDay: Map<string, number>): { orders: number; duplicates: number; breaches: number } {
  const onExchange = sim.ordersSnapshot();
  const journalIds = app.journal.orders.clientOrderIds();
  const seen = new Set<string>();
  let duplicates = 0;
  for (const o of onExchange) {
    if (seen.has(o.client_order_id) || !journalIds.has(o.client_order_id)) duplicates++;
    seen.add(o.client_order_id);
  }
  const taken = new Map<string, number>();
  for (const f of sim.fillsSnapshot()) {
    const day = tradingDay(f.tsMs, TZ);
    taken.set(day, (taken.get(day) ?? 0) + Math.ceil((f.countE2 * f.paidE4) / 100) + f.feeE4);
  }
  // Two orders on the exchange for one decision (one cycle, one market) would be an order sent twice as well.
  duplicates += app.journal.orders.extraOrdersPerDecision();
  let breaches = 0;
  for (const [day, e4] of taken) if (e4 > (capByDay.get(day) ?? 0)) breaches++;
  return { orders: onExchange.length, duplicates, breaches };
}

export async function soakCommand(args: string[]): Promise<void> {
  const value = (name: string) => {
    const i = args.indexOf(name);
    return i === -1 ? undefined : args[i + 1];
  };
  const cycles = Number(value('--cycles') ?? 100);
  if (!Number.isInteger(cycles) || cycles < 1 || cycles > 100_000) {
    process.stderr.write('--cycles must be a whole number from 1 to 100000\n');
    process.exitCode = 2;
    return;
  }
  const seed = Number(value('--seed') ?? 7);
  const json = args.includes('--json');
  const s = await runSoak({ cycles, seed, onProgress: (l) => process.stderr.write(`${l}\n`) });
  if (json) process.stdout.write(`${JSON.stringify(s)}\n`);
  else {
    const faults = Object.entries(s.faults).map(([k, n]) => `${k} ${n}`).join(', ');
    process.stdout.write(
      [
        `cycles            ${s.cycles}`,
        `faults injected   ${faults || 'none'}`,
        `kills             ${s.kills}`,
        `orders            ${s.orders}`,
        `duplicate orders  ${s.duplicateOrders}`,
        `cap breaches      ${s.capBreaches}`,
        `alerts            ${s.alertsQueued} queued, ${s.alertsDelivered} delivered`,
        `journal integrity ${s.integrity}`,
        '',
      ].join('\n'),
    );
  }
  if (s.duplicateOrders > 0 || s.capBreaches > 0 || s.alertsDelivered < s.alertsQueued || s.integrity !== 'ok') process.exitCode = 1;
}
