// Secrets and the dry-run promise, with real parts: the private key and the bot token never reach a log
// line, an error or a chat message (the real process in demo mode against a local simulated exchange and
// the fake Bot API server); a key file others can read is warned about; prod without LIVE_TRADING=true
// sends no order.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';
import { ConfigError, loadConfig } from '../src/config.js';
import { KalshiApiError } from '../src/kalshi/errors.js';
import { KeyLoadError, loadPrivateKey, warnIfKeyFileShared } from '../src/kalshi/signer.js';
import { type SimExchange, startSimExchange } from '../src/sim/index.js';
import { FakeTelegram } from './support/fake-telegram.js';
import { type World, inBandMarket, world } from './support/app.js';
import { captureLog } from './support/log.js';

const ROOT = resolve(import.meta.dirname, '..');
const TSX = join(ROOT, 'node_modules/.bin/tsx');
const MAIN = join(ROOT, 'src/main.ts');
const OWNER = 1001;
const TOKEN = '7000000001:AAHsecretTOKENpart-x9_Zq';

let dir: string | undefined;
let sim: SimExchange | undefined;
let fake: FakeTelegram | undefined;
let w: World | undefined;
let child: ChildProcessWithoutNullStreams | undefined;

afterEach(async () => {
  // The whole process group: killing tsx alone would leave the node process it started running.
  if (child?.pid !== undefined && child.exitCode === null) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  child = undefined;
  await sim?.close();
  await fake?.close();
  await w?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  sim = fake = w = dir = undefined;
});

// One RSA key pair for the file (PKCS#1, as Kalshi issues it): generating one takes up to half a second.
const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });

/** The key written to a file with that mode; its body lines are what must never leak. */
function keyFile(where: string, mode: number) {
  const pem = pair.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const path = join(where, 'kalshi.pem');
  writeFileSync(path, pem);
  chmodSync(path, mode);
  const body = pem.split('\n').filter((l) => l.length > 0 && !l.startsWith('-----'));
  return { path, pem, body, publicPem: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}

/** Every way a secret could show: the whole token, its secret half, the PEM, any line of its body, the body joined. */
function leaks(text: string, secrets: { token: string; body: string[] }): string[] {
  const found: string[] = [];
  if (text.includes(secrets.token)) found.push('the bot token');
  if (text.includes(secrets.token.split(':')[1]!)) found.push("the token's secret part");
  if (text.includes('PRIVATE KEY')) found.push('a PEM header');
  if (text.includes(secrets.body.join(''))) found.push('the key body, joined');
  secrets.body.forEach((line, i) => {
    if (text.includes(line)) found.push(`key body line ${i + 1}`);
  });
  return found;
}

describe('secrets never reach a log line, an error or a chat message', () => {
  it('the real process in demo mode: stdout, stderr, every Bot API call and every error shown', async () => {
    dir = mkdtempSync(join(tmpdir(), 'kalshi-secrets-'));
    const key = keyFile(dir, 0o644); // readable by others: the start must warn
    const keyId = randomUUID();
    sim = await startSimExchange({ markets: 0, rateLimit: false });
    sim.registerKey(keyId, key.publicPem);
    fake = await new FakeTelegram(TOKEN).start();

    child = spawn(TSX, [MAIN], {
      cwd: dir,
      env: {
        PATH: process.env.PATH ?? '',
        KALSHI_ENV: 'demo',
        KALSHI_BASE_URL: sim.baseUrl,
        KALSHI_KEY_ID: keyId,
        KALSHI_PRIVATE_KEY_PATH: key.path,
        TELEGRAM_BOT_TOKEN: TOKEN,
        TELEGRAM_ALLOWED_USER_IDS: String(OWNER),
        TELEGRAM_API_ROOT: fake.apiRoot,
        DB_PATH: join(dir, 'bot.db'),
        LOG_LEVEL: 'debug',
        CYCLE_SECONDS: '3600',
        FILL_TIMEOUT_SECONDS: '2',
      },
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true, // its own process group, so afterEach can end all of it
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((ok) => child!.on('close', ok));
    const f = fake;
    const said = () => f.sentTo(OWNER).map((m) => m.text);
    const until = (what: string, probe: () => boolean) =>
      f.waitFor(probe, 8000, `${what}; stderr so far:\n${stderr}`);

    // Telegram paces alerts to a chat at 1 s and only the start-up one is waited for: the test stays short.
    await until('the first cycle and the start-up message', () => /"msg":"cycle 1 done/.test(stderr) && said().length > 0);
    f.sendText(OWNER, '/status');
    f.sendText(OWNER, '/setcap abc');
    f.sendText(666, '/pause'); // a stranger: one log line
    await until('the replies', () => said().some((t) => /^\[DEMO\] RUNNING/.test(t)) && said().some((t) => /Usage: \/setcap/.test(t)));
    // Errors on both wires: the exchange now refuses our key (401), the Bot API fails a send (500).
    sim.registerKey(keyId, generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString());
    f.sendText(OWNER, '/positions');
    await until('the /positions failure', () => said().some((t) => /\/positions failed: .*401/.test(t)));
    f.fail({ status: 500, remaining: 1, methods: ['sendMessage'] });
    f.sendText(OWNER, '/settings');
    await until('the failed reply handled', () => said().some((t) => /Something went wrong/.test(t)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);

    // What the operator saw: the warning about the key file, the stranger, a clean stop.
    expect(stderr).toMatch(/"level":40,[^\n]*"msg":"KALSHI_PRIVATE_KEY_PATH .*kalshi\.pem is accessible by other users \(mode 0644\): run chmod 600/);
    expect(stderr).toMatch(/ignored \/pause from non-allowed user 666/);
    expect(stderr).toMatch(/stopped cleanly/);
    // Nothing anywhere holds a secret.
    const botCalls = f.calls.map((c) => `${c.method} ${JSON.stringify(c.params)}`).join('\n');
    expect(f.calls.length).toBeGreaterThan(5);
    for (const [where, text] of Object.entries({ stdout, stderr, botCalls })) {
      expect(leaks(text, { token: TOKEN, body: key.body }), where).toEqual([]);
    }
  }, 15_000);

  it("an exchange refusal, as an error object, holds neither the key nor the request's headers", async () => {
    dir = mkdtempSync(join(tmpdir(), 'kalshi-secrets-'));
    const key = keyFile(dir, 0o600);
    sim = await startSimExchange({ markets: 0, rateLimit: false });
    // The key id is not registered: every request is refused with a 401.
    const app = await createApp({
      config: loadConfig({ KALSHI_ENV: 'demo', KALSHI_BASE_URL: sim.baseUrl, KALSHI_KEY_ID: randomUUID(), KALSHI_PRIVATE_KEY_PATH: key.path, DB_PATH: join(dir, 'bot.db') }),
    });
    let err: unknown;
    try {
      err = await app.client.getBalance().then(
        () => null,
        (e: unknown) => e,
      );
    } finally {
      await app.stop();
    }
    expect(err).toBeInstanceOf(KalshiApiError);
    expect(String(err)).toMatch(/401/);
    // Every way a log line, an alert or a crash report could render it.
    const text = [String(err), JSON.stringify(err), (err as Error).stack ?? '', JSON.stringify(Object.entries(err as object)), String((err as Error).cause)].join('\n');
    expect(leaks(text, { token: TOKEN, body: key.body })).toEqual([]);
    expect(text).not.toMatch(/KALSHI-ACCESS-(SIGNATURE|KEY|TIMESTAMP)/i);
  });
});

describe('key text pasted where the key file path goes', () => {
  it('is refused by name and never echoed, by the configuration nor by the key loader', () => {
    dir = mkdtempSync(join(tmpdir(), 'kalshi-pasted-'));
    const key = keyFile(dir, 0o600);
    for (const pasted of [key.pem, key.pem.trim(), key.body.join(''), key.body.join('\\n')]) {
      let err: unknown;
      try {
        loadConfig({ KALSHI_ENV: 'prod', KALSHI_KEY_ID: 'k', KALSHI_PRIVATE_KEY_PATH: pasted });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).problems).toEqual(['KALSHI_PRIVATE_KEY_PATH must be the path of the key file, not the key itself (save the key in a file)']);
      // The loader on its own (a caller that skipped the configuration) says the same without the text.
      let loadErr: unknown;
      try {
        loadPrivateKey(pasted);
      } catch (e) {
        loadErr = e;
      }
      expect(loadErr).toBeInstanceOf(KeyLoadError);
      expect((loadErr as KeyLoadError).message).toMatch(/^KALSHI_PRIVATE_KEY_PATH: cannot load the Kalshi private key from \(a value that looks like key text, not a file path\): /);
      for (const shown of [err, loadErr]) {
        const text = [String(shown), JSON.stringify(shown), (shown as Error).stack ?? ''].join('\n');
        expect(leaks(text, { token: TOKEN, body: key.body })).toEqual([]);
      }
    }
    // A real path is still shown: it is what the operator needs to fix.
    expect(() => loadConfig({ KALSHI_ENV: 'prod', KALSHI_KEY_ID: 'k', KALSHI_PRIVATE_KEY_PATH: key.path })).not.toThrow();
  });
});

describe('the key file mode', () => {
  it('a key file readable by group or others is warned about at start; a private one is not', async () => {
    dir = mkdtempSync(join(tmpdir(), 'kalshi-keymode-'));
    const key = keyFile(dir, 0o640);
    const { log, lines } = await captureLog('warn');
    const config = (db: string) =>
      loadConfig({ KALSHI_ENV: 'demo', KALSHI_BASE_URL: 'http://127.0.0.1:9/trade-api/v2', KALSHI_KEY_ID: 'k', KALSHI_PRIVATE_KEY_PATH: key.path, DB_PATH: join(dir!, db) });
    await (await createApp({ config: config('a.db'), log })).stop();
    expect(lines).toEqual([`KALSHI_PRIVATE_KEY_PATH ${key.path} is accessible by other users (mode 0640): run chmod 600 ${key.path}`]);
    expect(leaks(lines.join('\n'), { token: TOKEN, body: key.body })).toEqual([]);

    chmodSync(key.path, 0o600);
    lines.length = 0;
    await (await createApp({ config: config('b.db'), log })).stop();
    expect(lines).toEqual([]);

    // Every group/other bit counts; Windows has no such bits; a missing file is left to the loader's error.
    for (const mode of [0o604, 0o620, 0o601, 0o700, 0o400]) {
      chmodSync(key.path, mode);
      expect(warnIfKeyFileShared(key.path, () => undefined) !== null, mode.toString(8)).toBe((mode & 0o077) !== 0);
    }
    chmodSync(key.path, 0o644);
    expect(warnIfKeyFileShared(key.path, () => undefined, 'win32')).toBeNull();
    expect(warnIfKeyFileShared(join(dir, 'missing.pem'), () => undefined)).toBeNull();
  });
});

describe('prod without LIVE_TRADING=true', () => {
  it('sends no order: a cycle and an approved trade are journaled as paper orders, /stopall cancels nothing', async () => {
    w = await world();
    const key = keyFile(w.dir, 0o600);
    const keyId = randomUUID();
    w.sim.registerKey(keyId, key.publicPem);
    w.sim.addMarket(inBandMarket('KXDRY-26NOV27-A'));
    w.sim.addMarket({ ...inBandMarket('KXDRYC-26NOV27-B'), category: 'Crypto' });
    const app = await w.start({
      KALSHI_ENV: 'prod',
      KALSHI_BASE_URL: w.sim.baseUrl,
      KALSHI_KEY_ID: keyId,
      KALSHI_PRIVATE_KEY_PATH: key.path,
      APPROVAL_CATEGORIES: 'Crypto',
    });
    expect(app.mode).toBe('DRY-RUN');
    await app.reconcile();
    const s = await app.runCycle();
    expect(s.error).toBeUndefined();
    expect(s.markets).toBe(2);
    expect(s.orders.map((o) => o.ticker)).toEqual(['KXDRY-26NOV27-A']);
    const [approval] = app.journal.approvals.pending(w.clock.now());
    expect(approval?.ticker).toBe('KXDRYC-26NOV27-B');
    const decided = await app.control.approve('test', String(approval!.id));
    expect(decided).toMatchObject({ ok: true, value: { ok: true, state: 'executed' } });
    const r = await app.control.stopAll('test');
    expect(r).toMatchObject({ canceled: 0, failed: 0, dryRun: true });
    expect(app.journal.settings.get().paused).toBe(true);

    // It read the (simulated) production exchange, and wrote nothing to it: no order, no cancel, no transfer.
    expect(w.sim.stats().requests).toBeGreaterThan(0);
    expect(w.sim.ordersSnapshot()).toEqual([]);
    expect(w.sim.transfersSnapshot()).toEqual([]);
    expect(Object.keys(w.sim.stats().byRoute).filter((route) => /^(POST|DELETE|PUT)/.test(route))).toEqual([]);
    const rows = app.journal.db.prepare('SELECT ticker, mode, state, exchange_order_id, filled_e2 FROM orders ORDER BY id').all() as {
      ticker: string;
      mode: string;
      state: string;
      exchange_order_id: string | null;
      filled_e2: number;
    }[];
    expect(rows.map((o) => [o.ticker, o.mode, o.state, o.exchange_order_id])).toEqual([
      ['KXDRY-26NOV27-A', 'DRY-RUN', 'paper', null],
      ['KXDRYC-26NOV27-B', 'DRY-RUN', 'paper', null],
    ]);
    for (const o of rows) expect(o.filled_e2).toBeGreaterThan(0); // paper fills
  });
});
