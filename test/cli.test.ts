// The real CLI as a child process: one sim cycle end to end, and a bad environment.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');
const TSX = join(ROOT, 'node_modules/.bin/tsx');
const CLI = join(ROOT, 'src/cli.ts');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run the CLI in its own temp cwd (so no stray .env is read) with only PATH inherited. */
function runCli(args: string[], env: Record<string, string>, cwd: string): Promise<Run> {
  return new Promise((done, fail) => {
    const child = spawn(TSX, [CLI, ...args], { cwd, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 25_000);
    child.on('error', fail);
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

const KEYS = ['mode', 'markets', 'skipped', 'candidates', 'validated', 'orders', 'halted', 'atRisk', 'cap', 'hydrateMs', 'durationMs'];

describe('cli cycle --json', () => {
  it('runs one sim cycle and prints one JSON summary as its last line', { timeout: 30_000 }, async () => {
    dir = mkdtempSync(join(tmpdir(), 'kalshi-cli-'));
    const dbPath = join(dir, 'bot.db');
    const r = await runCli(['cycle', '--json'], { KALSHI_ENV: 'sim', SIM_MARKETS: '2000', DB_PATH: dbPath }, dir);
    expect(r.code, r.stderr).toBe(0);

    const lines = r.stdout.trimEnd().split('\n');
    const last = lines.at(-1) ?? '';
    const s = JSON.parse(last) as Record<string, unknown>;
    expect(typeof s).toBe('object');
    expect(Object.keys(s).sort()).toEqual([...KEYS].sort());

    expect(s.mode).toBe('SIM');
    expect(s.markets).toBe(2000);
    expect(s.skipped).toBe(0);
    for (const k of ['candidates', 'validated', 'atRisk', 'cap', 'hydrateMs', 'durationMs']) expect(typeof s[k], k).toBe('number');
    expect(typeof s.halted).toBe('boolean');
    expect(s.candidates as number).toBeLessThanOrEqual(2000);
    expect(s.validated as number).toBeLessThanOrEqual(s.candidates as number);
    expect(s.cap).toBe(50); // the default $50 daily loss cap, in dollars
    expect(s.atRisk as number).toBeGreaterThanOrEqual(0);
    expect(s.atRisk as number).toBeLessThanOrEqual(s.cap as number);

    expect(Array.isArray(s.orders)).toBe(true);
    const orders = s.orders as Array<Record<string, unknown>>;
    let notional = 0;
    for (const o of orders) {
      expect(typeof o.ticker).toBe('string');
      expect(o.side).toMatch(/^(yes|no)$/);
      expect(Number.isInteger(o.count) && (o.count as number) > 0).toBe(true);
      expect(typeof o.price).toBe('number');
      // Everything ordered is inside the default 0.70-0.87 band.
      expect(o.price as number).toBeGreaterThanOrEqual(0.7);
      expect(o.price as number).toBeLessThanOrEqual(0.87);
      expect(typeof o.status).toBe('string');
      expect(typeof o.filled).toBe('number');
      expect(o.filled as number).toBeLessThanOrEqual(o.count as number);
      notional += (o.count as number) * (o.price as number);
    }
    // What is at risk covers at least the contracts bought (fees come on top).
    expect(s.atRisk as number).toBeGreaterThanOrEqual(notional - 1e-9);

    // The journal file is real and agrees with the summary.
    const db = new Database(dbPath, { readonly: true });
    try {
      const cycles = db.prepare('SELECT mode, markets, orders FROM cycles').all() as Array<{ mode: string; markets: number; orders: number }>;
      expect(cycles).toHaveLength(1);
      expect(cycles[0]!.markets).toBe(2000);
      const n = (db.prepare('SELECT COUNT(*) AS n FROM orders').get() as { n: number }).n;
      expect(n).toBe(orders.length);
      // What the day actually spent (cost + fees of settled orders) stays under the $50 cap.
      const spent = (db.prepare('SELECT COALESCE(SUM(fill_cost_e4 + fees_e4), 0) AS w FROM orders WHERE final = 1').get() as { w: number }).w;
      expect(spent).toBeLessThanOrEqual(500_000);
      expect((db.prepare('SELECT COUNT(*) AS n FROM orders WHERE final = 0').get() as { n: number }).n).toBe(0);
    } finally {
      db.close();
    }
  });

  it('a bad environment exits non-zero naming the variable, without a stack trace', { timeout: 30_000 }, async () => {
    dir = mkdtempSync(join(tmpdir(), 'kalshi-cli-'));
    const r = await runCli(['cycle', '--json'], { KALSHI_ENV: 'sim', CYCLE_SECONDS: 'abc', DB_PATH: join(dir, 'bot.db') }, dir);
    expect(r.code).not.toBe(0);
    expect(r.code).not.toBeNull();
    expect(r.stderr).toContain('CYCLE_SECONDS');
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack frames
    expect(r.stderr).not.toContain('ConfigError:');
    expect(r.stdout).toBe('');
  });
});

describe('cli calibrate --json', () => {
  it('pulls the sim exchange settled history into the journal, shows progress, and prints the report JSON last', { timeout: 30_000 }, async () => {
    dir = mkdtempSync(join(tmpdir(), 'kalshi-cli-'));
    const dbPath = join(dir, 'bot.db');
    const env = { KALSHI_ENV: 'sim', SIM_MARKETS: '200', DB_PATH: dbPath, SIM_FAVOURITE_EDGE: '0.05' };
    const r = await runCli(['calibrate', '--days', '4', '--share', '1', '--json'], env, dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/calibrate run #1: done; [\d,]+ settled markets listed, [\d,]+ read 100%/);
    const out = JSON.parse(r.stdout.trimEnd().split('\n').at(-1)!) as { observations: number; buckets: Array<Record<string, unknown>> };
    expect(Object.keys(out)).toEqual(['observations', 'buckets']);
    expect(out.observations).toBeGreaterThan(500);
    expect(out.buckets).toHaveLength(12);
    for (const b of out.buckets) {
      expect(Object.keys(b)).toEqual(expect.arrayContaining(['side', 'lo', 'hi', 'n', 'implied', 'realized', 'ciLow', 'ciHigh', 'breakEven']));
      expect(b.side).toMatch(/^(yes|no)$/);
      for (const k of ['lo', 'hi', 'implied', 'realized', 'ciLow', 'ciHigh', 'breakEven']) {
        expect(b[k] as number, k).toBeGreaterThanOrEqual(0);
        expect(b[k] as number, k).toBeLessThanOrEqual(1);
      }
    }
    // The observations are in the journal file (resumable runs and incremental windows: test/pipeline/calibrate.test.ts).
    const db = new Database(dbPath, { readonly: true });
    try {
      expect((db.prepare("SELECT COUNT(*) AS n FROM calibration_obs WHERE source = 'history'").get() as { n: number }).n).toBe(out.observations);
      expect(db.prepare('SELECT finished_at IS NOT NULL AS done, sampled = listed AS whole FROM calibration_runs').all()).toEqual([{ done: 1, whole: 1 }]);
    } finally {
      db.close();
    }
  });
});
