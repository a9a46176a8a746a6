// The environment contract: defaults, one error naming every bad variable, secrets never echoed, .env loading.
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';
import { ConfigError, loadConfig, loadDotEnv } from '../src/config.js';
import { KeyLoadError } from '../src/kalshi/signer.js';

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(env)}`);
}

describe('loadConfig defaults', () => {
  it('an empty environment is a valid sim configuration', () => {
    const c = loadConfig({});
    expect(c.KALSHI_ENV).toBe('sim');
    expect(c.DAILY_LOSS_CAP).toBe(500_000); // $50
    expect(c.BAND_MIN).toBe(7000);
    expect(c.BAND_MAX).toBe(8700);
    expect(c.CYCLE_SECONDS).toBe(50);
    expect(c.DB_PATH).toBe('./data/bot.db');
    expect(c.LIVE_TRADING).toBe(false);
    expect(c.KALSHI_TIER).toBe('basic');
    expect(c.EXCLUDED_CATEGORIES).toEqual([]);
    expect(c.TELEGRAM_ALLOWED_USER_IDS).toEqual([]);
    expect(c.TELEGRAM_BOT_TOKEN).toBeUndefined();
  });

  it('blank values mean "default"; only known variables are read', () => {
    const c = loadConfig({ CYCLE_SECONDS: '   ', DB_PATH: '', PATH: '/usr/bin', SOMETHING_ELSE: 'x' });
    expect(c.CYCLE_SECONDS).toBe(50);
    expect(c.DB_PATH).toBe('./data/bot.db');
    expect(c).not.toHaveProperty('PATH');
  });

  it('parses the values people write', () => {
    const c = loadConfig({
      DAILY_LOSS_CAP: '12.5',
      BAND_MIN: '.65',
      BAND_MAX: '0.9',
      CYCLE_SECONDS: ' 30 ',
      LIVE_TRADING: 'yes',
      EXCLUDED_CATEGORIES: 'Sports, Crypto,,',
      TELEGRAM_BOT_TOKEN: '123456:ABC-def_ghi',
      TELEGRAM_ALLOWED_USER_IDS: '42, 7',
    });
    expect(c.DAILY_LOSS_CAP).toBe(125_000);
    expect(c.BAND_MIN).toBe(6500);
    expect(c.BAND_MAX).toBe(9000);
    expect(c.CYCLE_SECONDS).toBe(30);
    expect(c.LIVE_TRADING).toBe(true);
    expect(c.EXCLUDED_CATEGORIES).toEqual(['Sports', 'Crypto']);
    expect(c.TELEGRAM_ALLOWED_USER_IDS).toEqual([42, 7]);
  });
});

describe('loadConfig errors', () => {
  it.each([
    ['CYCLE_SECONDS', { CYCLE_SECONDS: 'abc' }],
    ['CYCLE_SECONDS', { CYCLE_SECONDS: '4' }],
    ['DAILY_LOSS_CAP', { DAILY_LOSS_CAP: '-5' }],
    ['BAND_MIN', { BAND_MIN: '1.5' }],
    ['BAND_MAX', { BAND_MAX: 'high' }],
    ['BAND_MIN', { BAND_MIN: '0.9', BAND_MAX: '0.8' }],
    ['KALSHI_ENV', { KALSHI_ENV: 'foo' }],
    ['TIMEZONE', { TIMEZONE: 'Mars/Base' }],
    ['LIVE_TRADING', { LIVE_TRADING: 'maybe' }],
    ['TELEGRAM_ALLOWED_USER_IDS', { TELEGRAM_BOT_TOKEN: '123456:ABC-DEF' }],
    ['TELEGRAM_ALLOWED_USER_IDS', { TELEGRAM_BOT_TOKEN: '123456:ABC-DEF', TELEGRAM_ALLOWED_USER_IDS: '42,@bob' }],
    ['DAILY_SUMMARY_AT', { DAILY_SUMMARY_AT: '25:00' }],
    // Money: negative, zero where zero means nothing could ever trade (the journal's settings refuse it), garbage.
    ['DAILY_LOSS_CAP', { DAILY_LOSS_CAP: '0' }],
    ['DAILY_LOSS_CAP', { DAILY_LOSS_CAP: '50 dollars' }],
    ['DAILY_LOSS_CAP', { DAILY_LOSS_CAP: '1e3' }],
    ['DAILY_LOSS_CAP', { DAILY_LOSS_CAP: '99999999999999999999' }],
    ['MAX_COST_PER_TRADE', { MAX_COST_PER_TRADE: '-1' }],
    ['MAX_COST_PER_TRADE', { MAX_COST_PER_TRADE: '0' }],
    ['MAX_COST_PER_TRADE', { MAX_COST_PER_TRADE: '5.00001' }],
    ['APPROVAL_ABOVE_COST', { APPROVAL_ABOVE_COST: '-0.01' }],
    ['SHARD_FUNDING_MARGIN', { SHARD_FUNDING_MARGIN: '-5' }],
    ['SHARD_FUNDING_MARGIN', { SHARD_FUNDING_MARGIN: 'five' }],
    ['SHARD_FUNDING_MARGIN', { SHARD_FUNDING_MARGIN: '5.123456' }],
    ['SHARD_FUNDING', { SHARD_FUNDING: 'on' }],
    ['SHARD_FUNDING', { SHARD_FUNDING: 'AUTO' }],
    ['SHARD_FUNDING', { SHARD_FUNDING: 'true' }],
    // The band: outside (0, 1), inverted, not a probability.
    ['BAND_MIN', { BAND_MIN: '0' }],
    ['BAND_MIN', { BAND_MIN: '-0.1' }],
    ['BAND_MAX', { BAND_MAX: '1' }],
    ['BAND_MAX', { BAND_MAX: '87' }],
    ['BAND_MAX', { BAND_MIN: '0.5', BAND_MAX: '0.87.1' }],
    ['BAND_MIN', { BAND_MIN: '0.88' }],
    // Modes and enums.
    ['KALSHI_ENV', { KALSHI_ENV: 'PROD' }],
    ['KALSHI_ENV', { KALSHI_ENV: 'live' }],
    ['KALSHI_TIER', { KALSHI_TIER: 'gold' }],
    ['LIVE_TRADING', { LIVE_TRADING: 'on' }],
    ['LOG_LEVEL', { LOG_LEVEL: 'verbose' }],
    // Whole numbers out of range.
    ['HORIZON_DAYS', { HORIZON_DAYS: '0' }],
    ['POSITION_LIMIT', { POSITION_LIMIT: '-1' }],
    ['FILL_TIMEOUT_SECONDS', { FILL_TIMEOUT_SECONDS: '1.5' }],
    ['APPROVAL_TTL_MINUTES', { APPROVAL_TTL_MINUTES: '99999999999999999999' }],
    // URLs: not a URL, or not http(s).
    ['KALSHI_BASE_URL', { KALSHI_BASE_URL: 'external-api.kalshi.com' }],
    ['KALSHI_BASE_URL', { KALSHI_BASE_URL: 'file:///etc/passwd' }],
    ['TELEGRAM_API_ROOT', { TELEGRAM_API_ROOT: 'javascript:alert(1)' }],
    // Telegram ids: a number too long to be exact would name somebody else.
    ['TELEGRAM_ALLOWED_USER_IDS', { TELEGRAM_BOT_TOKEN: '123456:ABC-DEF', TELEGRAM_ALLOWED_USER_IDS: '99999999999999999999' }],
    ['TELEGRAM_ALLOWED_USER_IDS', { TELEGRAM_ALLOWED_USER_IDS: '0' }],
    ['TELEGRAM_ALLOWED_USER_IDS', { TELEGRAM_ALLOWED_USER_IDS: '-100123' }],
    ['TELEGRAM_CHAT_ID', { TELEGRAM_CHAT_ID: '-1001234567890123456789' }],
    ['TELEGRAM_CHAT_ID', { TELEGRAM_CHAT_ID: '@mychannel' }],
    ['TELEGRAM_BOT_TOKEN', { TELEGRAM_BOT_TOKEN: 'abc', TELEGRAM_ALLOWED_USER_IDS: '42' }],
    // Keys for demo and prod.
    ['KALSHI_KEY_ID', { KALSHI_ENV: 'prod', KALSHI_PRIVATE_KEY_PATH: '/k.pem' }],
    ['KALSHI_PRIVATE_KEY_PATH', { KALSHI_ENV: 'prod', KALSHI_KEY_ID: 'k' }],
  ] as const)('%s is named for %j', (name, env) => {
    const err = configError(env);
    expect(err.name).toBe('ConfigError');
    // One clear problem, naming the variable (and no other).
    expect(err.problems).toHaveLength(1);
    expect(err.problems[0]!.startsWith(`${name} `)).toBe(true);
    expect(err.message).toContain(name);
  });

  it('accepts the edges of what is valid', () => {
    const c = loadConfig({
      BAND_MIN: '0.0001',
      BAND_MAX: '0.9999',
      DAILY_LOSS_CAP: '0.0001',
      MAX_COST_PER_TRADE: '$7.25',
      SHARD_FUNDING: 'off',
      SHARD_FUNDING_MARGIN: '0',
      APPROVAL_ABOVE_COST: '0',
      TELEGRAM_CHAT_ID: '-1001234567890',
      TELEGRAM_ALLOWED_USER_IDS: '9007199254740991',
      KALSHI_BASE_URL: 'http://127.0.0.1:8080/trade-api/v2',
    });
    expect(c).toMatchObject({
      BAND_MIN: 1,
      BAND_MAX: 9999,
      DAILY_LOSS_CAP: 1,
      MAX_COST_PER_TRADE: 72_500,
      SHARD_FUNDING: 'off',
      SHARD_FUNDING_MARGIN: 0,
      APPROVAL_ABOVE_COST: 0,
      TELEGRAM_CHAT_ID: -1001234567890,
      TELEGRAM_ALLOWED_USER_IDS: [9007199254740991],
    });
    expect(loadConfig({}).SHARD_FUNDING).toBe('auto');
    expect(loadConfig({}).SHARD_FUNDING_MARGIN).toBe(50_000); // $5
  });

  it('a bad value does not hide the rules between variables: every problem is in the one error', () => {
    const err = configError({
      SHARD_FUNDING: 'maybe',
      SHARD_FUNDING_MARGIN: '-1',
      DAILY_LOSS_CAP: 'x',
      BAND_MIN: '0.9',
      BAND_MAX: '0.8',
      KALSHI_ENV: 'prod',
      TELEGRAM_BOT_TOKEN: '123456:ABC-DEF',
    });
    expect(err.problems.map((p) => p.split(' ')[0])).toEqual([
      'DAILY_LOSS_CAP',
      'SHARD_FUNDING',
      'SHARD_FUNDING_MARGIN',
      'BAND_MIN',
      'KALSHI_KEY_ID',
      'KALSHI_PRIVATE_KEY_PATH',
      'TELEGRAM_ALLOWED_USER_IDS',
    ]);
    // A bad KALSHI_ENV is not taken for demo or prod, and a bad band bound is not compared.
    expect(configError({ KALSHI_ENV: 'PROD', BAND_MIN: 'x', BAND_MAX: '0.5' }).problems.map((p) => p.split(' ')[0])).toEqual(['KALSHI_ENV', 'BAND_MIN']);
  });

  it('shows the offending value for ordinary variables', () => {
    const err = configError({ CYCLE_SECONDS: 'abc' });
    expect(err.message).toContain('"abc"');
  });

  it('KALSHI_ENV=demo without key variables names both', () => {
    const err = configError({ KALSHI_ENV: 'demo' });
    expect(err.message).toContain('KALSHI_KEY_ID');
    expect(err.message).toContain('KALSHI_PRIVATE_KEY_PATH');
    // With both given, demo is fine.
    expect(loadConfig({ KALSHI_ENV: 'demo', KALSHI_KEY_ID: 'k', KALSHI_PRIVATE_KEY_PATH: '/tmp/k.pem' }).KALSHI_ENV).toBe('demo');
  });

  it('several bad values are all named in one error', () => {
    const err = configError({ CYCLE_SECONDS: 'abc', DAILY_LOSS_CAP: '-5', BAND_MIN: '1.5', KALSHI_ENV: 'foo', TIMEZONE: 'Mars/Base' });
    for (const name of ['CYCLE_SECONDS', 'DAILY_LOSS_CAP', 'BAND_MIN', 'KALSHI_ENV', 'TIMEZONE']) {
      expect(err.problems.some((p) => p.startsWith(`${name} `)), name).toBe(true);
    }
    expect(err.problems.length).toBeGreaterThanOrEqual(5);
  });

  it('never echoes a bad TELEGRAM_BOT_TOKEN value', () => {
    const secret = 'not-a-token-s3cr3t-VALUE';
    const err = configError({ TELEGRAM_BOT_TOKEN: secret, TELEGRAM_ALLOWED_USER_IDS: '42' });
    expect(err.message).toContain('TELEGRAM_BOT_TOKEN');
    expect(err.message).not.toContain(secret);
    expect(JSON.stringify(err.problems)).not.toContain(secret);
    expect(String(err.stack)).not.toContain(secret);
  });

  it('a valid token is not echoed when another rule about it fails either', () => {
    const token = '987654:SECRETpart-xyz';
    const err = configError({ TELEGRAM_BOT_TOKEN: token });
    expect(err.message).not.toContain(token);
    expect(err.message).not.toContain('SECRETpart');
  });
});

describe('the Kalshi private key file (demo and prod)', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
  const rsaBody = rsa.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString().split('\n').slice(1, -2);
  const files: [string, string | null, RegExp][] = [
    ['a missing file', null, /file cannot be read \(ENOENT\)$/],
    ['a directory', 'DIR', /file cannot be read \(EISDIR\)$/],
    ['an empty file', '', /not a PEM private key/],
    ['garbage', 'hello, I am not a key\n', /not a PEM private key/],
    ['a public key (SPKI)', rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString(), /not a PEM private key/],
    ['a public key (PKCS#1)', rsa.publicKey.export({ type: 'pkcs1', format: 'pem' }).toString(), /not a PEM private key/],
    ['a private key header over garbage', `-----BEGIN RSA PRIVATE KEY-----\n${rsaBody.slice(0, 3).join('\n')}\n!!!garbage!!!\n-----END RSA PRIVATE KEY-----\n`, /the PEM could not be parsed/],
    ['an EC key', generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), /expected an RSA or Ed25519 key .*got ec/],
    [
      'a passphrase-protected key',
      rsa.privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pw' }).toString(),
      /passphrase-protected/,
    ],
  ];

  it.each(files)('%s: one error naming KALSHI_PRIVATE_KEY_PATH and the file, no key text, nothing opened', async (_what, content, reason) => {
    dir = mkdtempSync(join(tmpdir(), 'kalshi-key-'));
    const file = join(dir, 'kalshi.pem');
    if (content === 'DIR') mkdirSync(file);
    else if (content !== null) writeFileSync(file, content);
    const db = join(dir, 'bot.db');
    for (const env of ['demo', 'prod']) {
      const config = loadConfig({ KALSHI_ENV: env, KALSHI_KEY_ID: 'k', KALSHI_PRIVATE_KEY_PATH: file, KALSHI_BASE_URL: 'http://127.0.0.1:9/trade-api/v2', DB_PATH: db });
      const err = await createApp({ config }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(KeyLoadError);
      const msg = (err as KeyLoadError).message;
      expect(msg.startsWith(`KALSHI_PRIVATE_KEY_PATH: cannot load the Kalshi private key from ${file}: `)).toBe(true);
      expect(msg).toMatch(reason);
      expect(msg).not.toContain('\n');
      const shown = `${msg}\n${JSON.stringify(err)}\n${(err as Error).stack ?? ''}`;
      for (const line of rsaBody) expect(shown).not.toContain(line);
      expect(shown).not.toContain('garbage!!!');
      expect(shown).not.toContain('hello, I am');
      expect(existsSync(db)).toBe(false); // failed before the journal was opened
    }
  });
});

describe('loadDotEnv', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('reads a .env file without overriding variables already set', () => {
    dir = mkdtempSync(join(tmpdir(), 'kalshi-env-'));
    const path = join(dir, '.env');
    writeFileSync(path, ['# comment', 'CYCLE_SECONDS=30', 'DB_PATH=/from/dotenv.db', 'BAND_MIN="0.72"', ''].join('\n'));
    const keys = ['CYCLE_SECONDS', 'DB_PATH', 'BAND_MIN'] as const;
    const saved = keys.map((k) => process.env[k]);
    try {
      for (const k of keys) delete process.env[k];
      process.env.DB_PATH = '/already/set.db';
      loadDotEnv(path);
      expect(process.env.CYCLE_SECONDS).toBe('30');
      expect(process.env.DB_PATH).toBe('/already/set.db');
      expect(process.env.BAND_MIN).toBe('0.72');
      const c = loadConfig({ CYCLE_SECONDS: process.env.CYCLE_SECONDS, DB_PATH: process.env.DB_PATH, BAND_MIN: process.env.BAND_MIN });
      expect(c.CYCLE_SECONDS).toBe(30);
      expect(c.DB_PATH).toBe('/already/set.db');
      expect(c.BAND_MIN).toBe(7200);
    } finally {
      keys.forEach((k, i) => {
        if (saved[i] === undefined) delete process.env[k];
        else process.env[k] = saved[i];
      });
    }
  });

  it('a missing file is not an error and changes nothing', () => {
    dir = mkdtempSync(join(tmpdir(), 'kalshi-env-'));
    const before = { ...process.env };
    loadDotEnv(join(dir, 'nope.env'));
    expect(process.env).toEqual(before);
  });
});
