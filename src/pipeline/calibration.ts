// The calibration the bot trades by: the journal's resolved observations (history from `npm run calibrate` and the
// shadow book) bucketed over the band. The rules' lookup table is rebuilt only when observations were added or
// resolved, or the band changed; the report adds the splits and the bot's own fills by maker and taker.
import type { FillsByRole } from '../journal/calibration.js';
import type { Journal } from '../journal/index.js';
import { type BucketStat, type CalibrationReport, CalibrationTable, buildReport } from '../rules/calibration.js';
import type { CalibrationLookup } from '../rules/edge.js';

export interface CalibrationView extends CalibrationReport {
  band: { bandMinE4: number; bandMaxE4: number };
  sources: { history: number; shadow: number; shadowOpen: number };
  fills: FillsByRole[];
}

/** The last line of `npm run calibrate -- --json`: probabilities 0-1, `side` the side bought. */
export interface CalibrationJson {
  observations: number;
  buckets: Array<{ side: 'yes' | 'no'; lo: number; hi: number; n: number; events: number; implied: number; realized: number; ciLow: number; ciHigh: number; breakEven: number; verdict: BucketStat['verdict'] }>;
}

const round = (x: number, digits = 4) => Number(x.toFixed(digits));

export function calibrationJson(r: CalibrationReport): CalibrationJson {
  return {
    observations: r.observations,
    buckets: r.buckets.map((b) => ({
      side: b.side,
      lo: b.loE4 / 10_000,
      hi: b.hiE4 / 10_000,
      n: b.n,
      events: b.events,
      implied: round(b.implied),
      realized: round(b.realized),
      ciLow: round(b.ciLow),
      ciHigh: round(b.ciHigh),
      breakEven: round(b.breakEven),
      verdict: b.verdict,
    })),
  };
}

export class Calibration {
  private cached: { key: string; table: CalibrationTable } | null = null;

  constructor(private readonly journal: Journal) {}

  private band(): { bandMinE4: number; bandMaxE4: number } {
    const s = this.journal.settings.get();
    return { bandMinE4: s.bandMinE4, bandMaxE4: s.bandMaxE4 };
  }

  /** The rules' table (null while nothing is calibrated). */
  lookup(): CalibrationLookup | null {
    const band = this.band();
    const key = `${this.journal.calibration.version()} ${band.bandMinE4} ${band.bandMaxE4}`;
    if (this.cached?.key !== key) {
      this.cached = { key, table: new CalibrationTable(buildReport(this.journal.calibration.resolved(), band).buckets) };
    }
    return this.cached.table.size > 0 ? this.cached.table : null;
  }

  /** The whole report: buckets, splits by category and time to settlement, and the bot's own fills by role. */
  report(): CalibrationView {
    const band = this.band();
    return {
      ...buildReport(this.journal.calibration.resolved(), band),
      band,
      sources: this.journal.calibration.counts(),
      fills: this.journal.calibration.fillsByRole(),
    };
  }
}
