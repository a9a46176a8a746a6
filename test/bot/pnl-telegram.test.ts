// The P&L commands end to end in Telegram: the real grammY bot (long polling) against the fake Bot API server, over
// the real app on the simulated exchange. /pnl answers with a PNG photo (sendPhoto, multipart, as grammY uploads
// it) whose caption is the table; a text too long for a caption follows in a message of its own.
import { FAST_TELEGRAM, telegramWorld } from '../support/telegram-world.js';
import { describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { startTelegram } from '../../src/bot/telegram.js';
import { CHART_HEIGHT, CHART_WIDTH } from '../../src/chat/charts/pnl-chart.js';
import { addDays } from '../../src/control/pnl.js';
import { HOSTILE, OPEN, pnlHistory } from '../support/pnl-scenario.js';
import { type StoredMessage, pngSize } from '../support/fake-telegram.js';

const OWNER = 1001;
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const tg = telegramWorld({ transferDelayMs: 0 });

async function botOver(): Promise<App> {
  const app = await pnlHistory(tg.w, { TELEGRAM_BOT_TOKEN: tg.fake.token, TELEGRAM_ALLOWED_USER_IDS: String(OWNER), TELEGRAM_API_ROOT: tg.fake.apiRoot });
  tg.transport = startTelegram(app, FAST_TELEGRAM);
  return app;
}

/** Send a command and wait for the first message after it that matches. */
async function ask(text: string, match: (m: StoredMessage) => boolean): Promise<StoredMessage> {
  const before = tg.fake.sentTo(OWNER).length;
  tg.fake.sendText(OWNER, text);
  return tg.fake.waitFor(() => tg.fake.sentTo(OWNER).slice(before).find(match), 8000, `a reply to ${text}`);
}

describe('/pnl in Telegram', () => {
  it('answers with a PNG chart of the size asked for, text drawn, the table as its HTML caption', async () => {
    await botOver();
    const msg = await ask('/pnl', (m) => m.photo !== undefined);
    // What grammY uploaded: multipart/form-data with the file in its own part, the caption in HTML.
    const call = tg.fake.callsTo('sendPhoto').at(-1)!;
    expect(call.params.parse_mode).toBe('HTML');
    expect(typeof call.params.photo === 'string' && call.params.photo.startsWith('attach://')).toBe(true);
    const png = tg.fake.photoBytes(msg);
    expect(png.subarray(0, 8).equals(PNG)).toBe(true);
    expect(pngSize(png)).toEqual({ width: CHART_WIDTH, height: CHART_HEIGHT });
    expect(msg.photo).toEqual([expect.objectContaining({ width: 800, height: 450, file_size: png.length })]);
    expect(png.length).toBeGreaterThan(10_000); // a drawn chart, not an empty canvas
    // The caption as Telegram parsed it: the mode first, the headline number bold, the table monospace.
    expect(msg.caption).toMatch(/^\[SIM\] Realized P&L, last 7 days \(2026-11-19 to 2026-11-25, ET\): −\$3\.5\d\n/);
    expect(msg.caption).toMatch(/\n2026-11-25 +−\$3\.5\d +−\$3\.5\d$/);
    expect(msg.caption_entities?.map((e) => e.type)).toEqual(expect.arrayContaining(['bold', 'code']));
    expect(msg.text).toBe('');
  });

  it('a caption over 1024 characters: the headline on the photo, the table in a message after it', async () => {
    const app = await botOver();
    // 60 more settled markets, one a day: the table no longer fits in a caption.
    const j = app.journal;
    for (let i = 1; i <= 60; i++) {
      const day = addDays('2026-11-25', -i);
      const ticker = `KXOLD${i}-26NOV01-A`;
      const id = j.orders.insertIntent({ clientOrderId: `old-${i}`, cycleId: null, approvalId: null, mode: 'SIM', day, ticker, title: '', side: 'yes', countE2: 100, priceE4: 7800, worstCaseE4: 8000, exchangeIndex: 0, now: app.clock.now() });
      j.orders.update(id, { state: 'executed', filledE2: 100, fillCostE4: 7800, feesE4: 100 }, app.clock.now());
      j.settlements.insert({ ticker, settledMs: Date.parse(`${day}T20:00:00Z`), day, revenueE4: i % 2 ? 10_000 : 0, costE4: 0, lossE4: 0, exchangeIndex: 0 });
    }
    const before = tg.fake.sentTo(OWNER).length;
    tg.fake.sendText(OWNER, '/pnl 90');
    // The history's own order alerts may arrive meanwhile: the photo, and the message right after it.
    const [photo, table] = await tg.fake.waitFor(() => {
      const got = tg.fake.sentTo(OWNER).slice(before);
      const i = got.findIndex((m) => m.photo !== undefined);
      return i >= 0 && got[i + 1] ? [got[i]!, got[i + 1]!] : undefined;
    });
    expect(photo.caption).toMatch(/^\[SIM\] Realized P&L, last 90 days \(2026-08-28 to 2026-11-25, ET\): /);
    expect(photo.caption!.length).toBeLessThanOrEqual(1024);
    expect(table.photo).toBeUndefined();
    expect(table.text).toMatch(/^Day +P&L +Cumul\.\n2026-11-25 /);
    expect(table.text.split('\n')).toHaveLength(1 + 61);
  });

  it('/positions and /profit in HTML parse mode: a hostile market title arrives as its literal text', async () => {
    await botOver();
    const msg = await ask('/positions', (m) => m.text.startsWith('[SIM] Open positions'));
    // The fake parses HTML as Telegram does (an unescaped "<b>" from a title would be bold, or refused).
    expect(msg.text).toContain(`${HOSTILE} · ${OPEN}\n  YES 6 @ avg 78¢ · now 76¢ · P&L −$0.19`);
    const at = msg.text.indexOf(HOSTILE);
    expect(msg.entities?.some((e) => e.offset <= at && e.offset + e.length > at)).toBe(false);
    const profit = await ask('/profit', (m) => m.text.startsWith('[SIM] Profit'));
    expect(profit.text).toContain('win rate 50%');
    const balance = await ask('/balance', (m) => m.text.startsWith('[SIM] Balance'));
    expect(balance.text).toMatch(/\n {2}0 default: \$\d+\.\d\d\n {2}3 sports: \$\d+\.\d\d\n/);
  });
});
