// The export: one flat table (a `kind` column) of orders, fills, settlements and transfers in a window, money as
// exact dollars with 4 decimals, CSV per RFC 4180; and `npm run export` writing it from a journal file.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { Journal } from '../../src/journal/index.js';
import { EXPORT_COLUMNS, exportCsv, exportRows, localTime, parseWindow, startOfDayMs, toCsv, toJson } from '../../src/ops/export.js';

const ROOT = resolve(import.meta.dirname, '../..');
const TZ = 'America/New_York';
const T0 = Date.parse('2026-11-25T15:00:00Z'); // 10:00 in New York
const H = 3_600_000;

let dir: string;
let journal: Journal;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kalshi-export-'));
  journal = Journal.open(join(dir, 'bot.db'), loadConfig({ DB_PATH: join(dir, 'bot.db') }));
});
afterEach(() => {
  journal.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A day of trading: a YES order filled in two parts, a NO order canceled, a paper order, a settlement and a transfer. */
function seed(j: Journal): void {
  const intent = (over: Partial<Parameters<typeof j.orders.insertIntent>[0]>) =>
    j.orders.insertIntent({
      clientOrderId: 'c-1',
      cycleId: null,
      approvalId: null,
      mode: 'LIVE',
      day: '2026-11-25',
      ticker: 'KXHIGHNY-26NOV26-B50',
      title: '',
      side: 'yes',
      countE2: 600,
      priceE4: 7800,
      worstCaseE4: 48_221,
      exchangeIndex: 0,
      now: T0,
      ...over,
    });
  const a = intent({});
  j.orders.update(a, { state: 'executed', exchangeOrderId: 'ex-a', filledE2: 600, fillCostE4: 46_800, feesE4: 722 }, T0 + 2_000);
  j.orders.recordFills(a, [
    { fillId: 'f-1', ticker: 'KXHIGHNY-26NOV26-B50', side: 'yes', countE2: 400, priceE4: 7800, feeE4: 481, createdMs: T0 + 1_000, exchangeIndex: 0 },
    { fillId: 'f-2', ticker: 'KXHIGHNY-26NOV26-B50', side: 'yes', countE2: 200, priceE4: 7800, feeE4: 241, createdMs: T0 + 1_500, exchangeIndex: 0 },
  ]);
  const b = intent({ clientOrderId: 'c-2', ticker: 'KXBTC-26NOV25-T90000', side: 'no', priceE4: 8100, countE2: 100, worstCaseE4: 8_300, exchangeIndex: 2, now: T0 + H });
  j.orders.update(b, { state: 'canceled', exchangeOrderId: 'ex-b', error: 'not filled in 10 s, "canceled", rest' }, T0 + H + 10_000);
  intent({ clientOrderId: 'c-3', mode: 'DRY-RUN', ticker: '=HYPERLINK("x")', now: T0 + 2 * H });
  j.db
    .prepare('INSERT INTO settlements (ticker, settled_at, day, revenue_e4, cost_e4, loss_e4, exchange_index) VALUES (?, ?, ?, ?, ?, ?, ?)')
    .run('KXHIGHNY-26NOV26-B50', T0 + 30 * H, '2026-11-26', 60_000, 0, 0, 0);
  const t = j.transfers.insertSent({ fromShard: 0, toShard: 2, amountE4: 58_300, reason: 'fund shard 2 for KXBTC', now: T0 + H - 1_000 });
  j.transfers.update(t, { state: 'complete', transferId: 'tr-9' }, T0 + H);
}

describe('exportRows and toCsv', () => {
  it('has the documented columns, one kind per record, in time order', () => {
    seed(journal);
    const csv = exportCsv(journal, { sinceMs: T0 - H, untilMs: T0 + 48 * H, timeZone: TZ });
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe(
      'kind,time_utc,time_local,trading_day,mode,ticker,side,contracts,filled,price,cost,fees,revenue,cash,state,shard,to_shard,client_order_id,exchange_id,note',
    );
    expect(lines[0]!.split(',')).toEqual(EXPORT_COLUMNS.map(([name]) => name));
    expect(lines.at(-1)).toBe(''); // CRLF after the last record too
    expect(lines.slice(1, -1).map((l) => l.split(',')[0])).toEqual(['order', 'fill', 'fill', 'transfer', 'order', 'order', 'settlement']);

    const [order, fill1] = lines.slice(1, 3);
    expect(order).toBe(
      'order,2026-11-25T15:00:00.000Z,2026-11-25 10:00:00,2026-11-25,LIVE,KXHIGHNY-26NOV26-B50,yes,6.00,6.00,0.7800,4.6800,0.0722,,,executed,0,,c-1,ex-a,',
    );
    // A fill carries the money: -(4 x 0.78 + 0.0481).
    expect(fill1).toBe('fill,2026-11-25T15:00:01.000Z,2026-11-25 10:00:01,2026-11-25,LIVE,KXHIGHNY-26NOV26-B50,yes,4.00,,0.7800,3.1200,0.0481,,-3.1681,,0,,c-1,f-1,');
    expect(lines[4]).toBe('transfer,2026-11-25T15:59:59.000Z,2026-11-25 10:59:59,2026-11-25,,,,,,,5.8300,,,,complete,0,2,,tr-9,fund shard 2 for KXBTC');
    expect(lines[7]).toBe('settlement,2026-11-26T21:00:00.000Z,2026-11-26 16:00:00,2026-11-26,,KXHIGHNY-26NOV26-B50,,,,,0.0000,,6.0000,6.0000,,0,,,,');
  });

  it('quotes per RFC 4180 and defuses text a spreadsheet would run as a formula', () => {
    seed(journal);
    const csv = toCsv(exportRows(journal, { sinceMs: T0 + H - 1, untilMs: T0 + 3 * H, timeZone: TZ }), TZ);
    const lines = csv.split('\r\n');
    // Quotes doubled, the field quoted because of the comma and the quotes.
    expect(lines[1]).toMatch(/,canceled,2,,c-2,ex-b,"not filled in 10 s, ""canceled"", rest"$/);
    // A ticker starting with = gets an apostrophe (and is quoted for its own quotes).
    expect(lines[2]).toContain(`,"'=HYPERLINK(""x"")",`);
    expect(lines[2]).toMatch(/^order,.*,DRY-RUN,/);
  });

  it('keeps to the window: since included, until excluded', () => {
    seed(journal);
    const kinds = (sinceMs: number, untilMs: number) => exportRows(journal.db, { sinceMs, untilMs, timeZone: TZ }).map((r) => r.kind);
    expect(kinds(T0, T0 + 1_000)).toEqual(['order']);
    expect(kinds(T0 + 1_000, T0 + 1_500)).toEqual(['fill']);
    expect(kinds(T0 + 3 * H, T0 + 30 * H)).toEqual([]);
    expect(kinds(T0 + 30 * H, T0 + 30 * H + 1)).toEqual(['settlement']);
  });

  it('sums exactly: the cash column of fills and settlements is the window\'s trading result', () => {
    seed(journal);
    const rows = exportRows(journal, { sinceMs: 0, untilMs: T0 + 48 * H, timeZone: TZ });
    const cash = rows.reduce((a, r) => a + (r.cashE4 ?? 0), 0);
    expect(cash).toBe(60_000 - 46_800 - 722);
  });

  it('writes JSON with the same columns, null where the CSV is empty', () => {
    seed(journal);
    const out = JSON.parse(toJson(exportRows(journal, { sinceMs: T0, untilMs: T0 + 1_001, timeZone: TZ }), TZ)) as Record<string, string | null>[];
    expect(out).toHaveLength(2);
    expect(Object.keys(out[0]!)).toEqual(EXPORT_COLUMNS.map(([name]) => name));
    expect(out[1]).toMatchObject({ kind: 'fill', cash: '-3.1681', filled: null, note: null });
  });

  it('reads dates as days in the time zone, across a DST change', () => {
    expect(startOfDayMs('2026-11-25', TZ)).toBe(Date.parse('2026-11-25T05:00:00Z'));
    expect(startOfDayMs('2026-07-01', TZ)).toBe(Date.parse('2026-07-01T04:00:00Z'));
    expect(startOfDayMs('2026-11-01', TZ)).toBe(Date.parse('2026-11-01T04:00:00Z')); // EDT until 02:00 that day
    expect(startOfDayMs('2026-11-02', TZ)).toBe(Date.parse('2026-11-02T05:00:00Z'));
    expect(parseWindow('2026-11-01', '2026-11-30', TZ, 0)).toEqual({ sinceMs: Date.parse('2026-11-01T04:00:00Z'), untilMs: Date.parse('2026-12-01T05:00:00Z') });
    expect(parseWindow('2026-11-25T12:00:00Z', undefined, TZ, T0)).toEqual({ sinceMs: Date.parse('2026-11-25T12:00:00Z'), untilMs: T0 + 1 });
    expect(() => parseWindow('25/11/2026', undefined, TZ, T0)).toThrow(/not a date/);
    expect(() => parseWindow('2026-11-25', '2026-11-24', TZ, T0)).toThrow(/--until must be after --since/);
    expect(localTime(T0, 'Europe/London')).toBe('2026-11-25 15:00:00');
  });
});

describe('npm run export (the CLI)', () => {
  const run = (args: string[], env: Record<string, string>) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((done, fail) => {
      const child = spawn(join(ROOT, 'node_modules/.bin/tsx'), [join(ROOT, 'src/cli.ts'), 'export', ...args], {
        cwd: dir,
        env: { PATH: process.env.PATH ?? '', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      child.on('error', fail);
      child.on('close', (code) => {
        clearTimeout(timer);
        done({ code, stdout, stderr });
      });
    });

  it('writes CSV to a private file or JSON to stdout, and refuses bad arguments', { timeout: 60_000 }, async () => {
    seed(journal);
    const env = { DB_PATH: join(dir, 'bot.db'), TIMEZONE: TZ };
    const out = join(dir, 'trades.csv');
    const [csv, json, bad] = await Promise.all([
      run(['--since', '2026-11-25', '--until', '2026-11-25', '--csv', '--out', out], env),
      run(['--since', '2026-11-26', '--json'], env),
      run(['--until', '2026-11-25'], env),
    ]);
    expect(csv.code, csv.stderr).toBe(0);
    expect(csv.stderr).toBe(`6 rows written to ${out}\n`);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(readFileSync(out, 'utf8').split('\r\n')[0]).toMatch(/^kind,time_utc,/);
    expect(json.code, json.stderr).toBe(0);
    expect((JSON.parse(json.stdout) as { kind: string }[]).map((r) => r.kind)).toEqual(['settlement']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/usage: npm run export -- --since YYYY-MM-DD/);
  });
});
