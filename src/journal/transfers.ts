// Transfers of money between exchange shards. A row exists before the request is sent: the transfer POST
// is not idempotent, so what happened to a lost one is found in the exchange's history, never by re-sending.
import { z } from 'zod';
import type { Db } from './db.js';

export const TransferState = z.enum(['sent', 'pending', 'complete', 'refused', 'failed']);
export type TransferState = z.infer<typeof TransferState>;

export const TransferRow = z.object({
  id: z.number().int(),
  from_shard: z.number().int(),
  to_shard: z.number().int(),
  amount_e4: z.number().int(),
  state: TransferState,
  transfer_id: z.string().nullable(),
  reason: z.string().nullable(),
  created_at: z.number().int(),
  updated_at: z.number().int(),
});
export type TransferRow = z.infer<typeof TransferRow>;

const rows = (r: unknown[]): TransferRow[] => r.map((x) => TransferRow.parse(x));

export class TransfersJournal {
  constructor(private readonly db: Db) {}

  /** Written before the POST leaves: from here on the money may be moving. */
  insertSent(t: { fromShard: number; toShard: number; amountE4: number; reason: string; now: number }): number {
    const r = this.db
      .prepare(`INSERT INTO transfers (from_shard, to_shard, amount_e4, state, reason, created_at, updated_at) VALUES (?, ?, ?, 'sent', ?, ?, ?)`)
      .run(t.fromShard, t.toShard, t.amountE4, t.reason, t.now, t.now);
    return Number(r.lastInsertRowid);
  }

  update(id: number, p: { state: TransferState; transferId?: string; reason?: string }, now: number): void {
    this.db
      .prepare(
        `UPDATE transfers SET state = @state, transfer_id = COALESCE(@transferId, transfer_id), reason = COALESCE(@reason, reason), updated_at = @now WHERE id = @id`,
      )
      .run({ id, state: p.state, transferId: p.transferId ?? null, reason: p.reason ?? null, now });
  }

  get(id: number): TransferRow | undefined {
    const r = this.db.prepare('SELECT * FROM transfers WHERE id = ?').get(id);
    return r ? TransferRow.parse(r) : undefined;
  }

  /** Sent without a known outcome, or accepted and not yet arrived. */
  open(): TransferRow[] {
    return rows(this.db.prepare(`SELECT * FROM transfers WHERE state IN ('sent', 'pending') ORDER BY id`).all());
  }

  /** Exchange transfer ids this journal already owns (a lost answer must not claim one twice). */
  knownIds(): Set<string> {
    const r = this.db.prepare('SELECT transfer_id FROM transfers WHERE transfer_id IS NOT NULL').all() as { transfer_id: string }[];
    return new Set(r.map((x) => x.transfer_id));
  }

  recent(limit: number): TransferRow[] {
    return rows(this.db.prepare('SELECT * FROM transfers ORDER BY id DESC LIMIT ?').all(limit));
  }

}
