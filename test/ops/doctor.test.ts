// `npm run doctor` against the simulated exchange on loopback and the fake Bot API: a good demo setup passes,
// and each broken piece (key id, key file, token, chat, clock, journal) fails on its own line, naming the cause.
import { spawn } from 'node:child_process';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock, systemClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import { openDb } from '../../src/journal/db.js';
import { type CheckResult, clockCheck, doctorExitCode, formatChecks, runDoctor } from '../../src/ops/doctor.js';
import { type SimExchange, startSimExchange } from '../../src/sim/index.js';
import { FakeTelegram } from '../support/fake-telegram.js';

const ROOT = resolve(import.meta.dirname, '../..');
const TSX = join(ROOT, 'node_modules/.bin/tsx');
const CLI = join(ROOT, 'src/cli.ts');
const USER = 111;

let dir: string;
let sim: SimExchange;
let tg: FakeTelegram;
let keyId: string;
let keyPath: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kalshi-doctor-'));
  sim = await startSimExchange({ markets: 0, rateLimit: false });
  tg = await new FakeTelegram().start();
  tg.knownChats.add(USER);
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  keyId = randomUUID();
  sim.registerKey(keyId, pair.publicKey.export({ type: 'spki', format: 'pem' }).toString());
  keyPath = join(dir, 'kalshi.pem');
  // Kalshi hands out PKCS#1 PEMs.
  writeFileSync(keyPath, pair.privateKey.export({ type: 'pkcs1', format: 'pem' }), { mode: 0o600 });
});

afterAll(async () => {
  await sim?.close();
  await tg?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A good demo setup (the sim stands in for Kalshi's demo host), with overrides. */
const env = (over: Record<string, string> = {}): Record<string, string> => ({
  KALSHI_ENV: 'demo',
  KALSHI_BASE_URL: sim.baseUrl,
  KALSHI_KEY_ID: keyId,
  KALSHI_PRIVATE_KEY_PATH: keyPath,
  TELEGRAM_BOT_TOKEN: tg.token,
  TELEGRAM_ALLOWED_USER_IDS: String(USER),
  TELEGRAM_API_ROOT: tg.apiRoot,
  DB_PATH: join(dir, 'data', 'bot.db'),
  ...over,
});

const doctor = (e: Record<string, string>, clock = systemClock) => runDoctor(loadConfig(e), { clock, timeoutMs: 3_000, cwd: dir });
const line = (rs: CheckResult[], name: string) => {
  const found = rs.filter((r) => r.name === name);
  expect(found, `a "${name}" check`).toHaveLength(1);
  return found[0]!;
};
const failures = (rs: CheckResult[]) => rs.filter((r) => r.status === 'fail').map((r) => r.name);

describe('doctor against the simulated exchange', () => {
  it('passes a good setup, one line per check, without sending an order', async () => {
    const rs = await doctor(env());
    expect(rs.map((r) => [r.name, r.status])).toEqual([
      ['mode', 'ok'],
      ['key file', 'ok'],
      ['key privacy', 'ok'],
      ['exchange', 'ok'],
      ['clock', 'ok'],
      ['account', 'ok'],
      ['balance', 'ok'],
      ['telegram', 'ok'],
      ['allow-list', 'ok'],
      ['chat', 'ok'],
      ['journal', 'ok'],
      ['health', 'skip'],
    ]);
    expect(line(rs, 'key file').detail).toMatch(/RSA 2048-bit private key/);
    expect(line(rs, 'account').detail).toMatch(/tier basic: reads 200 tokens\/s \(bucket 200\), writes 100\/s/);
    expect(line(rs, 'balance').detail).toMatch(/^\$1000\.00: shard 0 \$1000\.00/);
    expect(line(rs, 'telegram').detail).toMatch(/@band_test_bot/);
    expect(line(rs, 'chat').detail).toMatch(/alert chat \(allowed user\) 111 \(@user111\) is reachable/);
    expect(line(rs, 'journal').detail).toMatch(/will be created \(schema v\d+\)/);
    expect(doctorExitCode(rs)).toBe(0);
    expect(sim.ordersSnapshot()).toEqual([]);
    expect(formatChecks(rs)).toMatch(/all checks passed; no order was sent\n$/);
  });

  it('fails a key id the exchange does not know, naming KALSHI_KEY_ID', async () => {
    const rs = await doctor(env({ KALSHI_KEY_ID: randomUUID() }));
    expect(failures(rs)).toEqual(['account']);
    expect(line(rs, 'account').detail).toMatch(/the exchange does not know KALSHI_KEY_ID [0-9a-f-]{36} \(401 authentication_error: NOT_FOUND\)/);
    expect(line(rs, 'account').fix).toMatch(/keys belong to one environment/);
    expect(line(rs, 'balance').status).toBe('skip');
    expect(doctorExitCode(rs)).toBe(1);
  });

  it('fails a key file that belongs to another key id', async () => {
    const other = join(dir, 'other.pem');
    writeFileSync(other, generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    const rs = await doctor(env({ KALSHI_PRIVATE_KEY_PATH: other }));
    expect(line(rs, 'key file').detail).toMatch(/Ed25519 private key/);
    expect(failures(rs)).toEqual(['account']);
    expect(line(rs, 'account').detail).toMatch(/the key file does not belong to KALSHI_KEY_ID .*INCORRECT_API_KEY_SIGNATURE/);
  });

  it('fails a key file that cannot be read or parsed, or that others can read, naming KALSHI_PRIVATE_KEY_PATH', async () => {
    // Tests run as root, where no file mode stops a read: a missing file is the unreadable one.
    const missing = await doctor(env({ KALSHI_PRIVATE_KEY_PATH: join(dir, 'nope.pem') }));
    expect(failures(missing)).toEqual(['key file']);
    expect(line(missing, 'key file').detail).toMatch(/^KALSHI_PRIVATE_KEY_PATH .*nope\.pem: file cannot be read \(ENOENT\)/);
    expect(line(missing, 'key file').fix).toMatch(/no file at .*nope\.pem/);
    expect(line(missing, 'account')).toMatchObject({ status: 'skip', detail: expect.stringMatching(/no usable key/) });
    expect(line(missing, 'exchange').status).toBe('ok'); // what still applies is still checked

    const garbage = join(dir, 'garbage.pem');
    writeFileSync(garbage, 'not a key\n', { mode: 0o600 });
    const bad = await doctor(env({ KALSHI_PRIVATE_KEY_PATH: garbage }));
    expect(line(bad, 'key file')).toMatchObject({ status: 'fail', detail: expect.stringMatching(/not a PEM private key/) });

    const shared = join(dir, 'shared.pem');
    writeFileSync(shared, generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }));
    chmodSync(shared, 0o644);
    const open = await doctor(env({ KALSHI_PRIVATE_KEY_PATH: shared }));
    expect(line(open, 'key privacy')).toMatchObject({ status: 'fail', detail: expect.stringMatching(/can be read by other users/), fix: `chmod 600 ${shared}` });
  });

  it('fails a bad bot token without ever printing it', async () => {
    const token = '999999:WRONG-token_zzz';
    const rs = await doctor(env({ TELEGRAM_BOT_TOKEN: token }));
    expect(failures(rs)).toEqual(['telegram']);
    expect(line(rs, 'telegram').detail).toBe('Telegram refused TELEGRAM_BOT_TOKEN (401 Unauthorized)');
    expect(line(rs, 'telegram').fix).toMatch(/@BotFather/);
    expect(line(rs, 'chats').status).toBe('skip');
    expect(formatChecks(rs)).not.toContain('WRONG');
  });

  it('fails an alert chat the bot cannot reach; flags an allowed user who never started it', async () => {
    const rs = await doctor(env({ TELEGRAM_ALLOWED_USER_IDS: `${USER},222`, TELEGRAM_CHAT_ID: '-100555' }));
    const chats = rs.filter((r) => r.name === 'chat');
    expect(chats.map((c) => [c.status, c.detail])).toEqual([
      ['fail', 'alert chat (TELEGRAM_CHAT_ID) -100555: 400 Bad Request: chat not found'],
      ['ok', 'allowed user 111 (@user111) is reachable'],
      ['warn', 'allowed user 222: 400 Bad Request: chat not found'],
    ]);
    expect(chats[0]!.fix).toMatch(/add the bot to that group/);
    expect(chats[2]!.fix).toMatch(/open t\.me\/band_test_bot and press Start/);
    const alone = await doctor(env({ TELEGRAM_ALLOWED_USER_IDS: '222' }));
    expect(line(alone, 'chat')).toMatchObject({ status: 'fail', detail: 'alert chat (allowed user) 222: 400 Bad Request: chat not found' });
  });

  it('fails a clock far off the exchange, and says the signed requests fail for it', async () => {
    const skewed = new ManualClock(Date.now() + 60_000);
    const rs = await doctor(env(), skewed);
    expect(line(rs, 'clock')).toMatchObject({ status: 'fail', detail: expect.stringMatching(/this machine is (59|60)\.\d s ahead of the exchange/) });
    expect(line(rs, 'account').detail).toMatch(/clock is off/);
  });

  it('reads the clock offset from the Date header, within its one-second precision', () => {
    const at = Date.parse('2026-11-25T15:00:00Z');
    const date = new Date(at).toUTCString();
    expect(clockCheck(date, at + 400, at + 600)).toMatchObject({ status: 'ok', detail: 'in step with the exchange (within ±0.6 s, the Date header\'s precision)' });
    expect(clockCheck(date, at - 3_000, at - 3_000)).toMatchObject({ status: 'warn', detail: 'this machine is 3.5 s behind the exchange (±0.5 s)' });
    expect(clockCheck(date, at + 20_000, at + 20_000)).toMatchObject({ status: 'fail', detail: 'this machine is 19.5 s ahead of the exchange (±0.5 s)' });
    expect(clockCheck(null, at, at)).toMatchObject({ status: 'warn', detail: expect.stringMatching(/no Date header/) });
  });

  it('fails an exchange that cannot be reached, and skips what needs it', async () => {
    const closed = await new Promise<number>((ok) => {
      const srv = createServer().listen(0, '127.0.0.1', () => {
        const { port } = srv.address() as AddressInfo;
        srv.close(() => ok(port));
      });
    });
    const rs = await doctor(env({ KALSHI_BASE_URL: `http://127.0.0.1:${closed}/trade-api/v2` }));
    expect(line(rs, 'exchange')).toMatchObject({ status: 'fail', detail: expect.stringMatching(/cannot reach .*: ECONNREFUSED/) });
    expect(line(rs, 'clock').status).toBe('skip');
    expect(line(rs, 'account').status).toBe('skip');
  });

  it('checks the journal: current, to be migrated, too new, not SQLite', async () => {
    const current = join(dir, 'current.db');
    openDb(current).close();
    expect(line(await doctor(env({ DB_PATH: current })), 'journal')).toMatchObject({ status: 'ok', detail: expect.stringMatching(/writable, schema v\d+ \(current\)/) });

    const old = join(dir, 'old.db');
    new Database(old).pragma('user_version = 1');
    expect(line(await doctor(env({ DB_PATH: old })), 'journal')).toMatchObject({ status: 'warn', detail: expect.stringMatching(/schema v1, the bot migrates it/) });

    const newer = join(dir, 'newer.db');
    new Database(newer).pragma('user_version = 99');
    expect(line(await doctor(env({ DB_PATH: newer })), 'journal')).toMatchObject({ status: 'fail', detail: expect.stringMatching(/schema v99 is newer/) });

    const text = join(dir, 'text.db');
    writeFileSync(text, 'this is not a database, but long enough to have a header of sorts.....................................');
    expect(line(await doctor(env({ DB_PATH: text })), 'journal')).toMatchObject({ status: 'fail', detail: expect.stringMatching(/not a usable SQLite journal \(SQLITE_NOTADB\)/) });
  });

  it('in sim mode checks what applies and says what does not', async () => {
    const rs = await runDoctor(loadConfig({ DB_PATH: join(dir, 'sim', 'bot.db') }), { clock: systemClock, cwd: dir });
    expect(rs.map((r) => [r.name, r.status])).toEqual([
      ['mode', 'ok'],
      ['key file', 'skip'],
      ['exchange', 'skip'],
      ['telegram', 'skip'],
      ['journal', 'ok'],
      ['health', 'skip'],
    ]);
    expect(line(rs, 'exchange').detail).toMatch(/sim mode/);
    expect(doctorExitCode(rs)).toBe(0);
  });

  it('says what LIVE_TRADING means', async () => {
    const mode = async (over: Record<string, string>) => line(await doctor(env(over)), 'mode');
    expect(await mode({ KALSHI_ENV: 'prod', LIVE_TRADING: 'false' })).toMatchObject({ status: 'ok', detail: expect.stringMatching(/^DRY-RUN: .*never sent/) });
    expect(await mode({ KALSHI_ENV: 'prod', LIVE_TRADING: 'true' })).toMatchObject({ status: 'warn', detail: expect.stringMatching(/^LIVE: .*real money \(daily loss cap \$50\.00\)/) });
    expect(await mode({})).toMatchObject({ detail: expect.stringMatching(/^DEMO: .*play money/) });
  });
});

describe('npm run doctor (the CLI)', () => {
  const run = (e: Record<string, string>) =>
    new Promise<{ code: number | null; out: string }>((done, fail) => {
      const child = spawn(TSX, [CLI, 'doctor'], { cwd: dir, env: { PATH: process.env.PATH ?? '', ...e }, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.stderr.on('data', (c: Buffer) => (out += c.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      child.on('error', fail);
      child.on('close', (code) => {
        clearTimeout(timer);
        done({ code, out });
      });
    });

  it('exits 0 on a good setup and 1 naming the cause on a bad one', { timeout: 60_000 }, async () => {
    const [good, bad, invalid] = await Promise.all([run(env()), run(env({ TELEGRAM_BOT_TOKEN: '999999:WRONG' })), run(env({ KALSHI_KEY_ID: '' }))]);
    expect(good.code, good.out).toBe(0);
    expect(good.out).toMatch(/^✓ account +KALSHI_KEY_ID .* accepted; tier basic/m);
    expect(good.out).toMatch(/all checks passed/);
    expect(bad.code, bad.out).toBe(1);
    expect(bad.out).toMatch(/^✗ telegram +Telegram refused TELEGRAM_BOT_TOKEN \(401 Unauthorized\)\n +fix: copy the token again from @BotFather/m);
    expect(bad.out).not.toContain('WRONG');
    expect(invalid.code).toBe(1);
    expect(invalid.out).toMatch(/✗ config {2}KALSHI_KEY_ID is required when KALSHI_ENV=demo/);
  });
});
