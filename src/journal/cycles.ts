// Cycle summaries and the last cycle's decision trail (for /why and /status).
import type { Db } from './db.js';
import { DecisionTrail, type TrailColumns, packNames } from './decisions.js';

export interface CycleCounts {
  markets: number;
  skipped: number;
  candidates: number;
  validated: number;
  orders: number;
  halted: boolean;
  paused: boolean;
  hydrateMs: number;
  durationMs: number;
  timings: Record<string, number>;
  error?: string | null;
}

export interface CycleRow extends CycleCounts {
  id: number;
  startedAt: number;
  finishedAt: number | null;
  mode: string;
}

export interface Decision {
  ticker: string;
  layer: 2 | 3 | 4 | 5;
  outcome: 'rejected' | 'ordered' | 'approval' | 'passed';
  reason: string;
  side?: 'yes' | 'no' | null;
  priceE4?: number | null;
}

interface CycleDbRow {
  id: number;
  started_at: number;
  finished_at: number | null;
  mode: string;
  markets: number;
  skipped: number;
  candidates: number;
  validated: number;
  orders: number;
  halted: number;
  paused: number;
  hydrate_ms: number;
  duration_ms: number;
  timings: string;
  error: string | null;
}

export class CyclesJournal {
  private readonly trail: DecisionTrail;

  constructor(private readonly db: Db) {
    this.trail = new DecisionTrail(db);
  }

  start(mode: string, now: number): number {
    return Number(this.db.prepare('INSERT INTO cycles (started_at, mode) VALUES (?, ?)').run(now, mode).lastInsertRowid);
  }

  finish(id: number, c: CycleCounts, now: number): void {
    this.db
      .prepare(
        `UPDATE cycles SET finished_at = @now, markets = @markets, skipped = @skipped, candidates = @candidates,
           validated = @validated, orders = @orders, halted = @halted, paused = @paused, hydrate_ms = @hydrateMs,
           duration_ms = @durationMs, timings = @timings, error = @error WHERE id = @id`,
      )
      .run({
        id,
        now,
        markets: c.markets,
        skipped: c.skipped,
        candidates: c.candidates,
        validated: c.validated,
        orders: c.orders,
        halted: c.halted ? 1 : 0,
        paused: c.paused ? 1 : 0,
        hydrateMs: c.hydrateMs,
        durationMs: c.durationMs,
        timings: JSON.stringify(c.timings),
        error: c.error ?? null,
      });
  }

  /** Cycles started after `sinceMs`. */
  countSince(sinceMs: number): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM cycles WHERE started_at > ?').get(sinceMs) as { n: number }).n;
  }

  /** The newest cycle that started and has not finished (a crashed one stays so: ask the scheduler whether one runs). */
  unfinished(): { id: number; startedAt: number } | undefined {
    return this.db.prepare('SELECT id, started_at AS startedAt FROM cycles WHERE finished_at IS NULL ORDER BY id DESC LIMIT 1').get() as
      | { id: number; startedAt: number }
      | undefined;
  }

  last(): CycleRow | undefined {
    const r = this.db.prepare('SELECT * FROM cycles WHERE finished_at IS NOT NULL ORDER BY id DESC LIMIT 1').get() as
      | CycleDbRow
      | undefined;
    if (!r) return undefined;
    return {
      id: r.id,
      startedAt: r.started_at,
      finishedAt: r.finished_at,
      mode: r.mode,
      markets: r.markets,
      skipped: r.skipped,
      candidates: r.candidates,
      validated: r.validated,
      orders: r.orders,
      halted: r.halted === 1,
      paused: r.paused === 1,
      hydrateMs: r.hydrate_ms,
      durationMs: r.duration_ms,
      timings: JSON.parse(r.timings) as Record<string, number>,
      error: r.error,
    };
  }

  /** Replace the trail with this cycle's decisions (one transaction; ~100k rows take a fraction of a second). */
  replaceDecisions(cycleId: number, decisions: Iterable<Decision>): void {
    const insert = this.db.prepare(
      'INSERT OR REPLACE INTO decisions (ticker, cycle_id, layer, outcome, reason, side, price_e4) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM decisions').run();
      this.trail.clear();
      for (const d of decisions) insert.run(d.ticker, cycleId, d.layer, d.outcome, d.reason, d.side ?? null, d.priceE4 ?? null);
    })();
  }

  /**
   * Replace the trail with this cycle's decisions in compact form (one row: ~120,000 decisions in tens of ms, where
   * a row per decision takes most of a second). Row i of `columns` is the i-th ticker of `names` (packNames of the
   * newline-separated tickers, or the tickers themselves).
   */
  replaceTrail(cycleId: number, names: Buffer | readonly string[], columns: TrailColumns): void {
    const packed = Buffer.isBuffer(names) ? names : packNames(Buffer.from(names.slice(0, columns.count).join('\n')));
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM decisions').run();
      this.trail.write(cycleId, packed, columns);
    })();
  }

  /** Update one ticker's decision (layer 4 outcomes arrive after the trail is written). */
  setDecision(cycleId: number, d: Decision): void {
    this.db
      .prepare('INSERT OR REPLACE INTO decisions (ticker, cycle_id, layer, outcome, reason, side, price_e4) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(d.ticker, cycleId, d.layer, d.outcome, d.reason, d.side ?? null, d.priceE4 ?? null);
  }

  decision(ticker: string): (Decision & { cycleId: number }) | undefined {
    const r = this.db.prepare('SELECT * FROM decisions WHERE ticker = ? COLLATE NOCASE').get(ticker) as
      | { ticker: string; cycle_id: number; layer: 2 | 3 | 4 | 5; outcome: Decision['outcome']; reason: string; side: 'yes' | 'no' | null; price_e4: number | null }
      | undefined;
    if (!r) return this.trail.find(ticker);
    return { ticker: r.ticker, cycleId: r.cycle_id, layer: r.layer, outcome: r.outcome, reason: r.reason, side: r.side, priceE4: r.price_e4 };
  }
}
