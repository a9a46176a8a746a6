// /calibration end to end in Telegram: the real grammY bot against the fake Bot API server, over the real app on the
// simulated exchange. It answers with a PNG chart (sendPhoto) whose caption is the headline, and the tables after it:
// per price bucket, by category, by time to settlement, and the bot's own fills by role. The chart itself is checked
// for what it draws (both sides' points, the break-even line, text).
import { FAST_TELEGRAM, telegramWorld } from '../support/telegram-world.js';
import { describe, expect, it } from 'vitest';
import { startTelegram } from '../../src/bot/telegram.js';
import { CALIBRATION_CHART_HEIGHT, CALIBRATION_CHART_WIDTH, renderCalibrationChart } from '../../src/chat/charts/calibration-chart.js';
import type { NewObservation } from '../../src/journal/calibration.js';
import { DAY, T0, } from '../support/app.js';
import { pnlHistory } from '../support/pnl-scenario.js';
import { pngSize } from '../support/fake-telegram.js';

const OWNER = 1001;
const tg = telegramWorld({ transferDelayMs: 0 });

/** Settled history at one price: `n` markets (one event each), `wins` of them won. */
const history = (side: 'yes' | 'no', priceE4: number, n: number, wins: number, category: string): NewObservation[] =>
  Array.from({ length: n }, (_, i) => ({
    source: 'history' as const,
    ticker: `H${side}${priceE4}-${i}`,
    sampleKey: 24,
    side,
    eventTicker: `HE${side}${priceE4}-${i}`,
    category,
    priceE4,
    observedMs: T0 - 10 * DAY,
    settlesMs: T0 - 9 * DAY,
    feeType: 'quadratic',
    feeMultiplierE4: 10_000,
    result: (i < wins) === (side === 'yes') ? ('yes' as const) : ('no' as const),
  }));

describe('/calibration in Telegram', () => {
  it('answers with the chart and the tables: buckets, splits, and the bot own fills by role', async () => {
    const app = await pnlHistory(tg.w, { TELEGRAM_BOT_TOKEN: tg.fake.token, TELEGRAM_ALLOWED_USER_IDS: String(OWNER), TELEGRAM_API_ROOT: tg.fake.apiRoot });
    app.journal.calibration.addObservations(
      [...history('yes', 7200, 600, 500, 'Sports'), ...history('no', 8000, 600, 450, 'Economics'), ...history('yes', 8600, 40, 34, 'Sports')],
      T0,
    );
    tg.transport = startTelegram(app, FAST_TELEGRAM);
    const before = tg.fake.sentTo(OWNER).length;
    tg.fake.sendText(OWNER, '/calibration');
    const [photo, tables] = await tg.fake.waitFor(
      () => {
        const got = tg.fake.sentTo(OWNER).slice(before);
        const i = got.findIndex((m) => m.photo !== undefined);
        return i >= 0 && got[i + 1] ? [got[i]!, got[i + 1]!] : undefined;
      },
      8000,
      'the chart and the tables',
    );
    const png = tg.fake.photoBytes(photo);
    expect(pngSize(png)).toEqual({ width: CALIBRATION_CHART_WIDTH, height: CALIBRATION_CHART_HEIGHT });
    // The caption: how many observations, and per side where the band pays after fees and where it loses.
    expect(photo.caption).toMatch(/^\[SIM\] Calibration: 1240 observations \(history 1240, shadow book 0 settled, 0 waiting\)\nYES: pays after fees at 70-73¢; loses at no price yet\nNO: pays after fees at no price yet; loses at 79-82¢$/);
    // The tables in monospace: 83% won at 72c pays; 75% at 80c loses; 40 markets at 86c is not significant yet.
    expect(tables.text).toMatch(/YES 70-73¢ +600\/600 +72\.0% +83\.3% +80\.\d%-86\.\d% +73\.4% +\+9\.9pp pays/);
    expect(tables.text).toMatch(/NO 79-82¢ +600\/600 +80\.0% +75\.0% +7\d\.\d%-7\d\.\d% +81\.1% +-6\.1pp loses/);
    expect(tables.text).toMatch(/YES 85-87¢ +40\/40 +86\.0% +85\.0% .* not yet/);
    expect(tables.text).toMatch(/By category \(in band\):\n[\s\S]*Sports +640\/640[\s\S]*Economics +600\/600/);
    expect(tables.text).toMatch(/By time to settlement \(at the observation\):\n[\s\S]*1-3d +1240\/1240/);
    // pnlHistory's two settled taker fills: 6 YES at 78c each, one won, one lost.
    expect(tables.text).toMatch(/The bot's own fills \(settled markets\):\ntaker: 2 fills, 12 contracts, paid 78\.0¢ \+ fee 1\.20¢, won 50\.0%, realized edge -29\.2pp/);
    expect(tables.entities?.map((e) => e.type)).toEqual(expect.arrayContaining(['bold', 'pre']));
  });

  it('with nothing calibrated yet says how to start, without a chart', async () => {
    const app = await tg.w.start({ TELEGRAM_BOT_TOKEN: tg.fake.token, TELEGRAM_ALLOWED_USER_IDS: String(OWNER), TELEGRAM_API_ROOT: tg.fake.apiRoot });
    tg.transport = startTelegram(app, FAST_TELEGRAM);
    const before = tg.fake.sentTo(OWNER).length;
    tg.fake.sendText(OWNER, '/calibration');
    const msg = await tg.fake.waitFor(() => tg.fake.sentTo(OWNER).slice(before).find((m) => m.text.includes('No calibration yet')), 8000, 'the answer');
    expect(msg.photo).toBeUndefined();
    expect(msg.text).toMatch(/npm run calibrate -- --days 30/);
  });
});

describe('the calibration chart', () => {
  it('draws both sides, their intervals, the diagonal and the dashed break-even line, with text', async () => {
    const points = [
      { side: 'yes' as const, implied: 0.715, realized: 0.8, ciLow: 0.76, ciHigh: 0.84, n: 500 },
      { side: 'no' as const, implied: 0.805, realized: 0.78, ciLow: 0.74, ciHigh: 0.82, n: 500 },
    ];
    const chart = await renderCalibrationChart({ title: '[SIM] Calibration', points, lo: 0.7, hi: 0.87 });
    const bare = await renderCalibrationChart({ title: '[SIM] Calibration', points, lo: 0.7, hi: 0.87 }, { fontFiles: [] });
    const count = (pixels: Buffer, rgb: [number, number, number]) => {
      let n = 0;
      for (let i = 0; i < pixels.length; i += 4) if (pixels[i] === rgb[0] && pixels[i + 1] === rgb[1] && pixels[i + 2] === rgb[2]) n++;
      return n;
    };
    expect([chart.width, chart.height]).toEqual([800, 560]);
    expect(count(chart.pixels, [0x15, 0x65, 0xc0])).toBeGreaterThan(100); // YES blue
    expect(count(chart.pixels, [0xef, 0x6c, 0x00])).toBeGreaterThan(100); // NO orange
    expect(count(chart.pixels, [0xc6, 0x28, 0x28])).toBeGreaterThan(100); // the break-even line
    const dark = (p: Buffer) => {
      let n = 0;
      for (let i = 0; i < p.length; i += 4) if (p[i]! < 120 && p[i + 1]! < 120 && p[i + 2]! < 120) n++;
      return n;
    };
    expect(dark(chart.pixels)).toBeGreaterThan(dark(bare.pixels) + 2000); // the text is drawn
    expect(chart.svg).toContain('[SIM] Calibration');
  });
});
