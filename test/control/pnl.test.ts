// P&L at a glance over the real app, its journal and the simulated exchange: a market bought and settled YES (won),
// one settled NO (lost), one still open with a hostile title. The figures are checked exactly against what the
// exchange itself took (its fills) and paid, and the replies as the command table formats them.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { type CommandDeps, runCommand } from '../../src/chat/commands.js';
import { signedUsd } from '../../src/chat/format.js';
import { esc, toPlain } from '../../src/chat/html.js';
import { startConsole } from '../../src/console/console.js';
import { addDays, parseDays } from '../../src/control/pnl.js';
import { ROUNDING_ALLOWANCE_E4, formatUsd } from '../../src/money.js';
import { type World, world } from '../support/app.js';
import { COST_E4, HOSTILE, LOSE, OPEN, SOON, WIN, pnlHistory } from '../support/pnl-scenario.js';

const DAY1 = '2026-11-25';
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * The fees booked on a market's one order: what the exchange charged (its own fill records) plus the rounding fee
 * Kalshi may add to floor the balance to the cent, which the journal books at its bound of 1¢ an order.
 */
const feesOn = (w: World, ticker: string) =>
  w.sim
    .fillsSnapshot()
    .filter((f) => f.ticker === ticker)
    .reduce((a, f) => a + f.feeE4, ROUNDING_ALLOWANCE_E4);

const deps = (app: App): CommandDeps => ({ control: app.control, mode: app.mode, clock: app.clock, timeZone: 'America/New_York', transport: 'console' });
const say = async (app: App, line: string) => {
  const [name, ...rest] = line.replace(/^\//, '').split(' ');
  return runCommand(deps(app), name!, rest.join(' '), 'test');
};

describe('after one win, one loss and one open position', () => {
  let w: World;
  let app: App;
  // One history for these read-only checks (the P&L commands change nothing).
  beforeAll(async () => {
    w = await world({ transferDelayMs: 0 });
    app = await pnlHistory(w);
  });
  afterAll(async () => {
    await w.close();
  });

  it('/profit: realized P&L, fees and win rate exactly as the exchange paid and charged', async () => {
    const winFee = feesOn(w, WIN);
    const loseFee = feesOn(w, LOSE);
    expect(winFee).toBeGreaterThan(ROUNDING_ALLOWANCE_E4);
    // The journal booked what the exchange took: 6 x 78¢ each, and the fees.
    expect(app.journal.orders.recent(3).map((r) => [r.ticker, r.fill_cost_e4, r.fees_e4]).sort()).toEqual(
      [
        [WIN, COST_E4, winFee],
        [LOSE, COST_E4, loseFee],
        [OPEN, COST_E4, feesOn(w, OPEN)],
      ].sort(),
    );
    const winPnl = 60_000 - COST_E4 - winFee; // 6 contracts paid $1 each
    const losePnl = -COST_E4 - loseFee;
    const p = app.control.reports.profit();
    expect(p).toMatchObject({ settled: 2, won: 1, lost: 1, even: 0, realizedE4: winPnl + losePnl, revenueE4: 60_000, settledCostE4: 2 * COST_E4, settledFeesE4: winFee + loseFee });
    expect(p.trades).toMatchObject({ orders: 3, markets: 3, filledE2: 1800, spentE4: 3 * COST_E4, feesE4: winFee + loseFee + feesOn(w, OPEN) });
    expect(p.open).toEqual({ markets: 1, costE4: COST_E4, feesE4: feesOn(w, OPEN) });
    expect(p.best).toMatchObject({ ticker: WIN, pnlE4: winPnl });
    expect(p.worst).toMatchObject({ ticker: LOSE, pnlE4: losePnl });
    expect(p.paper).toBeNull();

    const text = (await say(app, '/profit')).text;
    expect(text).toMatch(/^\[SIM\] Profit since 2026-11-25 10:00 ET/);
    expect(text).toContain(`Realized P&amp;L: <b>${signedUsd(winPnl + losePnl)}</b>`);
    expect(text).toContain('1 won · 1 lost · win rate <b>50%</b>');
    expect(text).toContain(`Trades: 3 orders filled in 3 markets, 18 contracts, $14.04 spent, fees ${formatUsd(p.trades.feesE4)}`);
    expect(text).toContain(`Best: Will the home team win? · <code>${WIN}</code> <b>${signedUsd(winPnl)}</b>`);
  });

  it('/pnl: by day and cumulative over the window, with the cap; a PNG chart with the table as its caption', async () => {
    const total = 60_000 - 2 * COST_E4 - feesOn(w, WIN) - feesOn(w, LOSE);
    const r = app.control.reports.pnlByDay('');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.rows.map((x) => x.day)).toEqual(Array.from({ length: 7 }, (_, i) => addDays(DAY1, i - 6)));
    expect(r.value.rows.map((x) => [x.realizedE4, x.cumulativeE4, x.capE4])).toEqual([...Array(6).fill([0, 0, 500_000]), [total, total, 500_000]]);
    expect(r.value).toMatchObject({ settled: 2, won: 1, lost: 1, realizedE4: total, sinceStartE4: total, from: '2026-11-19', to: DAY1 });

    const reply = await say(app, '/pnl');
    expect(reply.photo?.filename).toBe('pnl-2026-11-25-7d.png');
    expect(reply.photo!.png.subarray(0, 8).equals(PNG)).toBe(true);
    expect(toPlain(reply.text)).toContain(`[SIM] Realized P&L, last 7 days (2026-11-19 to 2026-11-25, ET): ${signedUsd(total)}`);
    expect(toPlain(reply.text)).toMatch(new RegExp(`\\n2026-11-25 +${signedUsd(total).replace('$', '\\$')} +${signedUsd(total).replace('$', '\\$')}$`));
    // A window with nothing settled answers in words, without a chart.
    w.clock.set(SOON + 9 * 86_400_000);
    try {
      const later = await say(app, '/pnl 3');
      expect(later.photo).toBeUndefined();
      expect(later.text).toContain('Nothing settled in the window');
    } finally {
      w.clock.set(SOON + 6 * 60_000);
    }
  });

  it('/daily: realized and bought per day, newest first', async () => {
    const r = app.control.reports.daily('3');
    expect(r.ok && r.value.rows.map((x) => [x.day, x.settled, x.won, x.lost, x.orders, x.spentE4])).toEqual([
      [DAY1, 2, 1, 1, 3, 3 * COST_E4],
      ['2026-11-24', 0, 0, 0, 0, 0],
      ['2026-11-23', 0, 0, 0, 0, 0],
    ]);
    const text = toPlain((await say(app, '/daily 3')).text);
    expect(text).toMatch(/^\[SIM\] Daily, last 3 days \(ET\), newest first: realized −\$3\.\d\d\n/);
    expect(text).toMatch(/\n2026-11-25 +−\$3\.\d\d +1\/1 +\$14\.04\n2026-11-24 +- +- +-\n/);
  });

  it('/positions: average and current price, unrealized P&L after fees, when it settles; a hostile title escaped', async () => {
    const v = await app.control.reports.positions();
    // The exchange's own position record: its fees paid (no rounding allowance there).
    const fee = feesOn(w, OPEN) - ROUNDING_ALLOWANCE_E4;
    expect(v.positions).toHaveLength(1);
    expect(v.positions[0]).toMatchObject({
      ticker: OPEN,
      title: HOSTILE,
      side: 'yes',
      countE2: 600,
      avgPriceE4: 7800,
      costE4: COST_E4,
      feesE4: fee,
      priceE4: 7600, // the YES bid: what selling now would get
      valueE4: 45_600,
      unrealizedE4: 45_600 - COST_E4 - fee,
      status: 'active',
    });
    const text = (await say(app, '/positions')).text;
    expect(text).toMatch(/^\[SIM\] Open positions: <b>1<\/b> · cost \$4\.68 · worth \$4\.56 at the bid/);
    expect(text).toContain(`${esc(HOSTILE)} · <code>${OPEN}</code>\n  YES 6 @ avg 78¢ · now 76¢ · P&amp;L <b>${signedUsd(45_600 - COST_E4 - fee)}</b>`);
    expect(text).toContain('settles 2026-11-27 10:00 ET');
    expect(text).not.toContain(HOSTILE);
    expect(text).toContain('&lt;b&gt;&amp;&quot;x&lt;/b&gt;');
  });

  it('/balance: free money per shard, as the exchange keeps it', async () => {
    const shards = w.sim.balances().filter((s) => s.availableE4 > 0);
    expect(shards.map((s) => s.exchangeIndex)).toEqual([0, 3]);
    const v = await app.control.reports.balance();
    expect(v.shards).toEqual(shards.map((s) => ({ exchangeIndex: s.exchangeIndex, balanceE4: s.availableE4 })));
    expect(v.totalE4).toBe(shards.reduce((a, s) => a + s.availableE4, 0));
    const text = (await say(app, '/balance')).text;
    expect(text).toMatch(new RegExp(`^\\[SIM\\] Balance: <b>\\${formatUsd(v.totalE4)}</b> free to trade`));
    expect(text).toContain(`\n  0 default: <b>${formatUsd(shards[0]!.availableE4)}</b>\n  3 sports: <b>${formatUsd(shards[1]!.availableE4)}</b>`);
  });

  it('/performance: realized P&L by category', async () => {
    const v = await app.control.reports.performance();
    expect(v.rows.map((r) => [r.category, r.settled, r.won, r.lost, r.realizedE4])).toEqual([
      ['Sports', 1, 1, 0, 60_000 - COST_E4 - feesOn(w, WIN)],
      ['Economics', 1, 0, 1, -COST_E4 - feesOn(w, LOSE)],
    ]);
    const text = toPlain((await say(app, '/performance')).text);
    expect(text).toMatch(/\nSports +\+\$1\.2\d +1\/0 +100%\nEconomics +−\$4\.7\d +0\/1 +0%\n/);
  });

  it('arguments: what /pnl and /daily accept', () => {
    expect(parseDays('', 'pnl')).toEqual({ ok: true, value: 7 });
    expect(parseDays(' 90 ', 'pnl')).toEqual({ ok: true, value: 90 });
    for (const bad of ['0', '91', '7d', '-1', '1e1', '５']) {
      expect(parseDays(bad, 'daily')).toEqual({ ok: false, error: 'Usage: /daily [days], days from 1 to 90 (default 7).' });
    }
  });
});

describe('what the P&L leaves out, and the cap it draws', () => {
  let w: World | undefined;
  afterEach(async () => {
    await w?.close();
    w = undefined;
  });

  it("paper rows (a dry run's fills) are not money: left out of every figure and reported apart", async () => {
    w = await world({ transferDelayMs: 0 });
    const app = await pnlHistory(w);
    const before = app.control.reports.profit();
    // A paper fill on a market that settled: the exchange never saw it, so it changes no realized figure.
    const id = app.journal.orders.insertIntent({
      clientOrderId: 'paper-1',
      cycleId: null,
      approvalId: null,
      mode: 'DRY-RUN',
      day: DAY1,
      ticker: WIN,
      title: 'Will the home team win?',
      side: 'yes',
      countE2: 1000,
      priceE4: 7800,
      worstCaseE4: 80_000,
      exchangeIndex: 3,
      now: app.clock.now(),
    });
    app.journal.orders.update(id, { state: 'paper', filledE2: 1000, fillCostE4: 78_000, feesE4: 2_000 }, app.clock.now());
    const after = app.control.reports.profit();
    expect({ ...after, paper: null }).toEqual(before);
    expect(after.paper).toEqual({ orders: 1, markets: 1, costE4: 78_000, feesE4: 2_000 });
    const days = app.control.reports.daily('1');
    expect(days.ok && days.value.rows[0]).toMatchObject({ orders: 3, spentE4: 3 * COST_E4 });
    expect(toPlain((await say(app, '/profit')).text)).toContain('Paper (dry run, not money, not counted above): 1 order in 1 market, $7.80 notional');
  });

  it('the cap line follows the cap as it was each day (from the settings audit)', async () => {
    w = await world({ transferDelayMs: 0 });
    const app = await pnlHistory(w);
    expect(app.control.setCap('test', '20').ok).toBe(true);
    const r = app.control.reports.pnlByDay('2');
    expect(r.ok && r.value.rows.map((x) => [x.day, x.capE4])).toEqual([
      ['2026-11-24', 500_000],
      [DAY1, 200_000],
    ]);
    const reply = await say(app, '/pnl 2');
    expect(reply.photo).toBeDefined();
    expect(toPlain(reply.text)).toContain('Daily loss cap $50.00 / $20.00 over the window');
  });

  it('the terminal saves the chart next to the journal and prints where', async () => {
    w = await world({ transferDelayMs: 0 });
    const app = await pnlHistory(w);
    const input = new PassThrough();
    const output = new PassThrough();
    let printed = '';
    output.on('data', (c: Buffer) => (printed += c.toString('utf8')));
    const t = startConsole(app, { input, output, delivery: { pollMs: 20 } });
    try {
      input.write('/pnl\n');
      await t.idle();
      await new Promise((r) => setTimeout(r, 0));
      const path = join(w.dir, 'charts', 'pnl-2026-11-25-7d.png');
      expect(printed).toContain(`[SIM] Realized P&L, last 7 days`);
      expect(printed).toContain(`Chart saved: ${path}`);
      expect(existsSync(path) && readFileSync(path).subarray(0, 8).equals(PNG)).toBe(true);
    } finally {
      await t.stop();
    }
  });
});
