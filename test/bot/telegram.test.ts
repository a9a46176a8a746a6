// End to end: the real grammY bot (long polling) against a fake Bot API server, over a real App in
// SIM mode with its own simulated exchange and temp SQLite file.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { type TelegramTransport, startTelegram } from '../../src/bot/telegram.js';
import { queueDailySummary } from '../../src/notify/delivery-summary.js';
import { DAY, type World, world } from '../support/app.js';
import { captureLog } from '../support/log.js';
import { FakeTelegram, type StoredMessage, buttonData, scopeKey } from '../support/fake-telegram.js';
import { COMMANDS } from '../../src/chat/commands.js';

const OWNER = 1001;
const STRANGER = 666;
const TICKER = 'KXBOTT-26NOV27-A';

let fake: FakeTelegram;
let w: World;
let transports: TelegramTransport[];

beforeEach(async () => {
  fake = await new FakeTelegram().start();
  w = await world({ markets: 300 });
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

function env(extra: Record<string, string> = {}): Record<string, string> {
  return {
    TELEGRAM_BOT_TOKEN: fake.token,
    TELEGRAM_ALLOWED_USER_IDS: String(OWNER),
    TELEGRAM_API_ROOT: fake.apiRoot,
    TIMEZONE: 'America/New_York',
    ...extra,
  };
}

function telegram(app: App): TelegramTransport {
  const t = startTelegram(app, {
    pollingTimeoutSeconds: 1,
    pacing: { privateMs: 0, groupMs: 0 },
    delivery: { baseBackoffMs: 20, maxBackoffMs: 100, pollMs: 50 },
    flushMs: 500,
    initRetryMs: 50,
  });
  transports.push(t);
  return t;
}

/** What only a /status reply says. */
const STATUS = /\nToday \(\d{4}-\d\d-\d\d\) at risk: /;

/**
 * Send a command as a user and wait for the bot's reply to it: the first message to that chat, sent
 * after the command, whose text matches `re` (not merely the next message: a reply to an earlier
 * update, or an alert, may arrive in between). Times out, listing what did arrive, when none matches.
 */
async function askMsg(from: number, text: string, re: RegExp, opts: { dateMs?: number } = {}): Promise<StoredMessage> {
  const before = fake.sentTo(from).length;
  fake.sendText(from, text, opts);
  try {
    // Every reply starts with the mode tag: a pattern may include it or start after it.
    return await fake.waitFor(() => fake.sentTo(from).slice(before).find((m) => re.test(m.text) || re.test(untag(m.text))), 8000, `a reply to ${text} matching ${re}`);
  } catch (err) {
    const got = fake.sentTo(from).slice(before).map((m) => JSON.stringify(m.text.slice(0, 200)));
    throw new Error(`${(err as Error).message}; the bot sent instead: [${got.join(', ')}]`);
  }
}

const untag = (text: string) => text.replace(/^\[(SIM|DEMO|DRY-RUN|LIVE)\] /, '');

async function ask(from: number, text: string, re: RegExp): Promise<string> {
  return (await askMsg(from, text, re)).text;
}

function addInBandMarket(ticker = TICKER): void {
  w.sim.addMarket({
    ticker,
    title: 'Will the <test> market resolve Yes?',
    yesBidCents: 78,
    yesAskCents: 80,
    yesBidSize: 500,
    yesAskSize: 500,
    volume24h: 100_000,
    closeMs: w.clock.now() + 2 * DAY,
    expectedExpirationMs: w.clock.now() + 2 * DAY,
  });
}

describe('Telegram commands (allowed user)', () => {
  it('/status, /pause, /setcap, bad input, /why; registers the command menu', async () => {
    // A cap of $30 to start with, so /setcap 50 is a real change.
    const app = await w.start(env({ DAILY_LOSS_CAP: '30' }));
    telegram(app);
    expect(app.journal.settings.get().dailyCapE4).toBe(300_000);

    const status = await ask(OWNER, '/status', STATUS);
    expect(status).toMatch(/^\[SIM\] RUNNING/);
    expect(status).toMatch(/of \$30\.00 cap/);
    await fake.waitFor(() => fake.callsTo('setMyCommands').length > 0, 3000, 'setMyCommands');
    // The menu comes from the same table that routes the commands, and shows only in the allowed user's chat.
    const menu = (fake.menus.get(scopeKey({ type: 'chat', chat_id: OWNER })) ?? []) as { command: string; description: string }[];
    expect(menu.map((c) => c.command)).toEqual(COMMANDS.filter((c) => c.name !== 'start').map((c) => c.name));
    expect(menu.find((c) => c.command === 'setcap')?.description).toBe('<dollars> Set the daily loss cap');
    expect([...fake.menus.keys()]).toEqual([scopeKey({ type: 'chat', chat_id: OWNER })]); // nothing in the default scope

    await ask(OWNER, '/pause', /Paused/);
    expect(app.journal.settings.get().paused).toBe(true);
    const audit = app.journal.settings.audit();
    expect(audit[0]).toMatchObject({ name: 'paused', new_value: 'true', changed_by: `telegram:${OWNER}` });

    expect(await ask(OWNER, '/setcap 50', /Daily cap set/)).toMatch(/\$30\.00 → \$50\.00/);
    expect(app.journal.settings.get().dailyCapE4).toBe(500_000);
    expect(app.journal.settings.audit()[0]).toMatchObject({ name: 'dailyCapE4', old_value: '300000', new_value: '500000', changed_by: `telegram:${OWNER}` });
    await ask(OWNER, '/setcap 20', /Daily cap set: \$50\.00 → \$20\.00/);
    expect(app.journal.settings.get().dailyCapE4).toBe(200_000);

    await ask(OWNER, '/setcap abc', /Usage: \/setcap <dollars>/);
    expect(app.journal.settings.get().dailyCapE4).toBe(200_000);

    // More than 2x asks for a confirming tap first; the tap applies it, a second tap is stale.
    const msg = await askMsg(OWNER, '/setcap 100', /more than twice/);
    expect(app.journal.settings.get().dailyCapE4).toBe(200_000);
    const data = buttonData(msg, /^Yes, set \$100\.00$/);
    fake.press(OWNER, msg, data);
    await fake.waitFor(() => app.journal.settings.get().dailyCapE4 === 1_000_000, 5000, 'cap confirmed');
    await fake.waitFor(() => fake.messages.get(`${OWNER}:${msg.message_id}`)?.text.includes('Daily cap set'), 5000, 'confirm edit');
    fake.press(OWNER, msg, data);
    await fake.waitFor(() => fake.messages.get(`${OWNER}:${msg.message_id}`)?.text.includes('confirmation is stale'), 5000, 'second tap: stale');
    expect(app.journal.settings.get().dailyCapE4).toBe(1_000_000);

    await ask(OWNER, '/why', /Usage: \/why <ticker>/);
    addInBandMarket();
    await app.runCycle();
    // The cycle's own alerts about this market may arrive meanwhile: wait for the /why answer itself.
    const why = await ask(OWNER, `/why ${TICKER.toLowerCase()}`, new RegExp(`^${TICKER} in cycle #\\d+: `));
    expect(why).toMatch(/\nReason: /);
    await ask(OWNER, '/trades 0', /Usage: \/trades/);
    await ask(OWNER, '/set band 0.9-0.5', /Bad value for band|Not changed/);
    expect(app.journal.settings.get()).toMatchObject({ bandMinE4: 7000, bandMaxE4: 8700 }); // the defaults, unchanged
    await ask(OWNER, '/set horizon 3', /Changed horizon/);
    expect(app.journal.settings.get().horizonDays).toBe(3);
    await ask(OWNER, '/help', /\/setcap <dollars>/);

    // No secret in any message the bot sent.
    for (const c of fake.calls) expect(JSON.stringify(c.params)).not.toContain(fake.token);
  }, 30_000);

  it("a stranger's /setcap changes nothing and gets no answer", async () => {
    const { log, lines } = await captureLog();
    const app = await w.start(env(), { log });
    telegram(app);
    const capBefore = app.journal.settings.get().dailyCapE4;
    fake.sendText(STRANGER, '/setcap 1');
    fake.sendText(STRANGER, '/pause');
    fake.sendText(OWNER, '/setcap 1', { chatId: -500 }); // an allowed user in a group is still allowed
    await fake.waitFor(() => fake.sentTo(-500).length > 0, 8000, 'group reply');
    expect(app.journal.settings.get().dailyCapE4).toBe(10_000);
    expect(capBefore).not.toBe(10_000);
    expect(app.journal.settings.get().paused).toBe(false);
    expect(fake.callsTo('sendMessage').filter((c) => Number(c.params.chat_id) === STRANGER)).toHaveLength(0);
    // One rate-limited log line for the stranger, without the token.
    expect(lines.filter((l) => l.includes(String(STRANGER)))).toHaveLength(1);
    expect(lines.join('\n')).not.toContain(fake.token);
  }, 20_000);
});

describe('approvals through inline buttons', () => {
  async function approvalMessage(app: App) {
    addInBandMarket();
    await app.runCycle();
    const msg = await fake.waitFor(
      () => fake.sentTo(OWNER).find((m) => m.text.includes(TICKER) && m.text.includes('Approval') && m.reply_markup),
      8000,
      'the approval message',
    );
    // The buttons are taken from the message as sent, never rebuilt here.
    const approve = buttonData(msg, /Approve/);
    const reject = buttonData(msg, /Reject/);
    const id = Number(/#(\d+)/.exec(msg.text)![1]);
    // Other (generated) markets may be flagged too: let every alert go out before commands are typed.
    await fake.waitFor(() => app.journal.outbox.pendingCount() === 0, 8000, 'the outbox drained');
    return { msg, id, approve, reject };
  }
  const ordersFor = () => w.sim.ordersSnapshot().filter((o) => o.ticker === TICKER);
  const current = (msg: { chat: { id: number }; message_id: number }) => fake.messages.get(`${msg.chat.id}:${msg.message_id}`)!;

  it('Approve places the order on the sim and edits the message; a second tap does nothing', async () => {
    const app = await w.start(env({ APPROVAL_ABOVE_COST: '0.01' }));
    telegram(app);
    const a = await approvalMessage(app);
    expect(a.msg.text).toContain('[SIM]');
    expect(app.journal.approvals.get(a.id)!.state).toBe('pending');
    expect(ordersFor()).toHaveLength(0);

    fake.press(OWNER, a.msg, a.approve);
    await fake.waitFor(() => ordersFor().length === 1, 8000, 'an order on the sim');
    await fake.waitFor(() => /APPROVED/.test(current(a.msg).text) && !current(a.msg).reply_markup, 8000, 'the approval message edited');
    // The tap is answered at once ("Approving…"); the result follows as a message.
    expect(String(fake.callsTo('answerCallbackQuery').at(-1)!.params.text)).toMatch(/Approving/);
    await fake.waitFor(() => fake.sentTo(OWNER).some((m) => new RegExp(`Approval #${a.id} approved`).test(m.text)), 5000, 'the result message');

    const n = fake.callsTo('answerCallbackQuery').length;
    const sent = fake.sentTo(OWNER).length;
    const edits = fake.callsTo('editMessageText', false).length;
    fake.press(OWNER, a.msg, a.approve);
    await fake.waitFor(() => fake.callsTo('answerCallbackQuery').length > n, 5000, 'answer to the second tap');
    // The toast of a tap on a decided request says what happened to it, not "placing the order".
    const toast = String(fake.callsTo('answerCallbackQuery').at(-1)!.params.text);
    expect(toast).toMatch(/^Already approved: ordered at/);
    expect(toast).not.toMatch(/placing/);
    // The message already shows the outcome: nothing new is sent, and an edit (if any) changes nothing.
    await new Promise((r) => setTimeout(r, 200));
    expect(fake.sentTo(OWNER).length).toBe(sent);
    expect(fake.callsTo('editMessageText', false).length - edits).toBeLessThanOrEqual(1);
    expect(current(a.msg).text).toMatch(/APPROVED/);
    expect(ordersFor()).toHaveLength(1);
  }, 30_000);

  it('/status is answered while an approved order waits for its fill (updates run concurrently)', async () => {
    const app = await w.start(env({ APPROVAL_ABOVE_COST: '0.01' }), { executor: { pollMs: 20, fillTimeoutMs: 4000 } });
    telegram(app);
    const a = await approvalMessage(app);
    // The re-check sees the ask as it was a moment ago; by the time the order arrives it was taken, so the order rests.
    const record = await (await fetch(`${w.sim.baseUrl}/markets/${TICKER}`)).json();
    w.sim.updateMarket(TICKER, { yesAskSize: 0 });
    w.sim.inject({ kind: 'reply', status: 200, body: record, count: 10, method: 'GET', pathIncludes: `/markets/${TICKER}` });
    fake.press(OWNER, a.msg, a.approve);
    await fake.waitFor(() => ordersFor().some((o) => o.status === 'resting'), 8000, 'the approved order resting');
    const status = await ask(OWNER, '/status', STATUS);
    expect(status).toContain('[SIM]');
    // Answered while the approval still waits: its order rests and its message is not yet edited.
    expect(ordersFor().map((o) => o.status)).toEqual(['resting']);
    expect(current(a.msg).text).not.toMatch(/APPROVED/);
    await fake.waitFor(() => /APPROVED/.test(current(a.msg).text), 10_000, 'the approval finished');
    expect(ordersFor().map((o) => o.status)).toEqual(['canceled']);
  }, 30_000);

  it('Reject places no order and edits the message', async () => {
    const app = await w.start(env({ APPROVAL_ABOVE_COST: '0.01' }));
    telegram(app);
    const a = await approvalMessage(app);
    fake.press(OWNER, a.msg, a.reject);
    await fake.waitFor(() => /REJECTED/.test(current(a.msg).text) && !current(a.msg).reply_markup, 8000, 'the message edited');
    expect(app.journal.approvals.get(a.id)!.state).toBe('rejected');
    expect(ordersFor()).toHaveLength(0);
  }, 30_000);

  it('an expired approval is refused: no order, message shows the expiry', async () => {
    const app = await w.start(env({ APPROVAL_ABOVE_COST: '0.01', APPROVAL_TTL_MINUTES: '5' }));
    telegram(app);
    const a = await approvalMessage(app);
    w.clock.advance(5 * 60_000 + 1);
    fake.press(OWNER, a.msg, a.approve);
    await fake.waitFor(() => /EXPIRED/.test(current(a.msg).text) && !current(a.msg).reply_markup, 8000, 'the expiry shown');
    expect(current(a.msg).text).toMatch(/expired/i);
    expect(app.journal.approvals.get(a.id)!.state).toBe('expired');
    expect(ordersFor()).toHaveLength(0);
  }, 30_000);

  it('/approve <id> typed works too and the approval message is edited', async () => {
    const app = await w.start(env({ APPROVAL_ABOVE_COST: '0.01' }));
    telegram(app);
    const a = await approvalMessage(app);
    await ask(OWNER, '/approve x', /Usage: \/approve <id>/);
    await ask(OWNER, `/reject ${a.id}`, /rejected/);
    expect(app.journal.approvals.get(a.id)!.state).toBe('rejected');
    await fake.waitFor(() => /REJECTED/.test(current(a.msg).text), 8000, 'the message edited');
    expect(ordersFor()).toHaveLength(0);
  }, 30_000);
});

describe('alert delivery from the outbox', () => {
  const infoTexts = (chat: number) => fake.sentTo(chat).map((m) => m.text).filter((t) => t.includes('alert #'));

  it('alerts queued during a Bot API outage (429 then 500s) go out in order once it recovers', async () => {
    const app = await w.start(env());
    // One 429, then 500s: played by the fake in that order, so no retry can slip through between them.
    fake.fail({ status: 429, retryAfter: 1, remaining: 1, methods: ['sendMessage'], then: { status: 500 } });
    const t = telegram(app);
    for (let i = 1; i <= 5; i++) app.alerter.send({ kind: 'info', mode: 'SIM', message: `alert #${i}` });
    await fake.waitFor(() => fake.calls.some((c) => c.method === 'sendMessage' && c.failed), 3000, 'a 429');
    await fake.waitFor(() => fake.calls.filter((c) => c.method === 'sendMessage' && c.failed).length >= 3, 5000, 'failed sends');
    expect(infoTexts(OWNER)).toHaveLength(0);
    fake.recover();
    // The fake holds the fifth message before the bot has read the answer and marked the row delivered: wait for both.
    await fake.waitFor(() => infoTexts(OWNER).length === 5 && app.journal.outbox.pendingCount() === 0, 8000, 'all delivered');
    expect(infoTexts(OWNER)).toEqual([1, 2, 3, 4, 5].map((i) => `[SIM] alert #${i}`));
    // The 429's retry_after (1 s) was honoured.
    const sends = fake.callsTo('sendMessage', false);
    expect(sends[1]!.at - sends[0]!.at).toBeGreaterThanOrEqual(950);
    expect(t.delivery.delivered).toBe(5);
  }, 20_000);

  it('undelivered alerts survive a restart: delivered in order, none twice; late ones are marked', async () => {
    fake.fail({ status: 500 });
    const app1 = await w.start(env());
    const t1 = telegram(app1);
    for (let i = 1; i <= 4; i++) app1.alerter.send({ kind: 'info', mode: 'SIM', message: `alert #${i}` });
    await fake.waitFor(() => fake.calls.filter((c) => c.method === 'sendMessage' && c.failed).length >= 2, 5000, 'failed sends');
    await t1.stop();
    await app1.stop();
    expect(infoTexts(OWNER)).toHaveLength(0);

    fake.recover();
    w.clock.advance(3 * 60_000); // the bot was down 3 minutes
    const app2 = await w.start(env());
    expect(app2.journal.outbox.pendingCount()).toBe(4);
    telegram(app2);
    app2.alerter.send({ kind: 'info', mode: 'SIM', message: 'alert #5' });
    await fake.waitFor(() => infoTexts(OWNER).length === 5 && app2.journal.outbox.pendingCount() === 0, 8000, 'all delivered');
    await new Promise((r) => setTimeout(r, 200)); // and nothing more arrives (none twice)
    const texts = infoTexts(OWNER);
    expect(texts).toHaveLength(5);
    expect(texts.slice(0, 4)).toEqual([1, 2, 3, 4].map((i) => `[SIM] alert #${i} (⏱ delayed 3 min)`));
    expect(texts[4]).toBe('[SIM] alert #5');
    expect(app2.journal.outbox.pendingCount()).toBe(0);
  }, 20_000);

  it('alerts go to TELEGRAM_CHAT_ID when set, with the mode on every message', async () => {
    const app = await w.start(env({ TELEGRAM_CHAT_ID: '-4242' }));
    telegram(app);
    app.alerter.send({ kind: 'halt', mode: 'SIM', day: '2026-11-25', atRiskE4: 500_000, capE4: 500_000, reason: 'daily cap reached' });
    const m = await fake.waitFor(() => fake.sentTo(-4242)[0], 5000, 'the halt alert');
    expect(m.text).toMatch(/^\[SIM\] 🛑 Trading HALTED/);
    expect(fake.sentTo(OWNER)).toHaveLength(0);
  }, 20_000);
});

describe('confirmations, pacing, summary', () => {
  it('/stopall asks first; the tap pauses; a stale mutating command is refused', async () => {
    const app = await w.start(env());
    telegram(app);
    const msg = await askMsg(OWNER, '/stopall', /Cancel EVERY resting order/);
    expect(app.journal.settings.get().paused).toBe(false);
    fake.press(OWNER, msg, buttonData(msg, /Yes: cancel all and pause/));
    await fake.waitFor(() => fake.messages.get(`${OWNER}:${msg.message_id}`)?.text.includes('Stopped: paused'), 5000, 'stopped');
    expect(app.journal.settings.get().paused).toBe(true);

    await askMsg(OWNER, '/resume', /Ignored \/resume: it was sent 60 min ago/, { dateMs: Date.now() - 60 * 60_000 });
    expect(app.journal.settings.get().paused).toBe(true);
  }, 20_000);

  it('paces messages to one chat', async () => {
    const app = await w.start(env());
    const t = startTelegram(app, { pollingTimeoutSeconds: 1, pacing: { privateMs: 150 }, delivery: { pollMs: 50 }, flushMs: 500 });
    transports.push(t);
    for (let i = 1; i <= 4; i++) app.alerter.send({ kind: 'info', mode: 'SIM', message: `paced #${i}` });
    await fake.waitFor(() => fake.sentTo(OWNER).length === 4, 5000, 'four messages');
    const at = fake.callsTo('sendMessage').map((c) => c.at);
    // Spaced by the pacing (150 ms) as the fake server receives them; loopback arrival jitters by some ms under load,
    // and without pacing the four would arrive within a few ms of each other.
    for (let i = 1; i < at.length; i++) expect(at[i]! - at[i - 1]!).toBeGreaterThanOrEqual(110);
  }, 20_000);

  it('the daily summary is delivered with the day\'s figures', async () => {
    // Only the designed market exists here (no generated ones), so every figure is known in advance:
    // $5 a trade at an 80¢ ask buys 6 contracts for $4.80; Kalshi's fee ceil(0.07 × 6 × 0.80 × 0.20) = $0.07.
    await w.close();
    w = await world({ markets: 0 });
    const app = await w.start(env({ MAX_COST_PER_TRADE: '5', DAILY_LOSS_CAP: '50' }));
    telegram(app);
    addInBandMarket();
    await app.runCycle();
    await ask(OWNER, '/pause', /Paused/);
    queueDailySummary({ journal: app.journal, alerter: app.alerter, clock: w.clock, log: app.log, mode: app.mode, timeZone: 'America/New_York', at: '21:00' });
    const m = await fake.waitFor(() => fake.sentTo(OWNER).find((x) => x.text.includes('Daily summary')), 8000, 'the daily summary');
    expect(m.text).toBe(
      [
        '[SIM] Daily summary 2026-11-25 (heartbeat: the bot is alive)',
        '1 cycles, 1 orders, 6 contracts filled',
        'Spent $4.80, fees $0.08', // $0.0672 trade fees + a cent of rounding fee
        'At risk $4.88 of $50.00 cap',
        'State: PAUSED',
      ].join('\n'),
    );
    // The same fill in the cycle's digest, for comparison.
    expect(fake.sentTo(OWNER).map((x) => x.text)).toContainEqual(expect.stringMatching(/Cycle #\d+: 1 orders filled, spent \$4\.80, fees \$0\.08\n• .*YES 6\/6 @ 80¢ \$4\.80/));
  }, 20_000);
});

describe('review fixes', () => {
  /**
   * Handle `text` then a /status probe, and return what the bot said to `text` (the probe's reply left out).
   * Updates are handled one after another, so once the probe's status reply is in, every reply to `text`
   * was sent before it: those are the messages between the send and the status reply.
   */
  async function sendThenProbe(text: string, opts: { dateMs?: number } = {}): Promise<string[]> {
    const before = fake.sentTo(OWNER).length;
    fake.sendText(OWNER, text, opts);
    const probe = await askMsg(OWNER, '/status', STATUS);
    return fake
      .sentTo(OWNER)
      .slice(before)
      .filter((m) => m.message_id < probe.message_id)
      .map((m) => m.text);
  }

  it('other spellings go through the stale check; commands for another bot are ignored', async () => {
    const app = await w.start(env());
    telegram(app);
    const hourAgo = Date.now() - 60 * 60_000;
    // A stale /Pause (the command group matches any case) is refused.
    const stale = await sendThenProbe('/Pause', { dateMs: hourAgo });
    expect(stale).toHaveLength(1);
    expect(stale[0]).toMatch(/Ignored \/pause: it was sent 60 min ago/);
    expect(app.journal.settings.get().paused).toBe(false);
    // Also when addressed to this bot in another case, and with the entity-less path.
    const staleAddressed = await sendThenProbe('/PAUSE@BAND_TEST_BOT', { dateMs: hourAgo });
    expect(staleAddressed).toHaveLength(1);
    expect(staleAddressed[0]).toMatch(/Ignored \/pause: it was sent 60 min ago/);
    expect(app.journal.settings.get().paused).toBe(false);
    // A fresh /PAUSE works.
    const fresh = await sendThenProbe('/PAUSE');
    expect(fresh).toHaveLength(1);
    expect(fresh[0]).toMatch(/Paused/);
    expect(app.journal.settings.get().paused).toBe(true);
    // Addressed to another bot: no effect, no reply.
    expect(await sendThenProbe('/resume@some_other_bot')).toEqual([]);
    expect(await sendThenProbe('/Resume@Some_Other_Bot')).toEqual([]);
    expect(app.journal.settings.get().paused).toBe(true);
    // Addressed to this bot (any case): runs.
    const addressed = await sendThenProbe('/resume@Band_Test_Bot');
    expect(addressed).toHaveLength(1);
    expect(addressed[0]).toMatch(/Resumed/);
    expect(app.journal.settings.get().paused).toBe(false);
    const unknown = await sendThenProbe('/nosuch');
    expect(unknown).toHaveLength(1);
    expect(unknown[0]).toMatch(/Unknown command \/nosuch/);
  }, 30_000);

  it('a typed "confirm" does not skip the confirming tap in Telegram', async () => {
    const app = await w.start(env());
    telegram(app);
    const stop = await askMsg(OWNER, '/stopall confirm', /Cancel EVERY resting order/);
    expect(buttonData(stop, /Yes: cancel all and pause/)).toBeTruthy();
    expect(app.journal.settings.get().paused).toBe(false);
    await askMsg(OWNER, '/setcap 5000 confirm', /more than twice/);
    const msg = await askMsg(OWNER, '/setcap 5000 yes', /more than twice/);
    expect(app.journal.settings.get().dailyCapE4).toBe(500_000);
    expect(buttonData(msg, /^Yes, set \$5,?000\.00$/)).toBeTruthy();
  }, 20_000);

  it('a button tap is answered before the work; a refused answer does not stop it or claim nothing changed', async () => {
    const app = await w.start(env());
    telegram(app);
    const msg = await askMsg(OWNER, '/stopall', /Cancel EVERY/);
    const data = buttonData(msg, /Yes: cancel all and pause/);
    fake.fail({ status: 500, methods: ['answerCallbackQuery'] }); // e.g. "query is too old"
    const sent = fake.sentTo(OWNER).length;
    fake.press(OWNER, msg, data);
    await fake.waitFor(() => fake.messages.get(`${OWNER}:${msg.message_id}`)?.text.includes('Stopped: paused'), 5000, 'stopped');
    fake.recover();
    expect(app.journal.settings.get().paused).toBe(true);
    const answer = fake.callsTo('answerCallbackQuery', false).at(-1)!;
    const edit = fake.callsTo('editMessageText').at(-1)!;
    expect(answer.at).toBeLessThanOrEqual(edit.at);
    expect(String(answer.params.text)).toMatch(/Stopping/);
    await new Promise((r) => setTimeout(r, 100));
    expect(fake.sentTo(OWNER).slice(sent).map((m) => m.text).join('\n')).not.toMatch(/Nothing was changed|went wrong/);
  }, 20_000);

  it('/set exclude is bounded and every reply fits in a Telegram message', async () => {
    const app = await w.start(env());
    telegram(app);
    const many = Array.from({ length: 31 }, (_, i) => `Cat${i}`).join(',');
    await ask(OWNER, `/set exclude ${many}`, /Bad value for exclude\. Accepted: \/set exclude <comma list of up to 30/);
    await ask(OWNER, '/set exclude Sports, <b>x</b>', /Bad value for exclude/);
    await ask(OWNER, `/set exclude ${'x'.repeat(41)}`, /Bad value for exclude/);
    expect(app.journal.settings.get().excludedCategories).toEqual([]);
    await ask(OWNER, "/set exclude Sports, Science & Tech, Mentions-Dr. O'Neil", /Changed exclude/);
    expect(app.journal.settings.get().excludedCategories).toEqual(['Sports', 'Science & Tech', "Mentions-Dr. O'Neil"]);
    // An unknown setting name of 4000 characters is echoed back by its first 40 only: one message, within Telegram's limit.
    const long = await ask(OWNER, `/set ${'y'.repeat(4000)} 1`, /^Unknown setting/);
    expect(long.length).toBeLessThanOrEqual(4096);
    expect(long).toMatch(new RegExp(`^\\[SIM\\] Unknown setting "${'y'.repeat(40)}"\\. Usage`));
  }, 20_000);

  it('a cap confirmation button expires after 5 minutes', async () => {
    const app = await w.start(env());
    telegram(app);
    const msg = await askMsg(OWNER, '/setcap 200', /more than twice/);
    const data = buttonData(msg, /^Yes, set \$200\.00$/);
    w.clock.advance(5 * 60_000 + 1);
    fake.press(OWNER, msg, data);
    await fake.waitFor(() => fake.messages.get(`${OWNER}:${msg.message_id}`)?.text.includes('expired'), 5000, 'expired');
    expect(app.journal.settings.get().dailyCapE4).toBe(500_000);
    // The old two-part form (no issue time) is not honoured either. This callback data is forged on
    // purpose (no button sends it any more), so it is written out here rather than taken from a button.
    const sent = fake.sentTo(OWNER).length;
    fake.press(OWNER, msg, 'cap:2000000:500000');
    await fake.waitFor(() => fake.sentTo(OWNER).slice(sent).find((m) => /no longer valid/.test(m.text)), 5000, 'old form refused');
    expect(app.journal.settings.get().dailyCapE4).toBe(500_000);
  }, 20_000);

  it('a user who blocked the bot does not hold up alerts for the others', async () => {
    const OTHER = 1002;
    const { log, lines } = await captureLog();
    const app = await w.start(env({ TELEGRAM_ALLOWED_USER_IDS: `${OWNER},${OTHER}` }), { log });
    fake.blocked.add(OTHER);
    const t = startTelegram(app, {
      pollingTimeoutSeconds: 1,
      pacing: { privateMs: 0, groupMs: 0 },
      // A large backoff: any retry of a row would make this test time out.
      delivery: { baseBackoffMs: 5_000, maxBackoffMs: 60_000, pollMs: 50 },
      flushMs: 500,
    });
    transports.push(t);
    for (let i = 1; i <= 4; i++) app.alerter.send({ kind: 'info', mode: 'SIM', message: `alert #${i}` });
    await fake.waitFor(() => fake.sentTo(OWNER).filter((m) => m.text.includes('alert #')).length === 4, 3000, 'all four to the owner');
    await fake.waitFor(() => app.journal.outbox.pendingCount() === 0, 3000, 'outbox drained');
    expect(t.delivery.delivered).toBe(4);
    // One attempt per row for the blocked chat, no retries; one log line for it.
    expect(fake.callsTo('sendMessage', false).filter((c) => c.failed && Number(c.params.chat_id) === OTHER)).toHaveLength(4);
    expect(lines.filter((l) => l.includes(`chat ${OTHER} refuses`))).toHaveLength(1);
    expect(lines.filter((l) => /not delivered|abandoned/.test(l))).toHaveLength(0);
  }, 20_000);

  it('with several recipients, every copy of an approval message is edited', async () => {
    const OTHER = 1002;
    const app = await w.start(env({ TELEGRAM_ALLOWED_USER_IDS: `${OWNER},${OTHER}`, APPROVAL_ABOVE_COST: '0.01' }));
    telegram(app);
    addInBandMarket();
    await app.runCycle();
    const find = (chat: number) => fake.sentTo(chat).find((m) => m.text.includes(TICKER) && m.text.includes('Approval') && m.reply_markup);
    const mine = await fake.waitFor(() => find(OWNER), 8000, 'owner copy');
    const theirs = await fake.waitFor(() => find(OTHER), 8000, 'other copy');
    await fake.waitFor(() => app.journal.outbox.pendingCount() === 0, 8000, 'outbox drained');
    const id = Number(/#(\d+)/.exec(mine.text)![1]);
    expect(Number(/#(\d+)/.exec(theirs.text)![1])).toBe(id);
    fake.press(OTHER, theirs, buttonData(theirs, /Reject/));
    const cur = (m: { chat: { id: number }; message_id: number }) => fake.messages.get(`${m.chat.id}:${m.message_id}`)!;
    await fake.waitFor(() => /REJECTED/.test(cur(mine).text) && !cur(mine).reply_markup, 8000, 'owner copy edited');
    await fake.waitFor(() => /REJECTED/.test(cur(theirs).text) && !cur(theirs).reply_markup, 8000, 'other copy edited');
    expect(app.journal.approvals.get(id)!.state).toBe('rejected');
  }, 30_000);

  it('stop() leaves no timer running', async () => {
    const app = await w.start(env());
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const base = timers();
    const t = telegram(app);
    await ask(OWNER, '/status', STATUS);
    // The probe must see the transport's timers while it runs (its delivery poll at least), or the
    // check after stop() proves nothing.
    await fake.waitFor(() => timers() > base, 3000, 'the running transport to hold a timer');
    await t.stop();
    // Give the fake server's long-poll timer (cleared when the aborted getUpdates connection closes) a moment.
    await fake.waitFor(() => timers() <= base, 2000, `the timers to go back to ${base}`).catch(() => undefined);
    expect(timers()).toBeLessThanOrEqual(base);
  }, 20_000);
});
