// `npm run bench -- --stream`: the time from a price change on the exchange to the order leaving the bot, in stream
// mode and in scan mode in the same run, and the REST read budget each spends per minute. The simulated exchange runs
// in this process (its prices moving over time: the generated universe walks every MOVE_BUCKET_MS) with latency per
// request and the Basic tier's buckets; the real app runs against it once with STREAM=on, once with STREAM=off.
// "Price change" is the moment the bench moves a probe market into the band (sim.updateMarket); "order leaving" is the
// moment the exchange accepted the order (its created time, on the same clock).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type App, createApp } from './app.js';
import { loadConfig } from './config.js';
import { type SimExchange, startSimExchange } from './sim/index.js';

interface ModeResult {
  /** GET requests per minute by route, most first (what the read budget goes to) */
  byRoute: Array<[string, number]>;
  latenciesMs: number[];
  probes: number;
  readsPerMin: number;
  marketReadsPerMin: number;
  /** GET requests of one full scan (pages plus the reads around it) */
  scanReads: number;
  /** stream mode: sequence gaps detected (one is made after the measured window) and recovered by a full scan */
  gaps: number;
  gapsRecovered: number;
  /** how long the recovery took from the fault, and the reads it cost (a full scan, run early by the loop) */
  recoveryMs: number;
  recoveryReads: number;
}

/**
 * After the measured window: a lifecycle frame is lost on the way (its seq skipped), the next one shows the gap, and
 * the full scan it makes due, run early by the scan loop, recovers it. Measured apart from the steady budget.
 */
async function gapAndRecovery(sim: SimExchange, app: App, tag: string): Promise<{ gaps: number; gapsRecovered: number; recoveryMs: number; recoveryReads: number }> {
  const r0 = reads(sim);
  const t0 = Date.now();
  sim.wsFault({ kind: 'skip-seq' });
  // A new market: its 'created' frame is the one lost, its 'activated' frame shows the gap.
  sim.addMarket({ ...probeSpec(`KXBENCHGAP-26DEC31-${tag}`, Date.now()), volume24h: 10 });
  const h = () => app.stream!.health();
  const end = Date.now() + 60_000;
  while (Date.now() < end && (h().gaps === 0 || h().gapsRecovered < h().gaps)) await sleep(50);
  return { gaps: h().gaps, gapsRecovered: h().gapsRecovered, recoveryMs: Date.now() - t0, recoveryReads: reads(sim) - r0 };
}

const arg = (args: string[], name: string, dflt: number): number => {
  const i = args.indexOf(name);
  const v = i >= 0 ? Number(args[i + 1]) : Number.NaN;
  return Number.isFinite(v) && v > 0 ? v : dflt;
};

const pct = (xs: number[], p: number): number => {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};

/** GET requests so far; `market`: market data only (listings, events, series, exchange), not our orders and balances. */
const reads = (sim: SimExchange, market = false): number =>
  Object.entries(sim.stats().byRoute)
    .filter(([k]) => k.startsWith('GET ') && (!market || !k.startsWith('GET /portfolio') && !k.startsWith('GET /account')))
    .reduce((a, [, n]) => a + n, 0);

const probeSpec = (ticker: string, nowMs: number) => ({
  ticker,
  yesBidCents: 48,
  yesAskCents: 50,
  yesBidSize: 50,
  yesAskSize: 50,
  volume24h: 200_000_000,
  closeMs: nowMs + 3 * 86_400_000,
  expectedExpirationMs: nowMs + 2 * 86_400_000,
});

async function runMode(sim: SimExchange, mode: 'stream' | 'scan', o: { seconds: number; cycleSeconds: number; resyncMinutes: number; everyMs: number }): Promise<ModeResult> {
  const dir = mkdtempSync(join(tmpdir(), `kalshi-bench-${mode}-`));
  const tag = mode === 'stream' ? 'S' : 'C';
  const n = Math.ceil((o.seconds * 1000) / o.everyMs);
  const tickers = Array.from({ length: n }, (_, i) => `KXBENCH${tag}-26DEC31-P${i}`);
  for (const t of tickers) sim.addMarket(probeSpec(t, Date.now()));
  const config = loadConfig({
    KALSHI_ENV: 'sim',
    DB_PATH: join(dir, 'bot.db'),
    STREAM: mode === 'stream' ? 'on' : 'off',
    CYCLE_SECONDS: String(o.cycleSeconds),
    RESYNC_MINUTES: String(o.resyncMinutes),
    // Only the probes pass layer 3: the universe's own markets move through the band but are not what is timed.
    MIN_VOLUME_24H: '100000000',
    DAILY_LOSS_CAP: '100000',
    MAX_COST_PER_TRADE: '5',
    SHARD_FUNDING: 'off',
  });
  const app = await createApp({ config, sim, dailySummary: false });
  try {
    const first = new Promise<void>((resolve) => {
      const off = app.onCycle(() => {
        off();
        resolve();
      });
    });
    const r0 = reads(sim);
    await app.start();
    await first;
    const scanReads = reads(sim) - r0;
    const m0 = reads(sim, true);
    if (mode === 'stream') {
      const end = Date.now() + 5000;
      while (!app.stream?.health().connected && Date.now() < end) await sleep(10);
    }
    const moved = new Map<string, number>();
    const rStart = reads(sim);
    const routesAt = { ...sim.stats().byRoute };
    const tStart = Date.now();
    for (const t of tickers) {
      moved.set(t, Date.now());
      sim.updateMarket(t, { yesBidCents: 76, yesAskCents: 78 });
      await sleep(o.everyMs);
    }
    // The last probes get one more full cycle (scan mode) or a moment (stream mode) to be ordered.
    const grace = mode === 'scan' ? o.cycleSeconds * 1000 + 15_000 : 15_000;
    const until = Date.now() + grace;
    const ordered = () => new Set(sim.ordersSnapshot().map((x) => x.ticker));
    while (Date.now() < until && tickers.some((t) => !ordered().has(t))) await sleep(50);
    const minutes = (Date.now() - tStart) / 60_000;
    const steady = (reads(sim) - rStart) / minutes;
    const marketSteady = (reads(sim, true) - m0) / minutes;
    const latenciesMs: number[] = [];
    for (const ord of sim.ordersSnapshot()) {
      const at = moved.get(ord.ticker);
      if (at !== undefined) latenciesMs.push(ord.createdMs - at);
      moved.delete(ord.ticker);
    }
    // Stream mode still runs the full scan every RESYNC_MINUTES: its reads are spread over that period.
    const readsPerMin = mode === 'stream' ? steady + scanReads / o.resyncMinutes : steady;
    const byRoute = Object.entries(sim.stats().byRoute)
      .filter(([k]) => k.startsWith('GET '))
      .map(([k, v]): [string, number] => [k, Math.round(((v - (routesAt[k] ?? 0)) / minutes) * 10) / 10])
      .filter(([, v]) => v > 0)
      .sort((a, b) => b[1] - a[1]);
    const marketReadsPerMin = mode === 'stream' ? marketSteady + scanReads / o.resyncMinutes : marketSteady;
    const gap = mode === 'stream' ? await gapAndRecovery(sim, app, tag) : { gaps: 0, gapsRecovered: 0, recoveryMs: 0, recoveryReads: 0 };
    return { byRoute, latenciesMs, probes: tickers.length, readsPerMin, marketReadsPerMin, scanReads, ...gap };
  } finally {
    await app.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function streamBenchCommand(args: string[]): Promise<void> {
  const json = args.includes('--json');
  const markets = arg(args, '--markets', 20_000);
  const latency = arg(args, '--latency', 100);
  const seconds = arg(args, '--seconds', 60);
  const cycleSeconds = arg(args, '--cycle-seconds', 50);
  const resyncMinutes = arg(args, '--resync-minutes', 10);
  const everyMs = arg(args, '--every-ms', 1000);
  const sim = await startSimExchange({ markets, latencyMs: latency, rateLimit: 'basic', balanceCents: 100_000_000, renderCache: 'warm' });
  const say = (s: string) => {
    if (!json) process.stdout.write(`${s}\n`);
  };
  try {
    say(`stream bench: ${markets} markets moving, ${latency} ms per request, Basic tier; a probe enters the band every ${everyMs} ms for ${seconds} s per mode`);
    const stream = await runMode(sim, 'stream', { seconds, cycleSeconds, resyncMinutes, everyMs });
    say(`stream: ${stream.latenciesMs.length}/${stream.probes} ordered, p50 ${pct(stream.latenciesMs, 50)} ms, p99 ${pct(stream.latenciesMs, 99)} ms, ${stream.readsPerMin.toFixed(1)} reads/min, ${stream.marketReadsPerMin.toFixed(1)} of them market data (a full scan every ${resyncMinutes} min included)`);
    say(`  reads/min by route: ${stream.byRoute.slice(0, 8).map(([k, v]) => `${k} ${v}`).join(', ')}`);
    say(`  a sequence gap made after the window: ${stream.gaps} detected, ${stream.gapsRecovered} recovered by a full scan ${(stream.recoveryMs / 1000).toFixed(1)} s after the fault, costing ${stream.recoveryReads} reads`);
    const scan = await runMode(sim, 'scan', { seconds, cycleSeconds, resyncMinutes, everyMs });
    say(`scan (every ${cycleSeconds} s): ${scan.latenciesMs.length}/${scan.probes} ordered, p50 ${pct(scan.latenciesMs, 50)} ms, p99 ${pct(scan.latenciesMs, 99)} ms, ${scan.readsPerMin.toFixed(1)} reads/min, ${scan.marketReadsPerMin.toFixed(1)} of them market data (${scan.scanReads} reads a scan)`);
    say(`  reads/min by route: ${scan.byRoute.slice(0, 8).map(([k, v]) => `${k} ${v}`).join(', ')}`);
    say(
      `prices kept fresh: ${stream.marketReadsPerMin.toFixed(1)} market-data reads/min streaming vs ${scan.marketReadsPerMin.toFixed(1)} scanning ` +
        `(${(stream.marketReadsPerMin / scan.marketReadsPerMin).toFixed(2)}x); all reads ${stream.readsPerMin.toFixed(1)} vs ${scan.readsPerMin.toFixed(1)} a minute ` +
        `(${(stream.readsPerMin / scan.readsPerMin).toFixed(2)}x: streaming, orders are confirmed and booked from the pushed reports)`,
    );
    const gapsRecovered = stream.gapsRecovered;
    const out = {
      streamP50Ms: pct(stream.latenciesMs, 50),
      streamP99Ms: pct(stream.latenciesMs, 99),
      scanP50Ms: pct(scan.latenciesMs, 50),
      scanP99Ms: pct(scan.latenciesMs, 99),
      readsPerMinStream: Math.round(stream.readsPerMin * 10) / 10,
      readsPerMinScan: Math.round(scan.readsPerMin * 10) / 10,
      // What keeping prices fresh costs (listings, events, series, exchange status), apart from the orders' own reads.
      marketReadsPerMinStream: Math.round(stream.marketReadsPerMin * 10) / 10,
      marketReadsPerMinScan: Math.round(scan.marketReadsPerMin * 10) / 10,
      gapsRecovered,
    };
    if (json) process.stdout.write(`${JSON.stringify(out)}\n`);
  } finally {
    await sim.close();
  }
}
