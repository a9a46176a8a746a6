// The environment contract: defaults, one error naming every bad variable, secrets never echoed, .env loading.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, loadDotEnv } from '../src/config.js';

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
  ] as const)('%s is named for %j', (name, env) => {
    const err = configError(env);
    expect(err.name).toBe('ConfigError');
    expect(err.problems.some((p) => p.startsWith(`${name} `))).toBe(true);
    expect(err.message).toContain(name);
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
    const env: NodeJS.ProcessEnv = { DB_PATH: '/already/set.db' };
    loadDotEnv(path, env);
    expect(env.CYCLE_SECONDS).toBe('30');
    expect(env.DB_PATH).toBe('/already/set.db');
    expect(env.BAND_MIN).toBe('0.72');
    const c = loadConfig(env);
    expect(c.CYCLE_SECONDS).toBe(30);
    expect(c.DB_PATH).toBe('/already/set.db');
    expect(c.BAND_MIN).toBe(7200);
  });

  it('a missing file is not an error and changes nothing', () => {
    dir = mkdtempSync(join(tmpdir(), 'kalshi-env-'));
    const env: NodeJS.ProcessEnv = { A: '1' };
    loadDotEnv(join(dir, 'nope.env'), env);
    expect(env).toEqual({ A: '1' });
  });
});
