// The /pnl chart: vega-lite -> vega (headless) -> SVG -> resvg -> PNG, with the font shipped in dejavu-fonts-ttf.
// resvg draws no text without a font file: rendering once with the font and once without shows the text is drawn.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CHART_FONT_FILES, type PnlChartDay, renderPnlChartImage } from '../../src/chat/charts/pnl-chart.js';
import { addDays } from '../../src/control/pnl.js';

function week(capE4 = 500_000): PnlChartDay[] {
  let cum = 0;
  return [0, 12_479, 0, -47_521, 20_000, 0, 3_300].map((realizedE4, i) => {
    cum += realizedE4;
    return { day: addDays('2026-11-19', i), realizedE4, cumulativeE4: cum, capE4 };
  });
}

/** Pixels that are not white in a band of rows (RGBA rows of `width`). */
function inked(pixels: Buffer, width: number, rows: [number, number], cols: [number, number] = [0, width]): number {
  let n = 0;
  for (let y = rows[0]; y < rows[1]; y++) {
    for (let x = cols[0]; x < cols[1]; x++) {
      const i = (y * width + x) * 4;
      if (pixels[i]! < 200 || pixels[i + 1]! < 200 || pixels[i + 2]! < 200) n++;
    }
  }
  return n;
}

describe('the P&L chart', () => {
  it('ships its font: the files resolve inside node_modules, no system font is asked for', () => {
    expect(CHART_FONT_FILES.length).toBeGreaterThan(0);
    for (const f of CHART_FONT_FILES) {
      expect(f).toMatch(/node_modules\/dejavu-fonts-ttf\/ttf\/DejaVuSans(-Bold)?\.ttf$/);
      expect(existsSync(f)).toBe(true);
    }
  });

  it('renders a PNG of exactly the size asked for, with its text drawn (title, axes, labels), quickly', async () => {
    const input = { title: '[SIM] Realized P&L, last 7 days', days: week(), xTitle: 'trading day (ET)' };
    const t0 = performance.now();
    const withFont = await renderPnlChartImage(input);
    const ms = performance.now() - t0;
    const t1 = performance.now();
    await renderPnlChartImage(input);
    const warmMs = performance.now() - t1;
    console.info(`P&L chart render: ${ms.toFixed(0)} ms cold, ${warmMs.toFixed(0)} ms warm, ${withFont.png.length} bytes`);
    expect(withFont.png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    expect([withFont.width, withFont.height]).toEqual([800, 450]);
    expect(withFont.png.readUInt32BE(16)).toBe(800); // IHDR
    expect(withFont.png.readUInt32BE(20)).toBe(450);
    expect(warmMs).toBeLessThan(2000);

    const noFont = await renderPnlChartImage(input, { fontFiles: [] });
    // The title band (top 45 rows, left half): ink with the font, none without it.
    const titleInk = inked(withFont.pixels, 800, [0, 45], [0, 400]);
    expect(titleInk).toBeGreaterThan(1500);
    expect(inked(noFont.pixels, 800, [0, 45], [0, 400])).toBeLessThan(titleInk / 20);
    // Everywhere, the text adds ink (axis labels, bar values), while bars and lines are the same.
    expect(inked(withFont.pixels, 800, [0, 450])).toBeGreaterThan(inked(noFont.pixels, 800, [0, 450]) + 3000);
    expect(withFont.svg).toContain('Realized P&amp;L, last 7 days');
  });

  it('draws green and red bars, a blue cumulative line and the cap line; 90 days at other sizes too', async () => {
    const { pixels, width } = await renderPnlChartImage({ title: 'x', days: week(60_000) });
    let green = 0;
    let red = 0;
    let blue = 0;
    for (let i = 0; i < pixels.length; i += 4) {
      const [r, g, b] = [pixels[i]!, pixels[i + 1]!, pixels[i + 2]!];
      if (r === 0x2e && g === 0x7d && b === 0x32) green++;
      if (r === 0xc6 && g === 0x28 && b === 0x28) red++;
      if (r === 0x15 && g === 0x65 && b === 0xc0) blue++;
    }
    expect(width).toBe(800);
    expect(green).toBeGreaterThan(1000);
    expect(red).toBeGreaterThan(1000);
    expect(blue).toBeGreaterThan(200);

    let cum = 0;
    const quarter = Array.from({ length: 90 }, (_, i) => {
      const realizedE4 = ((i * 7919) % 60_000) - 30_000;
      cum += realizedE4;
      return { day: addDays('2026-08-28', i), realizedE4, cumulativeE4: cum, capE4: i < 45 ? 500_000 : 200_000 };
    });
    const big = await renderPnlChartImage({ title: '[LIVE] Realized P&L, last 90 days', days: quarter }, { width: 1200, height: 600 });
    expect([big.width, big.height]).toEqual([1200, 600]);
  });
});
