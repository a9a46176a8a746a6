// `npm run calibrate -- --days 30 [--hours 6,24,72] [--share 0.5] [--fresh] [--json]`: pull the exchange's settled
// markets and their quotes before close into the journal (resumable: a second run goes on where the first stopped),
// then print the calibration report. With --json the last stdout line is the report's JSON.
//
// Read budget: the run paces itself to `--share` of the account's read rate (from GET /account/limits), and waits
// while the bot's scan cycle is running (the journal's unfinished cycle, when the bot shares the DB_PATH), so the
// scan keeps the whole budget for its burst.
import { setTimeout as sleep } from 'node:timers/promises';
import { createApp } from './app.js';
import { formatCalibration } from './chat/format-calibration.js';
import { toPlain } from './chat/html.js';
import { ConfigError, loadConfig, loadDotEnv } from './config.js';
import { TokenBucket } from './kalshi/ratelimit.js';
import { createLogger } from './log.js';
import { CalibrateJob, type CalibrateProgress, DEFAULT_HOURS, LIVE_DAYS } from './pipeline/calibrate.js';
import { calibrationJson } from './pipeline/calibration.js';
import { CategoryCache } from './pipeline/categories.js';

export interface CalibrateArgs {
  days: number;
  hours: number[];
  share: number;
  fresh: boolean;
  json: boolean;
}

export function parseCalibrateArgs(args: string[]): CalibrateArgs {
  const value = (flag: string): string | undefined => {
    const i = args.indexOf(flag);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const problems: string[] = [];
  const days = Number(value('--days') ?? '30');
  if (!(Number.isFinite(days) && days > 0 && days <= 365)) problems.push('--days must be a number of days from 1 to 365');
  const hoursText = value('--hours');
  const hours = hoursText === undefined ? DEFAULT_HOURS : hoursText.split(',').map(Number);
  if (!hours.every((h) => Number.isInteger(h) && h >= 1 && h <= 24 * 30) || hours.length === 0 || hours.length > 6) {
    problems.push('--hours must be 1 to 6 whole numbers of hours before close, comma-separated, like 6,24,72');
  }
  const share = Number(value('--share') ?? '0.5');
  if (!(share > 0 && share <= 1)) problems.push('--share must be a fraction of the read budget above 0 and at most 1, like 0.5');
  if (problems.length > 0) throw new ConfigError(problems);
  return { days, hours: [...new Set(hours)].sort((a, b) => a - b), share, fresh: args.includes('--fresh'), json: args.includes('--json') };
}

/** A progress line on stderr: live on a TTY, every few seconds (and at each phase change) otherwise. */
function progressPrinter(stream: NodeJS.WriteStream = process.stderr, everyMs = 3000): (p: CalibrateProgress) => void {
  let last = 0;
  let phase = '';
  return (p) => {
    const done = p.listed > 0 ? ` ${Math.floor((100 * p.sampled) / p.listed)}%` : '';
    const line =
      `calibrate run #${p.runId}${p.resumed ? ' (resumed)' : ''}: ${p.phase === 'list' ? 'listing' : p.phase === 'candles' ? 'reading quotes' : 'done'}; ` +
      `${p.listed.toLocaleString('en-US')} settled markets listed, ${p.sampled.toLocaleString('en-US')} read${done}, ` +
      `${p.added.toLocaleString('en-US')} observations added, ${p.requests} requests, ${(p.elapsedMs / 1000).toFixed(1)} s`;
    if (stream.isTTY) {
      stream.write(`\r${line}\x1b[K${p.phase === 'done' ? '\n' : ''}`);
      return;
    }
    const now = Date.now();
    if (p.phase !== phase || now - last >= everyMs) {
      last = now;
      phase = p.phase;
      stream.write(`${line}\n`);
    }
  };
}

export async function calibrateCommand(argv: string[]): Promise<void> {
  const args = parseCalibrateArgs(argv);
  loadDotEnv();
  const config = loadConfig();
  const log = await createLogger({ level: args.json ? 'warn' : config.LOG_LEVEL });
  if (args.days > LIVE_DAYS) process.stderr.write(`calibrate: Kalshi lists about ${LIVE_DAYS} days of settled markets on its live endpoints; older ones are not read.\n`);
  const app = await createApp({ config, log, dailySummary: false });
  try {
    await app.adoptAccountLimits();
    // A share of the read rate for this process: the limits as adopted, scaled (the client's bucket still applies).
    const read = app.client.http.limiter.read.limits;
    const pace = new TokenBucket({ capacity: Math.max(10, Math.floor(read.capacity * args.share)), refillPerSec: read.refillPerSec * args.share });
    const gate = async () => {
      // The bot's scan goes first: while a cycle it started in the last 10 minutes is unfinished, wait.
      for (let i = 0; i < 600; i++) {
        const running = app.journal.cycles.unfinished();
        if (!running || app.clock.now() - running.startedAt > 600_000) break;
        await sleep(1000);
      }
      await pace.take(10);
    };
    const job = new CalibrateJob({ source: app.client, journal: app.journal, clock: app.clock, categories: new CategoryCache(app.client, app.clock) });
    const ac = new AbortController();
    const onSignal = () => ac.abort();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    let result: CalibrateProgress;
    try {
      result = await job.run({ days: args.days, hours: args.hours, fresh: args.fresh, gate, signal: ac.signal, onProgress: progressPrinter() });
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
    if (result.phase !== 'done') process.stderr.write(`calibrate: stopped; run #${result.runId} resumes where it stopped with the same command.\n`);
    const report = app.calibration.report();
    if (args.json) process.stdout.write(`${JSON.stringify(calibrationJson(report))}\n`);
    else process.stdout.write(`${toPlain(formatCalibration(report, app.mode))}\n`);
  } finally {
    // Not app.stop(): that cancels the bot's own resting orders, and the bot may be running on this journal.
    app.client.close();
    await app.sim?.close();
    app.journal.close();
  }
}
