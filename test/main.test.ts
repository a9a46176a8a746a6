// `npm start` as a new user runs it: the bot on the simulated exchange, commands typed in the terminal,
// and a clean stop on SIGTERM with the journal intact.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');
const TSX = join(ROOT, 'node_modules/.bin/tsx');
const MAIN = join(ROOT, 'src/main.ts');

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('the long-running bot', () => {
  it('scans, answers a typed command, and stops cleanly on SIGTERM', async () => {
    dir = mkdtempSync(join(tmpdir(), 'kalshi-main-'));
    const db = join(dir, 'bot.db');
    const child = spawn(TSX, [MAIN], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '', SIM_MARKETS: '2000', CYCLE_SECONDS: '5', DB_PATH: db },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    const seen = (re: RegExp, ms: number) =>
      new Promise<void>((ok, fail) => {
        const t = setTimeout(() => fail(new Error(`timed out waiting for ${re}; output so far:\n${out}`)), ms);
        const check = () => {
          if (re.test(out)) {
            clearTimeout(t);
            ok();
          } else setTimeout(check, 50);
        };
        check();
      });
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise<number | null>((ok) => child.on('close', (code) => ok(code)));
    try {
      await seen(/cycle 1: 2000 markets/, 25_000);
      expect(out).toMatch(/scan: \d+ pages, 2,000 markets/); // progress was shown
      child.stdin.write('/status\n');
      await seen(/Today \(\d{4}-\d\d-\d\d\) at risk: \$[\d.]+ of \$50.00 cap/, 5_000);
      expect(out).toMatch(/Next cycle: /);
      child.stdin.write('/setcap abc\n');
      await seen(/Usage: \/setcap <dollars>/, 5_000);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(out).toMatch(/stopped cleanly/);
    } finally {
      child.kill('SIGKILL');
    }
    // The journal was closed cleanly and holds the cycle.
    const j = new Database(db, { readonly: true });
    const cycles = j.prepare('SELECT COUNT(*) AS n FROM cycles WHERE finished_at IS NOT NULL').get() as { n: number };
    expect(cycles.n).toBeGreaterThanOrEqual(1);
    j.close();
  }, 40_000);

  it('refuses to start on a bad environment, naming each bad variable, with no stack trace', async () => {
    dir = mkdtempSync(join(tmpdir(), 'kalshi-main-'));
    const child = spawn(TSX, [MAIN], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '', CYCLE_SECONDS: 'abc', TELEGRAM_BOT_TOKEN: '123:SECRET-token', DB_PATH: join(dir, 'bot.db') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const code = await new Promise<number | null>((ok) => child.on('close', ok));
    expect(code).toBe(1);
    expect(err).toMatch(/CYCLE_SECONDS/);
    expect(err).toMatch(/TELEGRAM_ALLOWED_USER_IDS is required/);
    expect(err).not.toMatch(/SECRET-token/);
    expect(err).not.toMatch(/\n\s+at /); // no stack trace
  }, 30_000);
});
