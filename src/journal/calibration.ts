// Calibration observations (history pulled by `npm run calibrate`, and the shadow book), the resumable state of a
// calibrate run, and the bot's own fills by role. All SQL of the calibration lives here.
import type { Db } from './db.js';

export type ObsSource = 'history' | 'shadow';

export interface NewObservation {
  source: ObsSource;
  ticker: string;
  /** history: hours before close sampled; shadow: the upper bound (hours) of the time-to-settlement bin. */
  sampleKey: number;
  side: 'yes' | 'no';
  eventTicker: string;
  category: string | null;
  priceE4: number;
  observedMs: number;
  settlesMs: number;
  feeType: string;
  feeMultiplierE4: number;
  /** Known at once for history; null for the shadow book until the market settles. */
  result: 'yes' | 'no' | null;
}

/** A resolved observation, as the statistics read it (rules/calibration.ts Observation). */
export interface ResolvedObservation {
  source: ObsSource;
  ticker: string;
  eventTicker: string;
  category: string | null;
  side: 'yes' | 'no';
  /** The price a taker paid for `side` (its ask), e4. */
  priceE4: number;
  observedMs: number;
  settlesMs: number;
  won: boolean;
  feeType: string;
  feeMultiplierE4: number;
}

export interface CalibrationRun {
  id: number;
  startedAt: number;
  minSettledS: number;
  maxSettledS: number;
  hours: number[];
  listCursor: string | null;
  listedDone: boolean;
  listed: number;
  sampled: number;
  requests: number;
  finishedAt: number | null;
}

export interface PendingMarket {
  ticker: string;
  eventTicker: string;
  closeMs: number;
  settlesMs: number;
  result: 'yes' | 'no';
}

/** The bot's own fills of settled markets, by whether it was the taker (null: fills booked before this was kept). */
export interface FillsByRole {
  role: 'taker' | 'maker' | 'unknown';
  fills: number;
  contractsE2: number;
  /** Contracts of a side that won. */
  wonE2: number;
  costE4: number;
  feesE4: number;
}

interface RunRow {
  id: number;
  started_at: number;
  min_settled_s: number;
  max_settled_s: number;
  hours: string;
  list_cursor: string | null;
  listed_done: number;
  listed: number;
  sampled: number;
  requests: number;
  finished_at: number | null;
}

const runOf = (r: RunRow): CalibrationRun => ({
  id: r.id,
  startedAt: r.started_at,
  minSettledS: r.min_settled_s,
  maxSettledS: r.max_settled_s,
  hours: JSON.parse(r.hours) as number[],
  listCursor: r.list_cursor,
  listedDone: r.listed_done === 1,
  listed: r.listed,
  sampled: r.sampled,
  requests: r.requests,
  finishedAt: r.finished_at,
});

export class CalibrationJournal {
  constructor(private readonly db: Db) {}

  /** Add observations (each (source, ticker, sample, side) once: a repeat is ignored). Returns how many were new. */
  addObservations(rows: readonly NewObservation[], now: number): number {
    const insert = this.db.prepare(
      `INSERT OR IGNORE INTO calibration_obs (source, ticker, sample_key, side, event_ticker, category, price_e4, observed_at, settles_at,
         fee_type, fee_multiplier_e4, result, resolved_at)
       VALUES (@source, @ticker, @sampleKey, @side, @eventTicker, @category, @priceE4, @observedMs, @settlesMs, @feeType, @feeMultiplierE4,
         @result, @resolvedAt)`,
    );
    let added = 0;
    this.db.transaction(() => {
      for (const r of rows) added += insert.run({ ...r, resolvedAt: r.result === null ? null : now }).changes;
    })();
    return added;
  }

  /** The shadow book's markets still waiting for their result, and the earliest time one of them was seen. */
  openShadow(): { tickers: Set<string>; earliestMs: number | null } {
    const rows = this.db.prepare("SELECT DISTINCT ticker FROM calibration_obs WHERE source = 'shadow' AND result IS NULL").all() as { ticker: string }[];
    const first = this.db.prepare("SELECT MIN(observed_at) AS t FROM calibration_obs WHERE source = 'shadow' AND result IS NULL").get() as { t: number | null };
    return { tickers: new Set(rows.map((r) => r.ticker)), earliestMs: first.t };
  }

  /** Resolve the shadow book's observations of settled markets (one transaction). Returns the rows resolved. */
  resolveShadow(results: ReadonlyArray<{ ticker: string; result: 'yes' | 'no' }>, now: number): number {
    const upd = this.db.prepare("UPDATE calibration_obs SET result = ?, resolved_at = ? WHERE source = 'shadow' AND ticker = ? AND result IS NULL");
    let n = 0;
    this.db.transaction(() => {
      for (const r of results) n += upd.run(r.result, now, r.ticker).changes;
    })();
    return n;
  }

  /** Every resolved observation (of the given sources), for the report and the rules' table. */
  resolved(sources: readonly ObsSource[] = ['history', 'shadow']): ResolvedObservation[] {
    const rows = this.db
      .prepare(
        `SELECT source, ticker, event_ticker, category, side, price_e4, observed_at, settles_at, result, fee_type, fee_multiplier_e4
         FROM calibration_obs WHERE result IS NOT NULL AND source IN (SELECT value FROM json_each(?))`,
      )
      .all(JSON.stringify(sources)) as Array<{
      source: ObsSource;
      ticker: string;
      event_ticker: string;
      category: string | null;
      side: 'yes' | 'no';
      price_e4: number;
      observed_at: number;
      settles_at: number;
      result: 'yes' | 'no';
      fee_type: string;
      fee_multiplier_e4: number;
    }>;
    return rows.map((r) => ({
      source: r.source,
      ticker: r.ticker,
      eventTicker: r.event_ticker,
      category: r.category,
      side: r.side,
      priceE4: r.price_e4,
      observedMs: r.observed_at,
      settlesMs: r.settles_at,
      won: r.side === r.result,
      feeType: r.fee_type,
      feeMultiplierE4: r.fee_multiplier_e4,
    }));
  }

  /** Changes whenever a resolved observation is added (what a cached table is keyed by; open ones do not count). */
  version(): string {
    const r = this.db.prepare('SELECT COUNT(result) AS done, MAX(resolved_at) AS last FROM calibration_obs WHERE result IS NOT NULL').get() as {
      done: number;
      last: number | null;
    };
    return `${r.done}:${r.last ?? 0}`;
  }

  counts(): { history: number; shadow: number; shadowOpen: number } {
    const r = this.db
      .prepare(
        `SELECT COALESCE(SUM(source = 'history'), 0) AS history, COALESCE(SUM(source = 'shadow'), 0) AS shadow,
                COALESCE(SUM(source = 'shadow' AND result IS NULL), 0) AS shadowOpen FROM calibration_obs`,
      )
      .get() as { history: number; shadow: number; shadowOpen: number };
    return r;
  }

  // ---------- calibrate runs ----------

  unfinishedRun(): CalibrationRun | null {
    const r = this.db.prepare('SELECT * FROM calibration_runs WHERE finished_at IS NULL ORDER BY id DESC LIMIT 1').get() as RunRow | undefined;
    return r ? runOf(r) : null;
  }

  lastFinishedRun(): CalibrationRun | null {
    const r = this.db.prepare('SELECT * FROM calibration_runs WHERE finished_at IS NOT NULL ORDER BY max_settled_s DESC LIMIT 1').get() as
      | RunRow
      | undefined;
    return r ? runOf(r) : null;
  }

  run(id: number): CalibrationRun | null {
    const r = this.db.prepare('SELECT * FROM calibration_runs WHERE id = ?').get(id) as RunRow | undefined;
    return r ? runOf(r) : null;
  }

  startRun(o: { minSettledS: number; maxSettledS: number; hours: number[]; now: number }): CalibrationRun {
    const id = Number(
      this.db
        .prepare('INSERT INTO calibration_runs (started_at, min_settled_s, max_settled_s, hours) VALUES (?, ?, ?, ?)')
        .run(o.now, o.minSettledS, o.maxSettledS, JSON.stringify(o.hours)).lastInsertRowid,
    );
    return this.run(id)!;
  }

  /** Give up an unfinished run (a fresh one replaces it): its pending markets go with it. */
  abandonRun(id: number, now: number): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM calibration_pending WHERE run_id = ?').run(id);
      this.db.prepare('UPDATE calibration_runs SET finished_at = ? WHERE id = ?').run(now, id);
    })();
  }

  /** One listing page done: its markets wait for their candles, and the cursor moves on, in one transaction. */
  savePage(runId: number, cursor: string | null, markets: readonly PendingMarket[]): void {
    const insert = this.db.prepare(
      'INSERT OR IGNORE INTO calibration_pending (run_id, ticker, event_ticker, close_ms, settles_ms, result) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.db.transaction(() => {
      let n = 0;
      for (const m of markets) n += insert.run(runId, m.ticker, m.eventTicker, m.closeMs, m.settlesMs, m.result).changes;
      this.db
        .prepare('UPDATE calibration_runs SET list_cursor = ?, listed_done = ?, listed = listed + ?, requests = requests + 1 WHERE id = ?')
        .run(cursor, cursor === null ? 1 : 0, n, runId);
    })();
  }

  /** Of these tickers, those the history already sampled (no need to read their candles again). */
  sampledTickers(tickers: readonly string[]): Set<string> {
    const rows = this.db
      .prepare("SELECT DISTINCT ticker FROM calibration_obs WHERE source = 'history' AND ticker IN (SELECT value FROM json_each(?))")
      .all(JSON.stringify(tickers)) as { ticker: string }[];
    return new Set(rows.map((r) => r.ticker));
  }

  /** The next markets whose candles are to be read, in close-time order. */
  pending(runId: number, limit: number): PendingMarket[] {
    return (
      this.db
        .prepare('SELECT ticker, event_ticker, close_ms, settles_ms, result FROM calibration_pending WHERE run_id = ? ORDER BY close_ms, ticker LIMIT ?')
        .all(runId, limit) as Array<{ ticker: string; event_ticker: string; close_ms: number; settles_ms: number; result: 'yes' | 'no' }>
    ).map((r) => ({ ticker: r.ticker, eventTicker: r.event_ticker, closeMs: r.close_ms, settlesMs: r.settles_ms, result: r.result }));
  }

  pendingCount(runId: number): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM calibration_pending WHERE run_id = ?').get(runId) as { n: number }).n;
  }

  /** A batch of markets sampled: their observations are stored and they leave the queue, in one transaction. */
  completeBatch(runId: number, tickers: readonly string[], observations: readonly NewObservation[], now: number, requests = 1): number {
    let added = 0;
    this.db.transaction(() => {
      added = this.addObservations(observations, now);
      const del = this.db.prepare('DELETE FROM calibration_pending WHERE run_id = ? AND ticker = ?');
      for (const t of tickers) del.run(runId, t);
      this.db.prepare('UPDATE calibration_runs SET sampled = sampled + ?, requests = requests + ? WHERE id = ?').run(tickers.length, requests, runId);
    })();
    return added;
  }

  finishRun(runId: number, now: number): void {
    this.db.prepare('UPDATE calibration_runs SET finished_at = ? WHERE id = ?').run(now, runId);
  }

  // ---------- state ----------

  getState(name: string): string | null {
    return (this.db.prepare('SELECT value FROM calibration_state WHERE name = ?').get(name) as { value: string } | undefined)?.value ?? null;
  }

  setState(name: string, value: string): void {
    this.db.prepare('INSERT INTO calibration_state (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value').run(name, value);
  }

  // ---------- the bot's own fills ----------

  /** Real fills (no paper) on markets that have settled, by role: how many contracts, how many won, cost and fees. */
  fillsByRole(): FillsByRole[] {
    const rows = this.db
      .prepare(
        `SELECT CASE f.is_taker WHEN 1 THEN 'taker' WHEN 0 THEN 'maker' ELSE 'unknown' END AS role,
                COUNT(*) AS fills, SUM(f.count_e2) AS contractsE2,
                SUM(CASE WHEN s.revenue_e4 > 0 THEN f.count_e2 ELSE 0 END) AS wonE2,
                SUM((f.count_e2 * f.price_e4 + 99) / 100) AS costE4, SUM(f.fee_e4) AS feesE4
         FROM fills f
         JOIN orders o ON o.id = f.order_id
         JOIN (SELECT ticker, MAX(revenue_e4) AS revenue_e4 FROM settlements GROUP BY ticker) s ON s.ticker = f.ticker
         WHERE o.state != 'paper'
         GROUP BY role ORDER BY role`,
      )
      .all() as FillsByRole[];
    return rows;
  }
}
