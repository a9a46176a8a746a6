// Command-line entry points: `cycle` (one full cycle) and `bench` (hydration speed).
import { createApp } from './app.js';
import { ConfigError, loadConfig, loadDotEnv } from './config.js';
import { KeyLoadError } from './kalshi/signer.js';
import { createLogger } from './log.js';
import { progressOff, runBench } from './bench.js';
import { streamBenchCommand } from './bench-stream.js';
import { scanProgressPrinter } from './progress.js';
import { soakCommand } from './soak.js';
import { doctorCommand, exportCommand } from './ops/commands.js';
import { calibrateCommand } from './calibrate.js';
import { stylesBenchCommand } from './bench-styles.js';
import { boundHeapGrowth } from './memory.js';

boundHeapGrowth();

/** `cycle [--json] [--cycles N]`: N full cycles in one process, one summary each (a JSON line with --json). */
async function cycle(args: string[]): Promise<void> {
  const json = args.includes('--json');
  const at = args.indexOf('--cycles');
  const cycles = at >= 0 ? Number(args[at + 1]) : 1;
  if (!(Number.isInteger(cycles) && cycles >= 1)) throw new ConfigError(['--cycles must be a whole number >= 1']);
  loadDotEnv();
  const config = loadConfig();
  const log = await createLogger({ level: json ? 'warn' : config.LOG_LEVEL });
  const app = await createApp({ config, log, onProgress: json ? progressOff : scanProgressPrinter() });
  try {
    // Pace by the account's real buckets, as the long-running bot does.
    await app.adoptAccountLimits();
    await app.reconcile({ announce: false });
    for (let n = 1; n <= cycles; n++) {
      if (n > 1) {
        // Cycles are 50 s apart in service: let the read bucket refill, so each scan starts as it would there.
        const { capacity, refillPerSec } = app.client.http.limiter.read.limits;
        await new Promise((r) => setTimeout(r, Math.ceil((capacity / refillPerSec) * 1000) + 100));
      }
      const s = await app.runCycle();
      const out = {
        mode: s.mode,
        markets: s.markets,
        skipped: s.skipped,
        candidates: s.candidates,
        validated: s.validated,
        orders: s.orders,
        halted: s.halted,
        atRisk: s.atRisk,
        cap: s.cap,
        hydrateMs: s.hydrateMs,
        durationMs: s.durationMs,
      };
      if (json) process.stdout.write(`${JSON.stringify(out)}\n`);
      else process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
      if (s.error) process.exitCode = 1;
    }
  } finally {
    await app.stop();
  }
}

async function main(): Promise<void> {
  const [command, ...args] = process.argv.slice(2);
  if (command === 'cycle') return cycle(args);
  if (command === 'bench' && args.includes('--styles')) return stylesBenchCommand(args);
  if (command === 'bench' && args.includes('--stream')) return streamBenchCommand(args);
  if (command === 'bench') return runBench(args);
  if (command === 'soak') return soakCommand(args);
  if (command === 'doctor') return doctorCommand(args);
  if (command === 'export') return exportCommand(args);
  if (command === 'calibrate') return calibrateCommand(args);
  process.stderr.write('usage: tsx src/cli.ts cycle [--json] [--cycles N] | bench [--markets N] [--latency MS] [--tier basic|advanced|premier|prime] [--json] | bench --styles [--days N] [--markets N] [--edge P] [--toxicity T] [--rest S] [--json] | soak [--cycles N] [--json] [--seed S] | doctor | export --since YYYY-MM-DD [--until YYYY-MM-DD] [--csv|--json] [--out FILE] | calibrate [--days N] [--hours 6,24,72] [--share 0.5] [--fresh] [--json]\n');
  process.exitCode = 2;
}

main().catch((err) => {
  if (err instanceof ConfigError || err instanceof KeyLoadError) process.stderr.write(`${err.message}\n`);
  else process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
