// /calibration of the one command table (src/chat/commands.ts spreads it into COMMANDS): does the band pay after
// fees? A chart of the share won against the price paid per bucket, with intervals, the diagonal and the break-even
// line, and the table (per bucket; by category; by time to settlement; the bot's own fills by maker and taker).
//
// The spec type is declared here by its shape (what this command uses of CommandDeps), not imported: the table imports
// this file, and a type import back would be an import circle.
import type { Mode } from '../notify/alerts.js';
import type { CalibrationView } from '../pipeline/calibration.js';
import { formatCalibration } from './format-calibration.js';
import { type Reply, reply } from './reply.js';

export interface CalibrationCommandDeps {
  control: { calibration(): CalibrationView };
  mode: Mode;
}

export interface CalibrationCommandSpec {
  name: string;
  description: string;
  run(d: CalibrationCommandDeps, args: string, by: string): Promise<Reply> | Reply;
}

async function calibrationReply(d: CalibrationCommandDeps): Promise<Reply> {
  const v = d.control.calibration();
  // The caption is the report's first paragraph (the headline); the tables follow in a message of their own.
  const text = formatCalibration(v, d.mode, { html: true });
  if (v.observations === 0) return reply(text);
  // Loaded on first use, as /pnl's chart is: a platform without resvg loses the chart, never the bot.
  const { renderCalibrationChart } = await import('./charts/calibration-chart.js');
  const chart = await renderCalibrationChart({
    title: `[${d.mode}] Calibration: won vs price, ${v.observations} observations`,
    points: v.buckets.filter((b) => b.n > 0).map((b) => ({ side: b.side, implied: b.implied, realized: b.realized, ciLow: b.ciLow, ciHigh: b.ciHigh, n: b.n })),
    lo: v.band.bandMinE4 / 10_000,
    hi: v.band.bandMaxE4 / 10_000,
  });
  return { text, photo: { png: chart.png, filename: 'calibration.png' } };
}

export const CALIBRATION_COMMANDS: CalibrationCommandSpec[] = [
  { name: 'calibration', description: 'Does the band pay after fees? Won vs price per bucket, chart and table', run: (d) => calibrationReply(d) },
];
