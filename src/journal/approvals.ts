// Trades a rule flagged for a human. An approval is single-use: the state moves out of 'pending' once.
import type { Db } from './db.js';

export interface ApprovalRow {
  id: number;
  ticker: string;
  title: string;
  side: 'yes' | 'no';
  count_e2: number;
  price_e4: number;
  worst_case_e4: number;
  rule: string;
  state: 'pending' | 'approved' | 'rejected' | 'expired' | 'refused';
  created_at: number;
  expires_at: number;
  decided_at: number | null;
  decided_by: string | null;
  outcome: string | null;
  message_ref: string | null;
}

export interface NewApproval {
  ticker: string;
  title: string;
  side: 'yes' | 'no';
  countE2: number;
  priceE4: number;
  worstCaseE4: number;
  rule: string;
  now: number;
  expiresAt: number;
}

export class ApprovalsJournal {
  constructor(private readonly db: Db) {}

  create(a: NewApproval): number {
    return Number(
      this.db
        .prepare(
          `INSERT INTO approvals (ticker, title, side, count_e2, price_e4, worst_case_e4, rule, created_at, expires_at)
           VALUES (@ticker, @title, @side, @countE2, @priceE4, @worstCaseE4, @rule, @now, @expiresAt)`,
        )
        .run(a).lastInsertRowid,
    );
  }

  get(id: number): ApprovalRow | undefined {
    return this.db.prepare('SELECT * FROM approvals WHERE id = ?').get(id) as ApprovalRow | undefined;
  }

  /** A pending approval for this market already waits for a human: don't ask twice. */
  pendingFor(ticker: string, now: number): ApprovalRow | undefined {
    return this.db
      .prepare(`SELECT * FROM approvals WHERE ticker = ? AND state = 'pending' AND expires_at > ?`)
      .get(ticker, now) as ApprovalRow | undefined;
  }

  /** Worst case of every approval still open: what the open requests would ask of the cap together. */
  pendingWorstE4(now: number): number {
    return (this.db.prepare(`SELECT COALESCE(SUM(worst_case_e4), 0) AS w FROM approvals WHERE state = 'pending' AND expires_at > ?`).get(now) as { w: number }).w;
  }

  /** When a person last rejected a request for this market (null: never). */
  lastRejectedAt(ticker: string): number | null {
    const r = this.db.prepare(`SELECT MAX(decided_at) AS t FROM approvals WHERE ticker = ? AND state = 'rejected'`).get(ticker) as { t: number | null };
    return r.t;
  }

  /** Expire every open approval at once (the day halted): returns them, to edit their messages. */
  expireAll(now: number, by: string): ApprovalRow[] {
    const open = this.db.prepare(`SELECT * FROM approvals WHERE state = 'pending'`).all() as ApprovalRow[];
    const mark = this.db.prepare(`UPDATE approvals SET state = 'expired', decided_at = ?, decided_by = ?, outcome = ? WHERE id = ? AND state = 'pending'`);
    this.db.transaction(() => {
      for (const a of open) mark.run(now, by, 'expired: trading halted for the day', a.id);
    })();
    return open.map((a) => ({ ...a, state: 'expired' as const }));
  }

  pending(now: number): ApprovalRow[] {
    return this.db.prepare(`SELECT * FROM approvals WHERE state = 'pending' AND expires_at > ? ORDER BY id`).all(now) as ApprovalRow[];
  }

  /**
   * Move a pending approval to a decided state exactly once. Returns false if it was not pending
   * (already used, or decided elsewhere): the compare-and-set is what makes it single-use.
   */
  decide(id: number, state: 'approved' | 'rejected' | 'expired', by: string, now: number): boolean {
    return (
      this.db
        .prepare(`UPDATE approvals SET state = ?, decided_by = ?, decided_at = ? WHERE id = ? AND state = 'pending'`)
        .run(state, by, now, id).changes === 1
    );
  }

  setOutcome(id: number, outcome: string, state?: 'refused'): void {
    if (state) this.db.prepare('UPDATE approvals SET outcome = ?, state = ? WHERE id = ?').run(outcome, state, id);
    else this.db.prepare('UPDATE approvals SET outcome = ? WHERE id = ?').run(outcome, id);
  }

  /** Which message(s) carry this approval: one ref, or one per chat it was sent to. */
  setMessageRef(id: number, ref: { chatId: number; messageId: number } | { chatId: number; messageId: number }[]): void {
    this.db.prepare('UPDATE approvals SET message_ref = ? WHERE id = ?').run(JSON.stringify(ref), id);
  }

  /** Pending approvals whose time ran out: mark them expired and return them (to edit their messages). */
  expireDue(now: number): ApprovalRow[] {
    const due = this.db.prepare(`SELECT * FROM approvals WHERE state = 'pending' AND expires_at <= ?`).all(now) as ApprovalRow[];
    const mark = this.db.prepare(`UPDATE approvals SET state = 'expired', decided_at = ?, decided_by = 'timer' WHERE id = ? AND state = 'pending'`);
    this.db.transaction(() => {
      for (const a of due) mark.run(now, a.id);
    })();
    return due.map((a) => ({ ...a, state: 'expired' as const }));
  }
}
