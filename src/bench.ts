// `npm run bench`: how fast the bot scans, measured from outside as a user would see it. The simulated exchange runs
// in its own process (latency per request, the tier's token buckets); the bot runs in another, as
// `cycle --json --cycles N` in demo mode pointed at it (a fresh install: the first cycle is cold, the next ones plan
// from what it learned), then once more after a restart. In the same run: a sequential cursor walk (the baseline),
// the rate-limit floor from the account's real buckets, the time JSON parsing and schema checks take, the decision
// layers and everything after hydration (from the bot's journal), the bot's peak RSS, requests and 429s.
import { spawn } from 'node:child_process';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { loadConfig } from './config.js';
import { KalshiClient } from './kalshi/client.js';
import type { HydrateProgress } from './kalshi/hydrate.js';
import { MarketTable } from './kalshi/market-table.js';
import { MarketsPage } from './kalshi/schemas.js';
import { Journal } from './journal/index.js';
import { scanProgressPrinter } from './progress.js';

export const progressOff = (_: HydrateProgress) => {};

const TIERS = ['basic', 'advanced', 'premier', 'prime'] as const;
type SimTier = (typeof TIERS)[number];

interface SimProcess {
  baseUrl: string;
  stats(): Promise<{ requests: number; rateLimited: number }>;
  close(): void;
}

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TSX = join(ROOT, 'node_modules/.bin/tsx');

/** Start src/sim/serve.ts as a child process and wait for its ready line. */
async function spawnSim(env: Record<string, string>): Promise<SimProcess> {
  const child = spawn(TSX, [join(ROOT, 'src/sim/serve.ts')], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'inherit'] });
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
      const t = setTimeout(() => fail(new Error('the simulated exchange did not answer')), 120_000);
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

interface CycleLine {
  markets: number;
  hydrateMs: number;
  durationMs: number;
  orders: unknown[];
}

/** Layers 2-4 of a cycle: the band, validation and layer 4's own time. */
const layersOf = (tm: Record<string, number>) => (tm.band ?? 0) + (tm.validate ?? 0) + (tm.execute ?? 0);

/** A cycle's progress line; its layer timings are read from the bot's journal (the summary line does not carry them). */
function cycleNote(l: CycleLine, dbPath: string): string {
  let layers = '';
  try {
    const db = new Database(dbPath, { readonly: true });
    const row = db.prepare('SELECT timings FROM cycles WHERE finished_at IS NOT NULL ORDER BY id DESC LIMIT 1').get() as { timings: string } | undefined;
    db.close();
    if (row) layers = `, layers 2-4 ${layersOf(JSON.parse(row.timings) as Record<string, number>)} ms`;
  } catch {
    // The journal busy or not there yet: the line without them.
  }
  return `    cycle: ${l.markets} markets, hydrate ${secs(l.hydrateMs)}, after hydration ${l.durationMs - l.hydrateMs} ms${layers}`;
}

/** Peak resident set of a process (Linux: VmHWM), MB; null where /proc is not available. */
function peakRssMb(pid: number): number | null {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/** How the bot is run: as production runs it (compiled, `node dist/cli.js`), or from source through tsx (`--tsx`). */
type BotRuntime = 'dist' | 'tsx';

/** Compile src/ to dist/ (what `npm run build` does), so the bot is measured as production runs it. */
function buildDist(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.build.json')], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`the build (tsc -p tsconfig.build.json) failed with code ${code}`))));
  });
}

/** The bot as a user runs it: `cycle --json --cycles N` in its own process. */
function runBot(runtime: BotRuntime, env: Record<string, string>, cycles: number, onLine: (l: CycleLine) => void): Promise<{ lines: CycleLine[]; peakRssMb: number | null }> {
  return new Promise((resolve, reject) => {
    const entry = runtime === 'dist' ? ['--enable-source-maps', join(ROOT, 'dist/cli.js')] : ['--import', 'tsx', join(ROOT, 'src/cli.ts')];
    const child = spawn(process.execPath, [...entry, 'cycle', '--json', '--cycles', String(cycles)], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const lines: CycleLine[] = [];
    let peak: number | null = null;
    const poll = setInterval(() => {
      const p = child.pid === undefined ? null : peakRssMb(child.pid);
      if (p !== null) peak = Math.max(peak ?? 0, p);
    }, 50);
    createInterface({ input: child.stdout }).on('line', (l) => {
      try {
        const s = JSON.parse(l) as CycleLine;
        lines.push(s);
        onLine(s);
      } catch {
        // not a summary line
      }
    });
    child.on('error', reject);
    child.on('close', (code) => {
      clearInterval(poll);
      if (lines.length < cycles) reject(new Error(`the bot exited (code ${code}) after ${lines.length} of ${cycles} cycles`));
      else resolve({ lines, peakRssMb: peak });
    });
  });
}

function arg(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(name);
  const v = i >= 0 ? Number(args[i + 1]) : fallback;
  if (!Number.isFinite(v) || v < 0) throw new Error(`${name} must be a number`);
  return v;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? 0 : s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const say = (s: string) => process.stdout.write(`${s}\n`);
const note = (s: string) => process.stderr.write(`${s}\n`);
const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** CPU a page of the listing costs the bot: decode, JSON.parse, the schema, the table (ms per page, medians). */
async function parseCosts(baseUrl: string, pages: number): Promise<{ decode: number; json: number; schema: number; table: number; bytes: number; bytesPerMarket: number }> {
  const bodies: Buffer[] = [];
  let cursor = '';
  for (let i = 0; i < pages; i++) {
    const r = await fetch(`${baseUrl}/markets?limit=1000&status=open&mve_filter=exclude${cursor ? `&cursor=${cursor}` : ''}`);
    if (r.status === 429) {
      await new Promise((w) => setTimeout(w, 200));
      i--;
      continue;
    }
    const b = Buffer.from(await r.arrayBuffer());
    bodies.push(b);
    cursor = (JSON.parse(b.toString('utf8')) as { cursor: string }).cursor;
    if (!cursor) break;
  }
  const t = { decode: [] as number[], json: [] as number[], schema: [] as number[], table: [] as number[] };
  const table = new MarketTable(bodies.length * 1000);
  for (let round = 0; round < 3; round++) {
    for (const b of bodies) {
      let t0 = performance.now();
      const text = b.toString('utf8');
      t.decode.push(performance.now() - t0);
      t0 = performance.now();
      const raw: unknown = JSON.parse(text);
      t.json.push(performance.now() - t0);
      t0 = performance.now();
      const page = MarketsPage.parse(raw);
      t.schema.push(performance.now() - t0);
      t0 = performance.now();
      for (const m of page.markets) if (m.status === 'active' && !m.isCombo) table.put(m);
      t.table.push(performance.now() - t0);
    }
  }
  return {
    decode: median(t.decode),
    json: median(t.json),
    schema: median(t.schema),
    table: median(t.table),
    bytes: median(bodies.map((b) => b.length)),
    bytesPerMarket: table.approxBytes() / Math.max(1, table.size),
  };
}

export async function runBench(args: string[]): Promise<void> {
  const markets = arg(args, '--markets', 20_000);
  const latencyMs = arg(args, '--latency', 600);
  // The first cycle of a process runs cold (a fresh install's scan, code not yet compiled): steady figures are the
  // median of the cycles after the second.
  const cycles = Math.max(3, Math.floor(arg(args, '--cycles', 8)));
  const json = args.includes('--json');
  const runtime: BotRuntime = args.includes('--tsx') ? 'tsx' : 'dist';
  const tierAt = args.indexOf('--tier');
  const tier = (tierAt >= 0 ? args[tierAt + 1] : 'basic') as SimTier;
  if (!TIERS.includes(tier)) throw new Error(`--tier must be one of ${TIERS.join(', ')}`);
  note(`bench: ${markets.toLocaleString('en-US')} simulated markets, ${latencyMs} ms a request, ${tier} tier; the exchange and the bot in their own processes`);
  if (runtime === 'dist') {
    note('  building dist/ (the bot runs as production runs it: node dist/cli.js; --tsx runs it from source)...');
    await buildDist();
  }

  const dir = mkdtempSync(join(tmpdir(), 'kalshi-bench-'));
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyId = randomUUID();
  const keyPath = join(dir, 'bench-key.pem');
  writeFileSync(keyPath, pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
  chmodSync(keyPath, 0o600);
  let t = performance.now();
  const sim = await spawnSim({
    SIM_MARKETS: String(markets),
    SIM_LATENCY_MS: String(latencyMs),
    SIM_TIER: tier,
    SIM_KEY_ID: keyId,
    SIM_PUBLIC_KEY_PEM: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  });
  note(`  simulated exchange ready in ${secs(performance.now() - t)} (records rendered once, served while unchanged)`);
  const client = new KalshiClient({ baseUrl: sim.baseUrl, keyId, privateKey: pair.privateKey, tier: 'basic' });
  try {
    // The floor is the account's: its real buckets and the listing's token cost.
    const limits = await client.getAccountLimits();
    client.http.limiter.adopt({ read: limits.read, write: limits.write });
    client.http.limiter.adoptCosts(await client.getEndpointCosts());
    const pageCost = client.http.limiter.costOf('GET', '/markets');

    note('  parse and schema costs on sample pages...');
    const costs = await parseCosts(sim.baseUrl, Math.min(8, Math.ceil(markets / 1000)));

    // Baseline: one sequential cursor walk, the way most bots page the universe.
    await new Promise((r) => setTimeout(r, 1500));
    note('  sequential cursor walk (the baseline)...');
    const progress = scanProgressPrinter();
    t = performance.now();
    let cursor: string | null = null;
    let seqListed = 0;
    let seqPages = 0;
    do {
      const page: Awaited<ReturnType<KalshiClient['getMarketsPage']>> = await client.getMarketsPage({
        limit: 1000,
        status: 'open',
        mveFilter: 'exclude',
        ...(cursor ? { cursor } : {}),
      });
      seqPages++;
      seqListed += page.markets.length;
      cursor = page.cursor;
      progress({ pages: seqPages, markets: seqListed, skipped: 0, elapsedMs: Math.round(performance.now() - t), streamsDone: cursor ? 0 : 1, streams: 1 });
    } while (cursor);
    const sequentialMs = performance.now() - t;
    const floorPages = Math.ceil(seqListed / 1000);
    const floorMs = (Math.max(0, floorPages * pageCost - limits.read.capacity) / limits.read.refillPerSec) * 1000 + latencyMs;

    // The bot: a fresh install, paused (a cycle that orders nothing), in demo mode against the exchange.
    const dbPath = join(dir, 'bot.db');
    const journal = Journal.open(dbPath, loadConfig({ KALSHI_ENV: 'sim', DB_PATH: dbPath }));
    journal.settings.update({ paused: true }, 'bench', Date.now());
    journal.close();
    const env = {
      KALSHI_ENV: 'demo',
      KALSHI_BASE_URL: sim.baseUrl,
      KALSHI_KEY_ID: keyId,
      KALSHI_PRIVATE_KEY_PATH: keyPath,
      KALSHI_TIER: tier,
      DB_PATH: dbPath,
      LOG_LEVEL: 'warn',
    };
    await new Promise((r) => setTimeout(r, 1500));
    note(`  the bot: ${cycles} cycles in one process (a fresh install: the first is cold, the others plan from it)...`);
    const first = await runBot(runtime, env, cycles, (l) => note(cycleNote(l, dbPath)));
    await new Promise((r) => setTimeout(r, 1500));
    note('  the bot again after a restart: one cycle, planned from the journal...');
    const again = await runBot(runtime, env, 1, (l) => note(cycleNote(l, dbPath)));
    const stats = await sim.stats();

    const steady = first.lines.slice(1);
    const coldMs = first.lines[0]!.hydrateMs;
    const hydrateMs = median(steady.map((l) => l.hydrateMs));
    const restartMs = again.lines[0]!.hydrateMs;
    const after = (l: CycleLine) => l.durationMs - l.hydrateMs;
    // Layers and everything after hydration: warm cycles (the third on); the first cycle of each process apart.
    const warm = first.lines.slice(2);
    const afterHydrateMs = median(warm.map(after));
    const db = new Database(dbPath, { readonly: true });
    const timings = (db.prepare('SELECT timings FROM cycles ORDER BY id').all() as { timings: string }[]).map((r) => JSON.parse(r.timings) as Record<string, number>);
    db.close();
    const warmTimings = timings.slice(2, cycles);
    const decideMs = median(warmTimings.map(layersOf));
    const journalMs = median(warmTimings.map((tm) => tm.journal ?? 0));
    const layerMedian = (k: string) => Math.round(median(warmTimings.map((tm) => tm[k] ?? 0)));
    const restartDecideMs = layersOf(timings[cycles]!);
    const restartAfterMs = after(again.lines[0]!);
    const peak = Math.max(first.peakRssMb ?? 0, again.peakRssMb ?? 0);
    const scanPages = floorPages;
    const parseTotal = costs.decode + costs.json + costs.schema + costs.table;
    const out = {
      markets: first.lines.at(-1)!.markets,
      hydrateMs: Math.round(hydrateMs),
      coldMs: Math.round(coldMs),
      sequentialMs: Math.round(sequentialMs),
      floorMs: Math.round(floorMs),
      decideMs: Math.round(decideMs),
      afterHydrateMs: Math.round(afterHydrateMs),
      startDecideMs: restartDecideMs,
      startAfterHydrateMs: Math.round(restartAfterMs),
      peakRssMb: first.peakRssMb === null && again.peakRssMb === null ? null : Math.round(peak),
      requests: stats.requests,
      rateLimited: stats.rateLimited,
    };
    if (json) {
      say(JSON.stringify(out));
      return;
    }
    const x = (ms: number) => `${(ms / floorMs).toFixed(2)}x floor`;
    const rows: Array<[string, string]> = [
      ['markets', out.markets.toLocaleString('en-US')],
      [
        'rate-limit floor',
        `${secs(floorMs)} (${floorPages} pages x ${pageCost} tokens, bucket ${limits.read.capacity}, ${limits.read.refillPerSec}/s, + one ${latencyMs} ms request)`,
      ],
      ['sequential cursor walk', `${secs(sequentialMs)} (${seqPages} pages; the baseline)`],
      ['cold scan (fresh install)', `${secs(coldMs)}  ${x(coldMs)}, ${(sequentialMs / coldMs).toFixed(1)}x faster than the walk`],
      ['steady scan', `${secs(hydrateMs)}  ${x(hydrateMs)}, ${(sequentialMs / hydrateMs).toFixed(1)}x faster than the walk`],
      ['after a restart', `${secs(restartMs)}  ${x(restartMs)} (planned from the journal)`],
      [
        'decision layers 2-4',
        `${Math.round(decideMs)} ms over ${out.markets.toLocaleString('en-US')} markets (compact table: band ${layerMedian('band')}, validate ${layerMedian('validate')}, layer 4 ${layerMedian('execute')})`,
      ],
      ['after hydration, no orders', `${Math.round(afterHydrateMs)} ms (layers, journal of decisions ${Math.round(journalMs)} ms, everything)`],
      [
        'first cycle after a start',
        `layers ${restartDecideMs} ms, after hydration ${Math.round(restartAfterMs)} ms (code not yet compiled; above: the median of cycles 3-${cycles})`,
      ],
      ['peak RSS of the bot', out.peakRssMb === null ? 'n/a (no /proc)' : `${out.peakRssMb} MB (${runtime === 'dist' ? 'node dist/cli.js, as production runs it' : 'from source through tsx'})`],
      [
        'parse + schema per page',
        `${parseTotal.toFixed(1)} ms (decode ${costs.decode.toFixed(1)}, JSON.parse ${costs.json.toFixed(1)}, zod ${costs.schema.toFixed(1)}, table ${costs.table.toFixed(1)}; ${(costs.bytes / 1e6).toFixed(1)} MB a page)`,
      ],
      ['  for one scan', `${secs(parseTotal * scanPages)} of CPU over ${scanPages} pages (${((parseTotal * scanPages * 100) / hydrateMs).toFixed(0)}% of one core during the scan)`],
      ['table memory', `~${Math.round(costs.bytesPerMarket)} B a market (${((costs.bytesPerMarket * out.markets) / 1e6).toFixed(0)} MB for the universe)`],
      ['requests, 429s', `${stats.requests} requests, ${stats.rateLimited} answered 429`],
    ];
    const w = Math.max(...rows.map((r) => r[0].length));
    say('');
    for (const [k, v] of rows) say(`  ${k.padEnd(w)}  ${v}`);
  } finally {
    client.close();
    sim.close();
    if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
  }
}
