// `npm run bench`: hydration speed against the simulated exchange with real latency and the Basic
// tier's rate limit, parallel windows vs a sequential cursor walk in the same run; then one full cycle.
import { spawn } from 'node:child_process';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createApp } from './app.js';
import { loadConfig } from './config.js';
import { KalshiClient } from './kalshi/client.js';
import { type HydrateProgress, hydrateUniverse } from './kalshi/hydrate.js';
import { scanProgressPrinter } from './progress.js';
import { startSimExchange } from './sim/index.js';

export const progressOff = (_: HydrateProgress) => {};

interface SimProcess {
  baseUrl: string;
  stats(): Promise<{ requests: number; rateLimited: number }>;
  close(): void;
}

/** Start src/sim/serve.ts as a child process and wait for its ready line. */
async function spawnSim(env: Record<string, string>): Promise<SimProcess> {
  const tsx = fileURLToPath(new URL('../node_modules/.bin/tsx', import.meta.url));
  const script = fileURLToPath(new URL('./sim/serve.ts', import.meta.url));
  const child = spawn(tsx, [script], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  const queue: string[] = [];
  const waiters: ((l: string) => void)[] = [];
  lines.on('line', (l) => {
    const w = waiters.shift();
    if (w) w(l);
    else queue.push(l);
  });
  const next = () =>
    new Promise<string>((ok, fail) => {
      const l = queue.shift();
      if (l !== undefined) return ok(l);
      const t = setTimeout(() => fail(new Error('the simulated exchange did not answer')), 60_000);
      waiters.push((x) => {
        clearTimeout(t);
        ok(x);
      });
    });
  const { baseUrl } = JSON.parse(await next()) as { baseUrl: string };
  return {
    baseUrl,
    async stats() {
      child.stdin.write('stats\n');
      return JSON.parse(await next()) as { requests: number; rateLimited: number };
    },
    close() {
      child.stdin.end();
      child.kill('SIGTERM');
    },
  };
}

function arg(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(name);
  const v = i >= 0 ? Number(args[i + 1]) : fallback;
  if (!Number.isFinite(v) || v < 0) throw new Error(`${name} must be a number`);
  return v;
}

const rate = (markets: number, ms: number) => Math.round((markets / ms) * 1000);
const say = (s: string) => process.stdout.write(`${s}\n`);

export async function runBench(args: string[]): Promise<void> {
  const markets = arg(args, '--markets', 20_000);
  const latencyMs = arg(args, '--latency', 600);
  const streams = arg(args, '--streams', 16);
  say(`bench: ${markets.toLocaleString('en-US')} simulated markets, ${latencyMs} ms latency per request, Basic tier (200 read tokens/s), ${streams} streams`);

  // The exchange runs in its own process (its own core), as the real one would be elsewhere.
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyId = randomUUID();
  const t0 = performance.now();
  const sim = await spawnSim({
    SIM_MARKETS: String(markets),
    SIM_LATENCY_MS: String(latencyMs),
    SIM_TIER: 'basic',
    SIM_KEY_ID: keyId,
    SIM_PUBLIC_KEY_PEM: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  });
  say(`  simulated exchange (separate process) ready in ${Math.round(performance.now() - t0)} ms`);
  const client = new KalshiClient({ baseUrl: sim.baseUrl, keyId, privateKey: pair.privateKey, tier: 'basic' });
  const progress = scanProgressPrinter();
  try {
    // Baseline: one sequential cursor walk, the way most bots page the universe.
    let t = performance.now();
    let cursor: string | null = null;
    let seqMarkets = 0;
    let seqPages = 0;
    do {
      const page: Awaited<ReturnType<KalshiClient['getMarketsPage']>> = await client.getMarketsPage({
        limit: 1000,
        status: 'open',
        mveFilter: 'exclude',
        ...(cursor ? { cursor } : {}),
      });
      seqPages++;
      seqMarkets += page.markets.filter((m) => m.status === 'active').length;
      cursor = page.cursor;
      progress({ pages: seqPages, markets: seqMarkets, skipped: 0, elapsedMs: Math.round(performance.now() - t), streamsDone: cursor ? 0 : 1, streams: 1 });
    } while (cursor);
    const seqMs = performance.now() - t;

    await new Promise((r) => setTimeout(r, 1500)); // let the token bucket refill between runs
    t = performance.now();
    const first = await hydrateUniverse(client, { streams, onProgress: progress });
    const firstMs = performance.now() - t;

    await new Promise((r) => setTimeout(r, 1500));
    t = performance.now();
    const balanced = await hydrateUniverse(client, {
      streams,
      onProgress: progress,
      previousCreatedS: first.markets.map((m) => Math.floor(m.createdMs / 1000)),
    });
    const balMs = performance.now() - t;
    const stats = await sim.stats();

    say('');
    say('hydration (markets/s, higher is better)');
    say(`  sequential cursor walk : ${seqMarkets} markets, ${seqPages} pages, ${Math.round(seqMs)} ms -> ${rate(seqMarkets, seqMs)} markets/s (baseline)`);
    say(`  parallel, first scan   : ${first.markets.length} markets, ${first.pages} pages, ${Math.round(firstMs)} ms -> ${rate(first.markets.length, firstMs)} markets/s (${(seqMs / firstMs).toFixed(2)}x)`);
    say(`  parallel, balanced     : ${balanced.markets.length} markets, ${balanced.pages} pages, ${Math.round(balMs)} ms -> ${rate(balanced.markets.length, balMs)} markets/s (${(seqMs / balMs).toFixed(2)}x)`);
    say(`  429s from the exchange : ${stats.rateLimited} over ${stats.requests} requests`);
  } finally {
    client.close();
    sim.close();
  }

  // One full cycle (all four layers, real journal) over the same size of universe, without latency.
  const dir = mkdtempSync(join(tmpdir(), 'kalshi-bench-'));
  const cycleSim = await startSimExchange({ markets, rateLimit: 'basic' });
  try {
    const config = loadConfig({ KALSHI_ENV: 'sim', DB_PATH: join(dir, 'bench.db'), SIM_MARKETS: String(markets) });
    const app = await createApp({ config, sim: cycleSim, onProgress: progressOff });
    try {
      const s = await app.runCycle();
      say('');
      say(`one cycle over ${s.markets} markets: ${s.candidates} in band -> ${s.validated} validated -> ${s.orders.length} orders${s.halted ? ' (halted)' : ''}`);
      say(`  per layer (ms): ${Object.entries(s.timings).map(([k, v]) => `${k} ${v}`).join(', ')}; total ${s.durationMs}`);
      if (s.error) say(`  error: ${s.error}`);
    } finally {
      await app.stop();
    }
  } finally {
    await cycleSim.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
