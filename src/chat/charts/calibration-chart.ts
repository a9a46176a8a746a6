// The /calibration chart: for each price bucket, the share that won (a dot) with its 95% interval (a bar), against
// the price paid; the diagonal is "wins as often as its price says", the dashed line the after-fee break-even
// (price + the standard quadratic taker fee). A bucket above the dashed line with its whole bar pays after fees.
import type { TopLevelSpec } from 'vega-lite';
import { type RenderedChart, chartFrame, renderVegaLite } from './render.js';

export const CALIBRATION_CHART_WIDTH = 800;
export const CALIBRATION_CHART_HEIGHT = 560;

export interface CalibrationChartPoint {
  side: 'yes' | 'no';
  /** Mean price paid, share won and its interval, 0-1. */
  implied: number;
  realized: number;
  ciLow: number;
  ciHigh: number;
  n: number;
}

export interface CalibrationChartInput {
  title: string;
  subtitle?: string | string[];
  points: CalibrationChartPoint[];
  /** The price range shown (the band), 0-1. */
  lo: number;
  hi: number;
}

const YES = '#1565c0';
const NO = '#ef6c00';
const DIAGONAL = '#616161';
const BREAK_EVEN = '#c62828';

export function calibrationChartSpec(input: CalibrationChartInput, size: { width: number; height: number }): TopLevelSpec {
  const lo = Math.max(0.5, input.lo - 0.02);
  const hi = Math.min(1, input.hi + 0.02);
  const ys = input.points.flatMap((p) => [p.ciLow, p.ciHigh]);
  const yLo = Math.max(0.3, Math.min(lo, ...ys) - 0.02);
  const yHi = Math.min(1, Math.max(hi, ...ys) + 0.02);
  const xScale = { domain: [lo, hi] };
  const yScale = { domain: [yLo, yHi] };
  const x = { field: 'x', type: 'quantitative' as const, scale: xScale, axis: { title: 'price paid (the ask)', format: '.0%' } };
  const y = { field: 'y', type: 'quantitative' as const, scale: yScale, axis: { title: 'share that won', format: '.0%' } };
  const steps = 40;
  const line = Array.from({ length: steps + 1 }, (_, i) => {
    const p = lo + ((hi - lo) * i) / steps;
    // The standard quadratic taker fee per contract: 0.07 x p x (1 - p).
    return { x: p, diagonal: p, breakEven: p + 0.07 * p * (1 - p) };
  });
  const rows = input.points.map((p) => ({ ...p, x: p.implied, y: p.realized, label: p.side.toUpperCase() }));
  const color = { field: 'label', type: 'nominal' as const, scale: { domain: ['YES', 'NO'], range: [YES, NO] }, legend: { title: 'side bought', orient: 'top-left' as const } };
  return {
    ...chartFrame({
      width: size.width,
      height: size.height,
      title: input.title,
      subtitle: input.subtitle ?? ['dots: the share that won, bars: its 95% interval', 'grey: winning as often as the price says · dashed red: break-even after the taker fee'],
    }),
    layer: [
      { data: { values: line }, mark: { type: 'line', color: DIAGONAL, strokeWidth: 2 }, encoding: { x, y: { ...y, field: 'diagonal' } } },
      { data: { values: line }, mark: { type: 'line', color: BREAK_EVEN, strokeWidth: 2, strokeDash: [8, 5] }, encoding: { x, y: { ...y, field: 'breakEven' } } },
      {
        data: { values: rows },
        mark: { type: 'rule', strokeWidth: 3 },
        encoding: { x, y: { ...y, field: 'ciLow' }, y2: { field: 'ciHigh' }, color },
      },
      { data: { values: rows }, mark: { type: 'point', filled: true, size: 110, opacity: 1 }, encoding: { x, y, color } },
    ],
  } as TopLevelSpec;
}

export function renderCalibrationChart(input: CalibrationChartInput, opts: { width?: number; height?: number; fontFiles?: readonly string[] } = {}): Promise<RenderedChart> {
  const width = opts.width ?? CALIBRATION_CHART_WIDTH;
  const height = opts.height ?? CALIBRATION_CHART_HEIGHT;
  return renderVegaLite(calibrationChartSpec(input, { width, height }), width, opts.fontFiles);
}
