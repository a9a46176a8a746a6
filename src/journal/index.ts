// The journal: one SQLite file holding everything the bot must not forget.
import type { Config } from '../config.js';
import { ApprovalsJournal } from './approvals.js';
import { CalibrationJournal } from './calibration.js';
import { CyclesJournal } from './cycles.js';
import { type Db, openDb } from './db.js';
import { OrdersJournal } from './orders.js';
import { OutboxJournal } from './outbox.js';
import { PnlQueries } from './pnl-queries.js';
import { ScanProfiles } from './scans.js';
import { SettingsStore, defaultSettings } from './settings.js';
import { SettlementsJournal } from './settlements.js';
import { TransfersJournal } from './transfers.js';

export class Journal {
  readonly orders: OrdersJournal;
  readonly cycles: CyclesJournal;
  readonly approvals: ApprovalsJournal;
  readonly outbox: OutboxJournal;
  readonly settings: SettingsStore;
  readonly transfers: TransfersJournal;
  readonly settlements: SettlementsJournal;
  /** What the last full scan learned (created-time distribution), per exchange. */
  readonly scans: ScanProfiles;
  /** Read-only: what the P&L commands show. */
  readonly pnl: PnlQueries;
  /** Calibration observations (history and the shadow book) and calibrate runs. */
  readonly calibration: CalibrationJournal;

  constructor(readonly db: Db, config: Config) {
    this.orders = new OrdersJournal(db, config.TIMEZONE);
    this.cycles = new CyclesJournal(db);
    this.approvals = new ApprovalsJournal(db);
    this.outbox = new OutboxJournal(db);
    this.settings = new SettingsStore(db, defaultSettings(config));
    this.transfers = new TransfersJournal(db);
    this.settlements = new SettlementsJournal(db);
    this.scans = new ScanProfiles(db);
    this.pnl = new PnlQueries(db);
    this.calibration = new CalibrationJournal(db);
  }

  static open(path: string, config: Config): Journal {
    return new Journal(openDb(path), config);
  }

  /** Run fn in one transaction (better-sqlite3 transactions are synchronous, so nothing interleaves). */
  tx<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  /** SQLite's own integrity check: 'ok', or what is broken. */
  integrity(): string {
    return String(this.db.pragma('integrity_check', { simple: true }) ?? 'unknown');
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
