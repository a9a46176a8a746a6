// A chat a trader keeps open, end to end: the real grammY bot against the fake Bot API (which parses HTML as Telegram
// does and refuses what Telegram refuses), over a real app on the simulated exchange.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { type TelegramTransport, startTelegram } from '../../src/bot/telegram.js';
import { DAY, T0, type World, world } from '../support/app.js';
import { FakeTelegram, type StoredMessage, buttonData } from '../support/fake-telegram.js';

const OWNER = 1001;
let fake: FakeTelegram;
let w: World;
let transports: TelegramTransport[];

beforeEach(async () => {
  fake = await new FakeTelegram().start();
  w = await world({ markets: 0 });
  transports = [];
});

afterEach(async () => {
  try {
    for (const t of transports) await t.stop();
  } finally {
    await w.close();
    await fake.close();
  }
});

const env = (extra: Record<string, string> = {}) => ({
  TELEGRAM_BOT_TOKEN: fake.token,
  TELEGRAM_ALLOWED_USER_IDS: String(OWNER),
  TELEGRAM_API_ROOT: fake.apiRoot,
  TIMEZONE: 'America/New_York',
  ...extra,
});

function telegram(app: App): TelegramTransport {
  const t = startTelegram(app, { pollingTimeoutSeconds: 1, pacing: { privateMs: 0, groupMs: 0 }, delivery: { baseBackoffMs: 20, maxBackoffMs: 100, pollMs: 20 }, flushMs: 1000, initRetryMs: 50 });
  transports.push(t);
  return t;
}

/** n in-band markets (YES 78¢ ask), half of them in a category that needs approval. */
function addMarkets(n: number, opts: { title?: (i: number) => string } = {}): void {
  for (let i = 0; i < n; i++) {
    w.sim.addMarket({
      ticker: `KXFLOOD${i}-26NOV27-A`,
      title: opts.title?.(i) ?? `Flood market ${i}`,
      category: i % 2 === 0 ? 'Politics' : 'Economics',
      yesBidCents: 76,
      yesAskCents: 78,
      yesBidSize: 500,
      yesAskSize: 500,
      volume24h: 100_000,
      closeMs: T0 + 3 * DAY,
      expectedExpirationMs: T0 + 2 * DAY,
    });
  }
}

const since = (n: number) => fake.sentTo(OWNER).slice(n);

describe('alerts that keep their meaning', () => {
  it('a busy cycle: a handful of messages, the halt first, approvals only within the room left, fills as one digest', async () => {
    addMarkets(40);
    // $20 a day, $5 a trade: four orders fit; every Politics market asks a human first.
    const app = await w.start(env({ DAILY_LOSS_CAP: '20', MAX_COST_PER_TRADE: '5', APPROVAL_CATEGORIES: 'Politics' }));
    // Nothing is delivered while the cycle runs (the transport starts after it): the queue order alone decides.
    const s = await app.runCycle();
    expect(s.halted).toBe(true);
    expect(s.orders.length).toBeGreaterThanOrEqual(2);
    const start = fake.sentTo(OWNER).length;
    telegram(app);
    await fake.waitFor(() => app.journal.outbox.pendingCount() === 0 && since(start).some((m) => /Cycle #\d+: \d+ orders filled/.test(m.text)), 8000, 'the queue drained');
    const said = since(start).map((m) => m.text);
    // The halt jumps the queue (ahead of the start-up message, the approvals and the fills).
    expect(said[0]).toMatch(/^\[SIM\] 🛑 Trading HALTED for 2026-11-25/);
    // Approvals raised before the halt expired with it and were never shown; fills are one digest.
    expect(said.filter((t) => /Approval #\d+ needed/.test(t))).toEqual([]);
    expect(said.filter((t) => /Cycle #\d+: \d+ orders filled/.test(t))).toHaveLength(1);
    expect(said.filter((t) => /^\[SIM\] Order filled/.test(t))).toEqual([]);
    expect(said.length).toBeLessThanOrEqual(4);
    // Every open approval expired the moment the day halted.
    expect(app.journal.approvals.pending(w.clock.now())).toEqual([]);
  });

  it('open approvals never ask for more than the room under the cap; a rejected market is not asked again that day', async () => {
    addMarkets(20);
    // Every trade needs a human (cost rule $0.01); $12 of cap, $5 a trade: at most two requests fit at a time.
    const app = await w.start(env({ DAILY_LOSS_CAP: '12', MAX_COST_PER_TRADE: '5', APPROVAL_ABOVE_COST: '0.01' }));
    await app.runCycle();
    const open = app.journal.approvals.pending(w.clock.now());
    expect(open.length).toBe(2);
    const room = app.journal.settings.get().dailyCapE4 - app.journal.orders.atRiskE4('2026-11-25');
    expect(open.reduce((a, x) => a + x.worst_case_e4, 0)).toBeLessThanOrEqual(room);
    // /why says why a flagged market was not asked about.
    const notAsked = app.journal.cycles.decision('KXFLOOD5-26NOV27-A');
    expect(notAsked?.reason).toMatch(/not asked: its worst case \$4\.\d\d does not fit the \$[0-9.]+ left under the cap after the open requests/);
    // Reject one: the next cycle asks about another market, not that one again.
    const first = open[0]!;
    await app.control.reject('test', String(first.id));
    await app.runCycle();
    const now = app.journal.approvals.pending(w.clock.now());
    expect(now.map((a) => a.ticker)).not.toContain(first.ticker);
    expect(now.length).toBe(2);
    expect(app.journal.cycles.decision(first.ticker)?.reason).toMatch(/you rejected this market today/);
  });

  it('an approval request is never delivered after its expiry', async () => {
    addMarkets(1);
    const app = await w.start(env({ APPROVAL_ABOVE_COST: '0.01', APPROVAL_TTL_MINUTES: '1' }));
    await app.runCycle();
    expect(app.journal.approvals.pending(w.clock.now())).toHaveLength(1);
    // Telegram was unreachable for the request's whole life.
    w.clock.advance(2 * 60_000);
    const start = fake.sentTo(OWNER).length;
    telegram(app);
    await fake.waitFor(() => app.journal.outbox.pendingCount() === 0, 8000, 'the queue drained');
    await new Promise((r) => setTimeout(r, 100));
    const said = since(start).map((m) => m.text);
    expect(said.some((t) => /Approval #\d+ needed/.test(t))).toBe(false);
    expect(said.some((t) => /EXPIRED/.test(t))).toBe(false);
    expect(fake.sentTo(OWNER).flatMap((m) => buttonsOf(m))).toEqual([]);
  });

  it('/notify: per-kind levels persist; silent sends without sound, off sends nothing; a clean stop says so', async () => {
    addMarkets(1);
    const app = await w.start(env());
    const t = telegram(app);
    await ask('/notify digests silent', /digests: silent/);
    await ask('/notify halts off', /Halts cannot be turned off/);
    expect(app.journal.settings.get().notify.halts).toBe('on');
    const start = fake.sentTo(OWNER).length;
    await app.runCycle();
    const digest = await fake.waitFor(() => since(start).find((m) => /Cycle #\d+: 1 orders filled/.test(m.text)), 8000, 'the digest');
    expect(digest.silent).toBe(true);
    await ask('/notify digests off', /digests: off/);
    w.sim.addMarket({ ...marketSpec('KXQUIET-26NOV27-A'), title: 'Quiet' });
    const n = fake.sentTo(OWNER).length;
    await app.runCycle();
    await fake.waitFor(() => app.journal.outbox.pendingCount() === 0, 8000, 'the queue drained');
    expect(since(n).some((m) => /orders filled/.test(m.text))).toBe(false);
    // The levels survive a restart (they live in the journal).
    expect(app.journal.settings.get().notify).toMatchObject({ digests: 'off', halts: 'on' });
    await t.stop();
    transports = [];
    const last = fake.sentTo(OWNER).at(-1)!;
    expect(last.text).toMatch(/^\[SIM\] Stopped; \d+ alerts delivered this run\.$/);
  });

  it('hostile titles are escaped everywhere (Telegram would refuse broken HTML), and titles come before tickers', async () => {
    const hostile = '<b>Will & "this" </i>close?';
    addMarkets(2, { title: () => hostile });
    const app = await w.start(env({ APPROVAL_CATEGORIES: 'Politics' }));
    telegram(app);
    const start = fake.sentTo(OWNER).length;
    await app.runCycle();
    const approval = await fake.waitFor(() => since(start).find((m) => /Approval #\d+ needed/.test(m.text)), 8000, 'the approval request');
    const digest = await fake.waitFor(() => since(start).find((m) => /orders filled/.test(m.text)), 8000, 'the digest');
    expect(approval.text).toContain(`${hostile} · KXFLOOD0-26NOV27-A`);
    expect(digest.text).toContain(`${hostile} · KXFLOOD1-26NOV27-A`);
    expect(fake.callsTo('sendMessage', false).filter((c) => /can't parse entities/.test(JSON.stringify(c)))).toEqual([]);
    // The number that matters is bold.
    expect(approval.entities?.some((e) => e.type === 'bold')).toBe(true);
    const trades = await ask('/trades 5', /Last \d+ orders/);
    expect(trades).toContain(hostile);
  });
});

describe('approvals that make sense', () => {
  it('/approvals lists what waits with buttons; Approve all asks once more, then answers each through the one path', async () => {
    addMarkets(6);
    const app = await w.start(env({ APPROVAL_ABOVE_COST: '0.01', DAILY_LOSS_CAP: '50', MAX_COST_PER_TRADE: '5' }));
    telegram(app);
    await app.runCycle();
    const open = app.journal.approvals.pending(w.clock.now());
    expect(open.length).toBeGreaterThan(2);
    const list = await askMsg('/approvals', /approvals waiting/);
    for (const a of open) expect(list.text).toContain(`#${a.id} Flood market`);
    const all = buttonData(list, /^✅ Approve all$/);
    const before = fake.sentTo(OWNER).length;
    fake.press(OWNER, list, all);
    const confirm = await fake.waitFor(() => since(before).find((m) => /Approve all \d+ waiting approvals/.test(m.text)), 5000, 'the confirming prompt');
    expect(app.journal.approvals.pending(w.clock.now()).length).toBe(open.length); // nothing done yet
    fake.press(OWNER, confirm, buttonData(confirm, /^Yes, approve all/));
    await fake.waitFor(() => open.every((a) => app.journal.approvals.get(a.id)?.outcome), 10_000, 'every approval answered');
    expect(open.map((a) => app.journal.approvals.get(a.id)?.outcome)).toEqual(open.map(() => 'ordered at $0.78: filled, 6 filled'));
    expect(w.sim.ordersSnapshot().length).toBe(open.length);
    // /approve with no id and nothing waiting says so.
    expect(await ask('/approve', /No approvals waiting/)).toMatch(/^\[SIM\]/);
  });

  it('/approve with no id acts on the only one', async () => {
    addMarkets(1);
    const app = await w.start(env({ APPROVAL_ABOVE_COST: '0.01' }));
    telegram(app);
    await app.runCycle();
    expect(await ask('/approve', /Approval #\d+ approved/)).toMatch(/^\[SIM\] Approval #\d+ approved: ordered/);
  });
});

describe('P&L at a glance', () => {
  it('a settled position is told: won or lost, by how much, and the day realized P&L', async () => {
    addMarkets(2);
    const app = await w.start(env());
    telegram(app);
    await app.runCycle();
    const start = fake.sentTo(OWNER).length;
    w.sim.updateMarket('KXFLOOD0-26NOV27-A', { result: 'yes' });
    w.sim.updateMarket('KXFLOOD1-26NOV27-A', { result: 'no' });
    w.clock.set(T0 + 3 * DAY + 6 * 60_000); // the sim settles 5 min after the close
    await app.runCycle();
    const won = await fake.waitFor(() => since(start).find((m) => /Settled: 🟢 WON/.test(m.text)), 8000, 'the won settlement');
    const lost = await fake.waitFor(() => since(start).find((m) => /Settled: 🔴 LOST/.test(m.text)), 8000, 'the lost settlement');
    // 6 YES at 78¢ ($4.68) plus $0.08 of fees: a win pays $6.00 (+$1.24), a loss loses all $4.76; the day nets −$3.52.
    expect(won.text).toMatch(/WON \+\$1\.24\nFlood market 0 · KXFLOOD0-26NOV27-A\nResult YES; held 6 YES; paid \$4\.76, got \$6\.00/);
    expect(lost.text).toMatch(/LOST −\$4\.76\nFlood market 1 · KXFLOOD1-26NOV27-A\nResult NO; held 6 YES; paid \$4\.76, got \$0\.00/);
    expect(lost.text.endsWith('Realized P&L on 2026-11-28: −$3.52') || won.text.endsWith('Realized P&L on 2026-11-28: −$3.52')).toBe(true);
  });
});

describe('reading on a phone', () => {
  it('the start-up message states mode, cap, at risk and state, and which cap is in force', async () => {
    const first = await w.start(env({ DAILY_LOSS_CAP: '50' }));
    first.control.setCap('test', '30');
    await first.stop();
    const app = await w.start(env({ DAILY_LOSS_CAP: '50' }));
    telegram(app);
    await app.reconcile();
    const m = await fake.waitFor(() => fake.sentTo(OWNER).find((x) => /Started/.test(x.text)), 8000, 'the start-up message');
    expect(m.text).toMatch(/^\[SIM\] Started: no unfinished orders to reconcile\.\nToday: at risk \$0\.00 of \$30\.00 cap; trading\.\n/);
    expect(m.text).toContain('The cap in force is $30.00, set in chat and kept in the journal; DAILY_LOSS_CAP says $50.00');
  });

  it('/status has a Refresh button and says when a cycle is running; /help puts the everyday commands on the keyboard', async () => {
    const app = await w.start(env());
    telegram(app);
    const status = await askMsg('/status', /RUNNING/);
    expect(status.text).toMatch(/Next cycle: not scheduled/);
    const before = fake.callsTo('editMessageText').length;
    fake.press(OWNER, status, buttonData(status, /Refresh/));
    await fake.waitFor(() => fake.callsTo('answerCallbackQuery').some((c) => /Up to date|Refreshing/.test(String(c.params.text))), 5000, 'the refresh answered');
    expect(fake.callsTo('editMessageText').length).toBeGreaterThanOrEqual(before);
    const help = await askMsg('/help', /Kalshi band bot/);
    expect((help.reply_markup as { keyboard?: { text: string }[][] }).keyboard?.flat().map((k) => k.text)).toEqual(['/status', '/positions', '/pnl', '/approvals', '/pause', '/resume']);
    // While a cycle runs, /status says so (the scan loop is busy for the duration of a slow cycle).
    w.sim.setLatency(300);
    addMarkets(1);
    app.loop.start();
    await fake.waitFor(() => app.loop.busy, 5000, 'a cycle running');
    expect(await ask('/status', /running/)).toMatch(/Cycle #\d+ running \(started \d+ s ago\)[\s\S]*Next cycle: after cycle #\d+/);
    await app.loop.stop();
  });

  it('risky settings ask for a confirming tap; an unknown category is refused with the known list', async () => {
    addMarkets(2);
    const app = await w.start(env({ DAILY_LOSS_CAP: '50' }));
    telegram(app);
    await app.runCycle(); // the series (and so the categories) are known after a scan
    const ask1 = await askMsg('/set maxcost 80', /means a per-trade cost above the daily cap/);
    expect(app.journal.settings.get().maxCostPerTradeE4).not.toBe(800_000);
    fake.press(OWNER, ask1, buttonData(ask1, /^Yes, apply it$/));
    await fake.waitFor(() => app.journal.settings.get().maxCostPerTradeE4 === 800_000, 5000, 'maxcost applied after the tap');
    await ask('/set band 40-99', /means a band wider than 50-99%/);
    expect(app.journal.settings.get().bandMinE4).toBe(7000);
    expect(await ask('/set exclude Sprots', /Unknown category/)).toMatch(/Unknown category "Sprots"\. Known: .*Economics.*Politics/);
    expect(app.journal.settings.get().excludedCategories).toEqual([]);
    await ask('/set exclude politics', /Changed exclude/);
  });

  it('/trades 50 answers with 50 rows, split over messages at row boundaries', async () => {
    addMarkets(1);
    const app = await w.start(env());
    telegram(app);
    for (let i = 0; i < 50; i++) {
      app.journal.orders.insertIntent({
        clientOrderId: `c${i}`,
        cycleId: null,
        approvalId: null,
        mode: 'SIM',
        day: '2026-11-25',
        ticker: `KXLONGTITLE${i}-26NOV27-A`,
        title: `A long market title that takes room on a phone screen, number ${i}, with more words to make it wrap`,
        side: 'yes',
        countE2: 600,
        priceE4: 7800,
        worstCaseE4: 48_200,
        exchangeIndex: 0,
        now: w.clock.now() + i,
      });
    }
    const before = fake.sentTo(OWNER).length;
    fake.sendText(OWNER, '/trades 50');
    await fake.waitFor(() => since(before).map((m) => m.text).join('\n').split('\n').filter((l) => /^#\d+ /.test(l)).length === 50, 8000, '50 rows');
    const parts = since(before);
    expect(parts.length).toBeGreaterThan(1);
    for (const m of parts) {
      expect(m.text.length).toBeLessThanOrEqual(4096);
      for (const line of m.text.split('\n').slice(1)) expect(line).toMatch(/^#\d+ 2026-11-25 \d\d:\d\d ET \[SIM\] A long market title .* · KXLONGTITLE\d+-26NOV27-A YES 0\/6 @ 78¢: intent, cost \$0\.00, fee \$0\.00$/);
    }
  });
});

describe('/export in chat', () => {
  it('sends the journal as a CSV document to the allowed user; bad dates get the usage', async () => {
    addMarkets(2);
    const app = await w.start(env());
    telegram(app);
    await app.runCycle();
    const before = fake.sentTo(OWNER).length;
    fake.sendText(OWNER, '/export 2026-11-01');
    const doc = await fake.waitFor(() => since(before).find((m) => m.document), 8000, 'the CSV document');
    expect(doc.document?.file_name).toBe('kalshi-bot-2026-11-01_2026-11-25.csv');
    expect(doc.caption).toMatch(/^\[SIM\] Journal export: \d+ rows/);
    const csv = fake.documentBytes(doc).toString('utf8');
    const [header, ...rows] = csv.trim().split(/\r?\n/);
    expect(header).toMatch(/^kind,/);
    expect(rows.filter((r) => r.startsWith('order,'))).toHaveLength(2);
    expect(await ask('/export yesterday', /Usage: \/export \[since\] \[until\]/)).toMatch(/^\[SIM\]/);
  });
});

function buttonsOf(m: StoredMessage): string[] {
  const kb = (m.reply_markup as { inline_keyboard?: { callback_data: string }[][] } | undefined)?.inline_keyboard;
  return kb ? kb.flat().map((b) => b.callback_data) : [];
}

function marketSpec(ticker: string) {
  return { ticker, yesBidCents: 76, yesAskCents: 78, yesBidSize: 500, yesAskSize: 500, volume24h: 100_000, closeMs: T0 + 3 * DAY, expectedExpirationMs: T0 + 2 * DAY };
}

async function askMsg(text: string, re: RegExp): Promise<StoredMessage> {
  const before = fake.sentTo(OWNER).length;
  fake.sendText(OWNER, text);
  return fake.waitFor(() => since(before).find((m) => re.test(m.text)), 8000, `a reply to ${text} matching ${re}`);
}

const ask = async (text: string, re: RegExp) => (await askMsg(text, re)).text;
