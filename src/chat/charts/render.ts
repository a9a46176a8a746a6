// A vega-lite chart as a PNG, from npm packages only: vega-lite -> vega (headless, renderer 'none') -> SVG -> resvg,
// with the DejaVu Sans font shipped in the `dejavu-fonts-ttf` package (resvg draws no text without a font file, so it
// is loaded explicitly and system fonts are never looked at: a chart looks the same on a bare server).
import { createRequire } from 'node:module';
import { Resvg } from '@resvg/resvg-js';
import { View, parse } from 'vega';
import { type TopLevelSpec, compile } from 'vega-lite';

const require = createRequire(import.meta.url);

/** The font files charts are drawn with (regular, and bold for titles). */
export const CHART_FONT_FILES: readonly string[] = [
  require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf'),
  require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf'),
];
export const CHART_FONT_FAMILY = 'DejaVu Sans';

/**
 * The frame every chart shares: its size, white background, the title (bold, left) with a grey subtitle, and the
 * DejaVu font at a size readable on a phone. A subtitle wider than the chart makes vega shrink the plot: keep lines short.
 */
export function chartFrame(o: { width: number; height: number; title: string; subtitle: string | string[] }) {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: o.width,
    height: o.height,
    autosize: { type: 'fit', contains: 'padding' },
    padding: 14,
    background: 'white',
    title: { text: o.title, subtitle: o.subtitle, anchor: 'start', fontSize: 20, subtitleFontSize: 13, subtitleColor: '#555555', offset: 12 },
    config: {
      font: CHART_FONT_FAMILY,
      view: { stroke: null },
      axis: { labelFontSize: 13, titleFontSize: 13, labelColor: '#333333', titleColor: '#333333', gridColor: '#e0e0e0' },
      legend: { labelFontSize: 13, titleFontSize: 13 },
    },
  } as const;
}

export interface RenderedChart {
  png: Buffer;
  /** RGBA, row after row. */
  pixels: Buffer;
  width: number;
  height: number;
  svg: string;
}

/** Render a vega-lite spec at `width` pixels wide; `fontFiles` [] draws no text (tests compare the two). */
export async function renderVegaLite(spec: TopLevelSpec, width: number, fontFiles: readonly string[] = CHART_FONT_FILES): Promise<RenderedChart> {
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  let svg: string;
  try {
    svg = await view.toSVG();
  } finally {
    view.finalize();
  }
  const image = new Resvg(svg, {
    background: 'white',
    fitTo: { mode: 'width', value: width },
    font: { fontFiles: [...fontFiles], loadSystemFonts: false, defaultFontFamily: CHART_FONT_FAMILY },
  }).render();
  return { png: image.asPng(), pixels: image.pixels, width: image.width, height: image.height, svg };
}
