// `npm start` as a new user runs it: the bot on the simulated exchange, commands typed in the terminal,
// and a clean stop on SIGTERM with the journal intact.
import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { type SimExchange, startSimExchange } from '../src/sim/index.js';
import { FakeTelegram } from './support/fake-telegram.js';

const ROOT = resolve(import.meta.dirname, '..');
const TSX = join(ROOT, 'node_modules/.bin/tsx');
const MAIN = join(ROOT, 'src/main.ts');

let dir: string | undefined;
let sim: SimExchange | undefined;
let fake: FakeTelegram | undefined;
afterEach(async () => {
  await sim?.close();
  await fake?.close();
  sim = fake = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

/** Run the bot with only PATH inherited, in its own temp cwd (no stray .env), until it exits by itself. */
function runMain(env: Record<string, string>, cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    // detached: its own process group, so a hung run is ended whole (tsx and the node process it starts).
    const child = spawn(TSX, [MAIN], { cwd, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 20_000);
    child.on('error', fail);
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}

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
      // Logs are JSON lines (stderr is not a terminal): one per layer, then the cycle's end.
      await seen(/"msg":"hydrated 2000 markets[\s\S]*"msg":"layer 2: \d+ candidates in band[\s\S]*"msg":"cycle 1 done in \d+ ms"/, 25_000);
      expect(out).toMatch(/scan: \d+ pages, 2,000 markets/); // progress was shown
      child.stdin.write('/status\n');
      await seen(/Today \(\d{4}-\d\d-\d\d\) at risk: \$[\d.]+ of \$50.00 cap/, 5_000);
      // Stream mode is the default: the status names the next full scan and the stream's health.
      expect(out).toMatch(/Next full scan: /);
      expect(out).toMatch(/Stream: /);
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

  it('refuses to start on a bad environment, naming each bad variable, with no stack trace, before anything is sent', async () => {
    dir = mkdtempSync(join(tmpdir(), 'kalshi-main-'));
    fake = await new FakeTelegram('123:SECRET-token').start();
    const r = await runMain(
      {
        CYCLE_SECONDS: 'abc',
        SHARD_FUNDING: 'maybe',
        SHARD_FUNDING_MARGIN: '-1',
        TELEGRAM_BOT_TOKEN: '123:SECRET-token',
        TELEGRAM_API_ROOT: fake.apiRoot,
        DB_PATH: join(dir, 'bot.db'),
      },
      dir,
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/CYCLE_SECONDS/);
    expect(r.stderr).toMatch(/SHARD_FUNDING must be auto or off \(got "maybe"\)/);
    expect(r.stderr).toMatch(/SHARD_FUNDING_MARGIN must be a dollar amount/);
    expect(r.stderr).toMatch(/TELEGRAM_ALLOWED_USER_IDS is required/);
    expect(r.stderr).not.toMatch(/SECRET-token/);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(r.stdout).toBe('');
    expect(fake.calls).toEqual([]); // Telegram heard nothing
    expect(existsSync(join(dir, 'bot.db'))).toBe(false);
  }, 30_000);

  it.each([
    ['demo', 'a missing file'],
    ['prod', 'a public key'],
  ] as const)('KALSHI_ENV=%s with %s as the key: one line naming KALSHI_PRIVATE_KEY_PATH, exit 1, nothing sent', async (env, what) => {
    dir = mkdtempSync(join(tmpdir(), 'kalshi-main-'));
    const keyFile = join(dir, 'kalshi.pem');
    if (what === 'a public key') writeFileSync(keyFile, generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }));
    sim = await startSimExchange({ markets: 0, rateLimit: false });
    fake = await new FakeTelegram().start();
    const r = await runMain(
      {
        KALSHI_ENV: env,
        KALSHI_BASE_URL: sim.baseUrl,
        KALSHI_KEY_ID: 'key-1',
        KALSHI_PRIVATE_KEY_PATH: keyFile,
        TELEGRAM_BOT_TOKEN: fake.token,
        TELEGRAM_ALLOWED_USER_IDS: '42',
        TELEGRAM_API_ROOT: fake.apiRoot,
        DB_PATH: join(dir, 'bot.db'),
      },
      dir,
    );
    expect(r.code).toBe(1);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(new RegExp(`^KALSHI_PRIVATE_KEY_PATH: cannot load the Kalshi private key from ${keyFile}: (file cannot be read \\(ENOENT\\)|not a PEM private key)`));
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stderr).not.toMatch(/PUBLIC KEY|MCowBQYDK2Vw/); // nothing of the file is echoed
    expect(r.stdout).toBe('');
    expect(sim.stats().requests).toBe(0); // the exchange heard nothing
    expect(fake.calls).toEqual([]); // nor Telegram
    expect(existsSync(join(dir, 'bot.db'))).toBe(false);
  }, 30_000);
});
