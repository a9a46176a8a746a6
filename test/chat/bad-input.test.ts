// Bad input in chat, end to end: the real grammY bot (long polling) against the fake Bot API server,
// over a real App on the simulated exchange. Every command with missing, extra, negative, huge,
// non-numeric, unicode and injection-looking arguments gets a reply that says what is accepted, and
// nothing changes: the journal's settings, settings_audit, orders and approvals stay as they were,
// and the exchange hears nothing. Strangers, also in a group with the allowed user in it, get nothing.
import { telegramWorld } from '../support/telegram-world.js';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { startTelegram } from '../../src/bot/telegram.js';
import { startConsole } from '../../src/console/console.js';
import { captureLog } from '../support/log.js';
import { inBandMarket, } from '../support/app.js';
import { type StoredMessage, buttonData } from '../support/fake-telegram.js';

const OWNER = 1001;
const STRANGER = 666;
const GROUP = -500;

const tg = telegramWorld({ markets: 0 });

// Demo mode against the local sim with one Ed25519 key for the whole file: sim mode would generate an RSA
// key for every app (up to half a second each), and the command layer is the same in every mode.
const keyDir = mkdtempSync(join(tmpdir(), 'kalshi-badinput-'));
const key = generateKeyPairSync('ed25519');
const keyPath = join(keyDir, 'ed25519.pem');
writeFileSync(keyPath, key.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
afterAll(() => rmSync(keyDir, { recursive: true, force: true }));

/** The environment of an app on this test's sim (its key registered there). */
function demo(extra: Record<string, string> = {}): Record<string, string> {
  const keyId = randomUUID();
  tg.w.sim.registerKey(keyId, key.publicKey.export({ type: 'spki', format: 'pem' }).toString());
  return { KALSHI_ENV: 'demo', KALSHI_BASE_URL: tg.w.sim.baseUrl, KALSHI_KEY_ID: keyId, KALSHI_PRIVATE_KEY_PATH: keyPath, ...extra };
}

async function startBot(extra: Record<string, string> = {}): Promise<App> {
  const app = await tg.w.start(
    demo({
      TELEGRAM_BOT_TOKEN: tg.fake.token,
      TELEGRAM_ALLOWED_USER_IDS: String(OWNER),
      TELEGRAM_API_ROOT: tg.fake.apiRoot,
      ...extra,
    }),
  );
  tg.transport = startTelegram(app, {
    pollingTimeoutSeconds: 1,
    pacing: { privateMs: 0, groupMs: 0 },
    delivery: { baseBackoffMs: 20, maxBackoffMs: 100, pollMs: 20 },
    flushMs: 200,
    initRetryMs: 50,
  });
  return app;
}

/** Everything a command could change: the journal's tables and what the exchange was asked. */
function snapshot(app: App) {
  const all = (sql: string) => app.journal.db.prepare(sql).all();
  return {
    settings: all('SELECT * FROM settings ORDER BY name'),
    audit: all('SELECT * FROM settings_audit ORDER BY id'),
    orders: all('SELECT * FROM orders ORDER BY id'),
    approvals: all('SELECT id, state, outcome FROM approvals ORDER BY id'),
    exchangeRequests: tg.w.sim.stats().requests,
    simOrders: tg.w.sim.ordersSnapshot().length,
  };
}

/**
 * Send messages at once and return the replies, one per message: updates are handled one after another
 * and each reply is sent before the next update is looked at, so the i-th new message answers the i-th.
 */
async function repliesTo(from: number, texts: string[], chatId = from): Promise<string[]> {
  const before = tg.fake.sentTo(chatId).length;
  for (const t of texts) tg.fake.sendText(from, t, { chatId });
  await tg.fake.waitFor(() => tg.fake.sentTo(chatId).length >= before + texts.length, 5000, `${texts.length} replies`);
  // Every reply starts with the mode tag (checked on its own below); the patterns here are about what follows it.
  return tg.fake.sentTo(chatId).slice(before).map((m) => untag(m.text));
}

const MODE_TAG = /^\[(SIM|DEMO|DRY-RUN|LIVE)\] /;
const untag = (text: string) => text.replace(MODE_TAG, '');

const replyTo = async (from: number, text: string, chatId = from): Promise<string> => (await repliesTo(from, [text], chatId))[0]!;

// Arguments that no command accepts.
const NEGATIVE = ['-5', '-0.01', '-1'];
const HUGE = ['99999999999999999999999', '1e309', `1${'0'.repeat(400)}`, '9'.repeat(3000)];
const NON_NUMERIC = ['abc', 'NaN', 'Infinity', '0x10', '1e3', '½', 'null', 'undefined'];
const UNICODE = ['５０', '٥٠', '50€', '🙂', '\u202E05', '5\u200B0', '５', 'ＫＸ-Ａ'];
const INJECTION = [
  "1; DROP TABLE settings;--",
  "' OR 1=1 --",
  '<b>1</b>',
  '${process.exit(1)}',
  '$(rm -rf /)',
  '../../etc/passwd',
  '%s%n%x',
  '50\n/pause',
  '1\n/setcap 1',
  '__proto__',
  'constructor',
  '{"dailyCapE4":1}',
];

interface Case {
  command: string;
  /** What a reply must say (the accepted form). */
  usage: RegExp;
  /** Whether the command takes a required argument (then "missing" is a bad input too). */
  required?: boolean;
  /** Extra arguments: more than the command takes. */
  extra: string[];
  /** Arguments that are bad for this command only. */
  own?: string[];
}

const noArgs = (command: string): Case => ({
  command,
  usage: new RegExp(`^Usage: /${command} \\(no arguments\\)\\. .+ Nothing was changed\\.$`),
  extra: ['now', '1', 'all please'],
});

const CASES: Case[] = [
  noArgs('status'),
  noArgs('pause'),
  noArgs('resume'),
  noArgs('positions'),
  noArgs('orders'),
  noArgs('settings'),
  {
    command: 'stopall',
    usage: /^Usage: \/stopall \(no arguments\), then tap to confirm\. Nothing was changed\.$/,
    extra: ['now', 'confirm please', 'garbage confirm', '1'],
  },
  { command: 'setcap', usage: /^Usage: \/setcap <dollars>, e\.g\. \/setcap 50 .*at most \$100,000\)\.$/, required: true, extra: ['50 50', '50 dollars', '50 confirm now'], own: ['0', '0.00001', '100000.01', '$', '50.', '.5.5'] },
  // Without an id, /approve and /reject act on the only open request or list them (here: none waits); see telegram.test.
  { command: 'approve', usage: /^Usage: \/approve <id> or \/reject <id>/, extra: ['1 2', '#1 #2'], own: ['0', '#', '1.5', '#-1'] },
  { command: 'reject', usage: /^Usage: \/approve <id> or \/reject <id>/, extra: ['1 2'], own: ['0', '1.0'] },
  { command: 'trades', usage: /^Usage: \/trades \[n\], n from 1 to 50 \(default 10\)\.$/, extra: ['5 5', '5 days'], own: ['0', '51', '5.5'] },
  { command: 'pnl', usage: /^Usage: \/pnl \[days\], days from 1 to 90 \(default 7\)\.$/, extra: ['7 7'], own: ['0', '91', '7d'] },
  { command: 'daily', usage: /^Usage: \/daily \[days\], days from 1 to 90 \(default 7\)\.$/, extra: ['7 7', '7 days'], own: ['0', '91', '7d', '007.0'] },
  noArgs('balance'),
  noArgs('profit'),
  noArgs('performance'),
  {
    command: 'why',
    // A well-formed ticker ("abc", "1e309") may exist: it gets the answer for a ticker the last cycle did not see.
    usage: /^Usage: \/why <ticker>, e\.g\. \/why KXHIGHNY-26NOV27-B45\.$|^No cycle has run yet, so there is nothing to explain for [A-Z0-9]+\.$/,
    required: true,
    extra: ['KX-A KX-B', 'KX-A please'],
    own: [`K${'X'.repeat(100)}`, '-KX', '.', 'KX/A', 'KX*'],
  },
];

const SET_USAGE = /^(Usage: \/set <name> <value>\. Accepted:|Unknown setting "[^\n]*"\. Usage: \/set <name> <value>\. Accepted:|Bad value for (band|horizon|minvolume|poslimit|maxcost|exclude)\. Accepted: \/set )/;
const SET_BAD = [
  '',
  'band',
  'horizon',
  'nosuch 1',
  '__proto__ 1',
  'constructor 1',
  'toString x',
  'hasOwnProperty 1',
  'band 0.9-0.5',
  'band 0-1',
  'band 0.70-1.5',
  'band -0.7--0.8',
  'band 0.70-0.87 extra',
  'band ７０-８７',
  'horizon -5',
  'horizon 0',
  'horizon 366',
  'horizon 99999999999999999999',
  'horizon abc',
  'horizon ３',
  'horizon 3 4',
  'horizon 3; DROP TABLE settings',
  'minvolume -1',
  'minvolume 1e9',
  'poslimit 0',
  'poslimit 1000001',
  'maxcost -1',
  'maxcost 0',
  'maxcost 10000.01',
  'maxcost 5€',
  "exclude '; DROP TABLE settings;--",
  'exclude <script>alert(1)</script>',
  'exclude Sports\n/pause',
  `exclude ${'x'.repeat(41)}`,
  'exclude 🙂',
  'exclude ,,,',
];

describe('every command refuses bad arguments with what it accepts, and changes nothing', () => {
  it.each(CASES)('/$command', async (c) => {
    const app = await startBot();
    const before = snapshot(app);
    const args = [
      ...(c.required ? [''] : []),
      ...c.extra,
      ...(c.own ?? []),
      ...NEGATIVE,
      ...HUGE,
      ...NON_NUMERIC,
      ...UNICODE,
      ...INJECTION,
    ];
    const texts = args.map((a) => (a === '' ? `/${c.command}` : `/${c.command} ${a}`));
    // A probe last: one reply per message and nothing more (e.g. no second command smuggled onto a new line).
    const said = await repliesTo(OWNER, [...texts, '/settings']);
    expect(said).toHaveLength(texts.length + 1);
    expect(said.at(-1)).toMatch(/^Settings/);
    const bad = texts.flatMap((t, i) => (c.usage.test(said[i]!) ? [] : [`${JSON.stringify(t.slice(0, 40))} -> ${JSON.stringify(said[i]!.slice(0, 160))}`]));
    expect(bad).toEqual([]);
    expect(snapshot(app)).toEqual(before);
  }, 10_000);

  it('/set', async () => {
    const app = await startBot();
    const before = snapshot(app);
    const args = [...SET_BAD, ...NEGATIVE, ...HUGE, ...NON_NUMERIC, ...UNICODE, ...INJECTION];
    const said = await repliesTo(OWNER, [...args.map((a) => (a === '' ? '/set' : `/set ${a}`)), '/settings']);
    expect(said).toHaveLength(args.length + 1);
    const bad = args.flatMap((a, i) => (SET_USAGE.test(said[i]!) ? [] : [`${JSON.stringify(a.slice(0, 40))} -> ${JSON.stringify(said[i]!.slice(0, 160))}`]));
    expect(bad).toEqual([]);
    for (const t of said) expect(t).not.toMatch(/failed|Cannot read|TypeError|"code"/);
    expect(snapshot(app)).toEqual(before);
  }, 10_000);

  it('/help and /start answer with the help whatever follows them, and change nothing', async () => {
    const app = await startBot();
    const before = snapshot(app);
    const texts = ['/help setcap', '/help -1', '/help 🙂', "/help '; DROP TABLE settings;--", '/start deep-link-payload', '/start 1\n/pause'];
    for (const said of await repliesTo(OWNER, texts)) expect(said).toMatch(/Kalshi band bot[\s\S]*\/setcap <dollars>: Set the daily loss cap/);
    expect(snapshot(app)).toEqual(before);
  }, 10_000);

  it('forged or stale button data from the allowed user is answered and changes nothing', async () => {
    const app = await startBot();
    // A message the bot really sent, to carry the forged taps.
    const before0 = tg.fake.sentTo(OWNER).length;
    tg.fake.sendText(OWNER, '/stopall');
    const carrier = await tg.fake.waitFor(() => tg.fake.sentTo(OWNER)[before0], 5000, 'the /stopall prompt');
    const before = snapshot(app);
    const now = tg.w.clock.now();
    const forged = [
      `cap:-1:500000:${now}`,
      `cap:99999999999999999999:500000:${now}`,
      `cap:2000000000000:500000:${now}`,
      `cap:1000000:1:${now}`,
      'cap:1000000:500000',
      'stop:abc',
      'stop:-1',
      'stop:0',
      'ap:a:-1',
      'ap:a:99999999999999999999',
      'ap:r:0',
      'ap:x:1',
      '__proto__',
      'constructor',
      "'; DROP TABLE settings;--",
      '🙂',
      'x'.repeat(64),
    ];
    for (const data of forged) {
      const answers = tg.fake.callsTo('answerCallbackQuery').length;
      tg.fake.press(OWNER, carrier, data);
      await tg.fake.waitFor(() => tg.fake.callsTo('answerCallbackQuery').length > answers, 5000, `an answer to ${data.slice(0, 30)}`);
    }
    // Every tap is handled in order: once a probe's reply is in, all of them are done.
    expect(await replyTo(OWNER, '/settings')).toMatch(/^Settings/);
    expect(snapshot(app)).toEqual(before);
    expect(tg.fake.sentTo(OWNER).map((m) => m.text).join('\n')).not.toMatch(/Stopped|Daily cap set|TypeError|Cannot read/);
  }, 10_000);
});

describe('the terminal takes the same arguments', () => {
  it('refuses bad arguments, also a trailing "confirm" that is not the only word, and changes nothing', async () => {
    const app = await tg.w.start(demo());
    const input = new PassThrough();
    const output = new PassThrough();
    let printed = '';
    output.on('data', (c: Buffer) => (printed += c.toString('utf8')));
    const t = startConsole(app, { input, output, delivery: { pollMs: 20 } });
    tg.transport = t;
    const before = snapshot(app);
    const lines = ['/pause now', '/resume 1', '/stopall now confirm', '/stopall 1', '/setcap -5 confirm', '/setcap 50 50 confirm', '/set __proto__ 1', '/set horizon -1', '/approve -1', '/why -KX', '/status now'];
    input.write(`${lines.join('\n')}\n`);
    await t.idle();
    await tg.fake.waitFor(() => printed.split('\n').filter((l) => /^(Usage|Unknown setting|Bad value)/.test(untag(l))).length >= lines.length, 3000, 'every usage line');
    expect(printed).not.toMatch(/Paused|Resumed|Stopped|Daily cap set|Changed|failed/);
    expect(printed).toMatch(/Usage: \/stopall \(no arguments\), then type \/stopall confirm\. Nothing was changed\./);
    expect(snapshot(app)).toEqual(before);
  });
});

describe('only allow-listed users change anything, also in a group', () => {
  /** The bot's calls that speak (send, edit, answer a tap), from index `from` of the fake's call log. */
  const spoke = (from: number) => tg.fake.calls.slice(from).filter((c) => c.method !== 'getUpdates' && c.method !== 'getMe' && c.method !== 'setMyCommands');

  it('a stranger in a group with the allowed user: messages and taps are ignored (no reply, no change)', async () => {
    const captured = await captureLog();
    const lines = captured.lines;
    const app = await tg.w.start(
      demo({
        TELEGRAM_BOT_TOKEN: tg.fake.token,
        TELEGRAM_ALLOWED_USER_IDS: String(OWNER),
        TELEGRAM_API_ROOT: tg.fake.apiRoot,
        TELEGRAM_CHAT_ID: String(GROUP),
        APPROVAL_ABOVE_COST: '0.01',
      }),
      { log: captured.log },
    );
    tg.transport = startTelegram(app, { pollingTimeoutSeconds: 1, pacing: { privateMs: 0, groupMs: 0 }, delivery: { pollMs: 20 }, flushMs: 200 });

    // The allowed user, in the group, gets buttons: a cap raise to confirm, /stopall to confirm, and an approval.
    const capAsk = await replyTo(OWNER, '/setcap 500', GROUP);
    expect(capAsk).toMatch(/more than twice/);
    const capMsg = tg.fake.sentTo(GROUP).at(-1)!;
    expect(await replyTo(OWNER, '/stopall', GROUP)).toMatch(/Cancel EVERY resting order/);
    const stopMsg = tg.fake.sentTo(GROUP).at(-1)!;
    tg.w.sim.addMarket(inBandMarket('KXSEC-26NOV27-A'));
    await app.runCycle();
    const approvalMsg: StoredMessage = await tg.fake.waitFor(
      () => tg.fake.sentTo(GROUP).find((m) => m.text.includes('KXSEC-26NOV27-A') && m.reply_markup !== undefined),
      5000,
      'the approval message in the group',
    );
    await tg.fake.waitFor(() => app.journal.outbox.pendingCount() === 0, 5000, 'the outbox drained');
    const id = Number(/#(\d+)/.exec(approvalMsg.text)![1]);
    expect(app.journal.approvals.get(id)!.state).toBe('pending');

    const before = snapshot(app);
    const from = tg.fake.calls.length;
    for (const text of ['/pause', '/setcap 1', '/pause@band_test_bot', '/stopall', '/set horizon 1', `/approve ${id}`, `/reject ${id}`, '/resume', '/status', 'hello bot']) {
      tg.fake.sendText(STRANGER, text, { chatId: GROUP });
    }
    tg.fake.press(STRANGER, capMsg, buttonData(capMsg, /^Yes, set \$500\.00$/));
    tg.fake.press(STRANGER, stopMsg, buttonData(stopMsg, /Yes: cancel all and pause/));
    tg.fake.press(STRANGER, approvalMsg, buttonData(approvalMsg, /Approve/));
    tg.fake.press(STRANGER, approvalMsg, buttonData(approvalMsg, /Reject/));
    tg.fake.press(STRANGER, capMsg, 'x');
    // Also in the stranger's own private chat, and with terminal escape sequences for the operator's log.
    tg.fake.sendText(STRANGER, '/pause');
    tg.fake.sendText(STRANGER + 1, '/pause\u001b[2J\u001b]0;owned\u0007', { chatId: GROUP });

    // The allowed user's probe in the group is handled after all of the stranger's updates.
    expect(await replyTo(OWNER, '/settings', GROUP)).toMatch(/^Settings/);
    const said = spoke(from);
    expect(said.map((c) => c.method)).toEqual(['sendMessage']); // the probe's reply, nothing else
    expect(Number(said[0]!.params.chat_id)).toBe(GROUP);
    expect(snapshot(app)).toEqual(before);
    expect(app.journal.approvals.get(id)!.state).toBe('pending');
    expect(tg.fake.messages.get(`${GROUP}:${approvalMsg.message_id}`)!.reply_markup).toBeDefined(); // untouched
    expect(lines.filter((l) => l.includes(`non-allowed user ${STRANGER}`)).length).toBeGreaterThanOrEqual(1);
    expect(lines.find((l) => l.includes(`non-allowed user ${STRANGER + 1}`))).toBe(`ignored /pause?[2J?]0;owned? from non-allowed user ${STRANGER + 1} in chat ${GROUP}`);
    expect(lines.filter((l) => /[\u0000-\u001f\u007f]/.test(l))).toEqual([]);

    // The buttons were live: the allowed user's tap acts.
    tg.fake.press(OWNER, approvalMsg, buttonData(approvalMsg, /Reject/));
    await tg.fake.waitFor(() => app.journal.approvals.get(id)!.state === 'rejected', 5000, 'the owner rejects');
  }, 10_000);
});
