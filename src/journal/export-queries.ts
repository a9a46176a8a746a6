// Read-only queries for exports (a spreadsheet, taxes): orders, fills, settlements and transfers in a time window.
// Money stays integer e4 and counts e2 here; formatting is the caller's business.
import Database from 'better-sqlite3';
import { z } from 'zod';
import type { Db } from './db.js';
import { OrderRow } from './orders.js';
import { TransferRow } from './transfers.js';

/** [sinceMs, untilMs): epoch ms, the end excluded. */
export interface ExportWindow {
  sinceMs: number;
  untilMs: number;
}

export const FillExportRow = z.object({
  fill_id: z.string(),
  order_id: z.number().int(),
  ticker: z.string(),
  side: z.string(),
  count_e2: z.number().int(),
  /** Price of the side bought (a NO fill at its NO price). */
  price_e4: z.number().int(),
  fee_e4: z.number().int(),
  created_at: z.number().int(),
  exchange_index: z.number().int().nullable(),
  // from the order the fill belongs to
  client_order_id: z.string(),
  mode: z.string(),
  exchange_order_id: z.string().nullable(),
});
export type FillExportRow = z.infer<typeof FillExportRow>;

export const SettlementExportRow = z.object({
  ticker: z.string(),
  settled_at: z.number().int(),
  day: z.string(),
  revenue_e4: z.number().int(),
  cost_e4: z.number().int(),
  loss_e4: z.number().int(),
  exchange_index: z.number().int().nullable(),
});
export type SettlementExportRow = z.infer<typeof SettlementExportRow>;

export class ExportQueries {
  constructor(private readonly db: Db) {}

  /** Orders placed in the window (paper orders of a dry run included: their mode says so). */
  orders(w: ExportWindow): OrderRow[] {
    return this.all('SELECT * FROM orders WHERE created_at >= @sinceMs AND created_at < @untilMs ORDER BY created_at, id', w).map((r) => OrderRow.parse(r));
  }

  fills(w: ExportWindow): FillExportRow[] {
    return this.all(
      `SELECT f.fill_id, f.order_id, f.ticker, f.side, f.count_e2, f.price_e4, f.fee_e4, f.created_at, f.exchange_index,
              o.client_order_id, o.mode, o.exchange_order_id
       FROM fills f JOIN orders o ON o.id = f.order_id
       WHERE f.created_at >= @sinceMs AND f.created_at < @untilMs ORDER BY f.created_at, f.fill_id`,
      w,
    ).map((r) => FillExportRow.parse(r));
  }

  settlements(w: ExportWindow): SettlementExportRow[] {
    return this.all(
      `SELECT ticker, settled_at, day, revenue_e4, cost_e4, loss_e4, exchange_index FROM settlements
       WHERE settled_at >= @sinceMs AND settled_at < @untilMs ORDER BY settled_at, ticker`,
      w,
    ).map((r) => SettlementExportRow.parse(r));
  }

  transfers(w: ExportWindow): TransferRow[] {
    return this.all('SELECT * FROM transfers WHERE created_at >= @sinceMs AND created_at < @untilMs ORDER BY created_at, id', w).map((r) =>
      TransferRow.parse(r),
    );
  }

  private all(sql: string, w: ExportWindow): unknown[] {
    return this.db.prepare(sql).all({ sinceMs: w.sinceMs, untilMs: w.untilMs });
  }
}

/** Open a journal for reading only (an export never writes, and may run beside the bot). */
export function openReadOnly(path: string): Db {
  return new Database(path, { readonly: true, fileMustExist: true, timeout: 5_000 });
}
