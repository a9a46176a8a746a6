// The calibration report for people: /calibration's caption and tables (Telegram HTML), and the same text in the
// terminal and `npm run calibrate`. Percentages to one decimal; n is observations, "ev" the events they cluster in.
import type { CalibrationView } from '../pipeline/calibration.js';
import type { FillsByRole } from '../journal/calibration.js';
import type { Stat } from '../rules/calibration.js';
import type { Mode } from '../notify/alerts.js';
import { modeTag } from './format.js';
import { b, esc } from './html.js';

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const pp = (x: number) => `${x >= 0 ? '+' : '-'}${Math.abs(x * 100).toFixed(1)}pp`;
const VERDICT: Record<Stat['verdict'], string> = { pays: 'pays', loses: 'loses', unclear: 'not yet' };

function row(label: string, s: Stat): string {
  if (s.n === 0) return `${label.padEnd(13)} ${'0'.padStart(10)}`;
  return [
    label.padEnd(13),
    `${s.n}/${s.events}`.padStart(10),
    pct(s.implied).padStart(6),
    pct(s.realized).padStart(6),
    `${pct(s.ciLow)}-${pct(s.ciHigh)}`.padStart(12),
    pct(s.breakEven).padStart(6),
    pp(s.realized - s.breakEven).padStart(7),
    VERDICT[s.verdict],
  ].join(' ');
}

const HEAD = `${'side price'.padEnd(13)} ${'n/ev'.padStart(10)} ${'price'.padStart(6)} ${'won'.padStart(6)} ${'95% CI'.padStart(12)} ${'b-even'.padStart(6)} ${'edge'.padStart(7)} significant`;

/** The bot's own fills of settled markets, by role: what they paid with fees, what they won, the realized edge. */
export function fillsLine(f: FillsByRole): string {
  const c = f.contractsE2 / 100;
  if (c === 0) return `${f.role}: no settled fills`;
  const won = f.wonE2 / f.contractsE2;
  const cost = (f.costE4 + f.feesE4) / f.contractsE2 / 100; // dollars per contract = break-even
  return `${f.role}: ${f.fills} fills, ${c} contracts, paid ${(f.costE4 / f.contractsE2).toFixed(1)}¢ + fee ${(f.feesE4 / f.contractsE2).toFixed(2)}¢, won ${pct(won)}, realized edge ${pp(won - cost)}`;
}

/** The first paragraph (the photo's caption when it fits): what the report stands on and the verdict per side. */
export function calibrationHeadline(v: CalibrationView, mode: Mode): string {
  const s = v.sources;
  const lines = [
    `${modeTag(mode)} ${b('Calibration')}: ${v.observations} observations (history ${s.history}, shadow book ${s.shadow - s.shadowOpen} settled, ${s.shadowOpen} waiting)`,
  ];
  for (const side of ['yes', 'no'] as const) {
    const buckets = v.buckets.filter((x) => x.side === side && x.n > 0);
    if (buckets.length === 0) continue;
    const pays = buckets.filter((x) => x.verdict === 'pays').map((x) => `${x.loE4 / 100}-${x.hiE4 / 100}¢`);
    const loses = buckets.filter((x) => x.verdict === 'loses').map((x) => `${x.loE4 / 100}-${x.hiE4 / 100}¢`);
    lines.push(
      `${side.toUpperCase()}: pays after fees at ${pays.length ? esc(pays.join(', ')) : 'no price yet'}; loses at ${loses.length ? esc(loses.join(', ')) : 'no price yet'}`,
    );
  }
  return lines.join('\n');
}

/** The whole report as text (monospace tables); `html` wraps the tables in <pre> for Telegram. */
export function formatCalibration(v: CalibrationView, mode: Mode, opts: { html?: boolean; splits?: boolean } = {}): string {
  const pre = (lines: string[]) => (opts.html ? `<pre>${esc(lines.join('\n'))}</pre>` : lines.join('\n'));
  if (v.observations === 0) {
    return `${modeTag(mode)} No calibration yet: run npm run calibrate -- --days 30 (the exchange's settled markets), and the shadow book fills as the bot scans.`;
  }
  const parts = [calibrationHeadline(v, mode), pre([HEAD, ...v.buckets.map((x) => row(`${x.side.toUpperCase()} ${x.loE4 / 100}-${x.hiE4 / 100}¢`, x))])];
  if (opts.splits !== false) {
    parts.push(`${b('By category')} (in band):`, pre([HEAD.replace('side price', 'category  '), ...v.byCategory.slice(0, 8).map((g) => row(g.key.slice(0, 13), g))]));
    parts.push(`${b('By time to settlement')} (at the observation):`, pre([HEAD.replace('side price', 'settles in'), ...v.byHorizon.map((g) => row(g.key, g))]));
  }
  parts.push(`${b("The bot's own fills")} (settled markets):\n${v.fills.length ? v.fills.map((f) => esc(fillsLine(f))).join('\n') : 'none yet'}`);
  return parts.join('\n\n');
}
