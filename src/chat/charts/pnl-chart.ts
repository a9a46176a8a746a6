// The /pnl chart as a PNG: a vega-lite spec rendered by ./render.ts (vega headless -> SVG -> resvg, with the DejaVu
// Sans font shipped in the `dejavu-fonts-ttf` package: the chart looks the same on a bare server).
import type { TopLevelSpec } from 'vega-lite';
import { type RenderedChart, chartFrame, renderVegaLite } from './render.js';

export { CHART_FONT_FAMILY, CHART_FONT_FILES, type RenderedChart } from './render.js';

/** Readable on a phone held sideways and sharp enough on a desktop; Telegram keeps 800 px wide photos as they are. */
export const CHART_WIDTH = 800;
export const CHART_HEIGHT = 450;

export interface PnlChartDay {
  day: string;
  realizedE4: number;
  cumulativeE4: number;
  capE4: number;
}

export interface PnlChartInput {
  /** e.g. "[SIM] Realized P&L, last 7 days" */
  title: string;
  /** Oldest first, every day of the window. */
  days: PnlChartDay[];
  /** The x axis title, e.g. "trading day (ET)". */
  xTitle?: string;
}

export interface ChartOptions {
  width?: number;
  height?: number;
  /** Font files for resvg; [] draws no text (the tests compare the two). Default: CHART_FONT_FILES. */
  fontFiles?: readonly string[];
}

const GREEN = '#2e7d32';
const RED = '#c62828';
const BLUE = '#1565c0';
const CAP = '#6a1b9a';

const dollars = (e4: number): number => e4 / 10_000;
const usd = (e4: number): string => `${e4 < 0 ? '−' : ''}$${(Math.abs(e4) / 10_000).toFixed(2)}`;

/** At most ~10 x labels, the newest day always among them. */
function labelDays(days: readonly string[]): string[] {
  const step = Math.max(1, Math.ceil(days.length / 10));
  return days.filter((_, i) => (days.length - 1 - i) % step === 0);
}

/** The vega-lite spec of the chart (exported for tests and for anyone tuning the look). */
export function pnlChartSpec(input: PnlChartInput, opts: Pick<ChartOptions, 'width' | 'height'> = {}): TopLevelSpec {
  const width = opts.width ?? CHART_WIDTH;
  const height = opts.height ?? CHART_HEIGHT;
  const rows = input.days.map((d) => ({
    day: d.day,
    label: d.day.slice(5),
    pnl: dollars(d.realizedE4),
    cum: dollars(d.cumulativeE4),
    cap: -dollars(d.capE4),
    pnlText: d.realizedE4 === 0 ? '' : usd(d.realizedE4),
  }));
  const caps = new Set(input.days.map((d) => d.capE4));
  const capText = caps.size === 1 ? `daily loss cap ${usd(-[...caps][0]!)}` : 'daily loss cap (as it was each day)';
  const x = {
    field: 'label',
    type: 'ordinal' as const,
    sort: null,
    axis: { title: input.xTitle ?? 'trading day', labelAngle: 0, values: labelDays(rows.map((r) => r.label)) },
    scale: { paddingInner: 0.2 },
  };
  // One y scale for every layer, with room below the cap line and above the highest bar (labels fit).
  const values = rows.flatMap((r) => [r.pnl, r.cum, r.cap]);
  const lo = Math.min(0, ...values);
  const hi = Math.max(0, ...values);
  const span = hi - lo || 1;
  const scale = { domain: [lo - span * 0.06, hi + span * 0.1], nice: true };
  const y = (field: string) => ({ field, type: 'quantitative' as const, scale, axis: { title: 'USD', format: '$,.2f' } });
  const one = { values: [{}] };
  const layers: unknown[] = [
    { data: one, mark: { type: 'rule', color: '#9e9e9e' }, encoding: { y: { datum: 0, type: 'quantitative', scale } } },
    { mark: { type: 'bar' }, encoding: { x, y: y('pnl'), color: { condition: { test: 'datum.pnl < 0', value: RED }, value: GREEN } } },
    {
      mark: { type: 'line', color: BLUE, strokeWidth: 3, point: rows.length <= 31 ? { filled: true, size: 60, color: BLUE } : false },
      encoding: { x, y: y('cum') },
    },
    caps.size === 1
      ? { data: one, mark: { type: 'rule', color: CAP, strokeDash: [8, 5], strokeWidth: 2 }, encoding: { y: { datum: rows[0]?.cap ?? 0, type: 'quantitative', scale } } }
      : { mark: { type: 'line', color: CAP, strokeDash: [8, 5], strokeWidth: 2, interpolate: 'step' }, encoding: { x, y: y('cap') } },
  ];
  // Values on the bars while there is room for them.
  if (rows.length <= 14) {
    for (const [test, dy, baseline] of [
      ['datum.pnl > 0', -4, 'bottom'],
      ['datum.pnl < 0', 4, 'top'],
    ] as const) {
      layers.push({
        transform: [{ filter: test }],
        mark: { type: 'text', dy, baseline, fontSize: 13, color: '#212121' },
        encoding: { x, y: { field: 'pnl', type: 'quantitative', scale }, text: { field: 'pnlText' } },
      });
    }
  }
  return {
    ...chartFrame({ width, height, title: input.title, subtitle: `bars: realized P&L per day · blue line: cumulative · dashed: ${capText}` }),
    data: { values: rows },
    layer: layers,
    resolve: { scale: { y: 'shared' } },
  } as TopLevelSpec;
}

/** The chart, rendered: PNG bytes and the raw pixels (for checks), at exactly width x height. */
export async function renderPnlChartImage(input: PnlChartInput, opts: ChartOptions = {}): Promise<RenderedChart> {
  const width = opts.width ?? CHART_WIDTH;
  const height = opts.height ?? CHART_HEIGHT;
  return renderVegaLite(pnlChartSpec(input, { width, height }), width, opts.fontFiles);
}

export async function renderPnlChart(input: PnlChartInput, opts: ChartOptions = {}): Promise<Buffer> {
  return (await renderPnlChartImage(input, opts)).png;
}
