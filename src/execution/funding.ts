// Collateral where the order goes: each exchange shard keeps its own balance, so before orders on shard k
// the free money on k must cover their worst case. Moves the shortfall from the shard with the most to spare
// (SHARD_FUNDING=auto) with Kalshi's transfer, which is asynchronous and not idempotent: journaled before it is
// sent, sent once, looked up in the transfer history after a lost answer, and its arrival confirmed by the balance.
import { setTimeout as sleep } from 'node:timers/promises';
import { type Clock, tradingDay } from '../clock.js';
import { KalshiApiError } from '../kalshi/errors.js';
import type { Balance, ShardStatus, Transfer } from '../kalshi/schemas.js';
import type { Journal } from '../journal/index.js';
import type { TransferRow } from '../journal/transfers.js';
import { formatUsd, formatUsdExact } from '../money.js';
import type { Alerter } from '../notify/alerter.js';
import type { Mode } from '../notify/alerts.js';
import { type PlannedTransfer, planTransfers } from './funding-plan.js';

export interface FundingApi {
  getBalance(): Promise<Balance>;
  createTransfer(t: { fromShard: number; toShard: number; amountE4: number }): Promise<string>;
  getTransfer(transferId: string): Promise<Transfer>;
  listTransfers(opts?: { maxPages?: number }): Promise<Transfer[]>;
}

export type FundingPolicy = 'auto' | 'off';

export interface FundingDeps {
  journal: Journal;
  api: FundingApi;
  clock: Clock;
  alerter: Alerter;
  mode: Mode;
  timeZone: string;
  policy: FundingPolicy;
  marginE4: number;
  /** How long to wait for an accepted transfer to complete before ordering without it. */
  arrivalTimeoutMs?: number;
  /** Test seam for crash tests: called when a transfer was accepted, before its id is journaled. */
  hooks?: { afterTransferSent?(): void };
}

/** A sent transfer missing from the exchange's history this long after it was sent never happened. */
export const TRANSFER_LOOKUP_WINDOW_MS = 10 * 60_000;
/** The exchange's created_ts and our clock may disagree a little. */
const CLOCK_SLACK_MS = 120_000;
/**
 * A shard that received a transfer this recently is not funded again: the balance breakdown may not show the
 * arrival yet, and a second transfer on a stale balance would move the money twice.
 */
export const ARRIVAL_GRACE_MS = 60_000;

/** Free money per shard. Without a breakdown (an unsharded exchange) everything is on shard 0. */
export function freeByShard(b: Balance): Map<number, number> {
  if (b.shards === null) return new Map([[0, b.balanceExactE4 ?? b.balanceE4]]);
  return new Map(b.shards.map((s) => [s.exchangeIndex, s.balanceE4]));
}

/**
 * Which shards can send or receive a transfer, from the exchange status: each listed shard says so itself; with no
 * per-shard list (an unsharded exchange) a transfer is tried and a refusal is a clean 4xx.
 */
export function transfersOpen(shards: readonly ShardStatus[]): (shard: number) => boolean {
  if (shards.length === 0) return () => true;
  const listed = new Map(shards.map((s) => [s.exchangeIndex, s]));
  return (k) => listed.get(k)?.transfersActive ?? false;
}

export function shortReason(shard: number, freeE4: number, needE4: number): string {
  return `shard ${shard} has ${formatUsdExact(freeE4)} free, needs ${formatUsdExact(needE4)}`;
}

/** How long a balance read may stand in for a new one before an order (see freeOn). */
export const BALANCE_REUSE_MS = 10_000;

export class ShardFunding {
  /** The last balance read: when (business clock, for the journal; monotonic, for its age) and what it said. */
  private last: { readAt: number; at: number; free: Map<number, number> } | null = null;

  constructor(private readonly d: FundingDeps) {}

  async free(): Promise<Map<number, number>> {
    const readAt = this.d.clock.now();
    const at = performance.now();
    const free = freeByShard(await this.d.api.getBalance());
    this.last = { readAt, at, free };
    return free;
  }

  /**
   * Free money on a shard for an order that may need up to `needE4`. A read under BALANCE_REUSE_MS old, less the
   * worst case of every order of ours that may have taken money since (unfinished, or touched since the read), is at
   * most what is free: when that covers the need, no new read is made. Otherwise, and without a need, the balance is
   * read. (Money spent outside the bot in those seconds is not seen: the exchange then refuses the order, cleanly.)
   */
  async freeOn(shard: number, needE4 = Number.POSITIVE_INFINITY): Promise<number> {
    const l = this.last;
    if (l && performance.now() - l.at < BALANCE_REUSE_MS) {
      // A transfer out of the shard not yet settled may leave it after the read, whenever the exchange debits it.
      const leaving = this.d.journal.transfers.open().reduce((a, t) => a + (t.from_shard === shard ? t.amount_e4 : 0), 0);
      const estimate = (l.free.get(shard) ?? 0) - this.d.journal.orders.worstCaseOnShardSince(shard, l.readAt) - leaving;
      if (estimate >= needE4) return estimate;
    }
    return (await this.free()).get(shard) ?? 0;
  }

  /**
   * Settle transfers whose outcome is not known: a lost answer or a crash ('sent', no id) is matched in the
   * exchange's history (never re-sent); an accepted one ('pending') is read until it completes.
   */
  async settleOpen(): Promise<void> {
    const { journal, api, clock } = this.d;
    const open = journal.transfers.open();
    if (open.length === 0) return;
    const lost = open.filter((t) => t.transfer_id === null);
    if (lost.length > 0) {
      const history = await api.listTransfers();
      const claimed = journal.transfers.knownIds();
      for (const row of lost) {
        const match = history
          .filter((h) => !claimed.has(h.transferId) && matches(row, h))
          .sort((a, b) => a.createdMs - b.createdMs)[0];
        if (match) {
          claimed.add(match.transferId);
          journal.transfers.update(row.id, { state: match.complete ? 'complete' : 'pending', transferId: match.transferId }, clock.now());
        } else if (clock.now() - row.created_at > TRANSFER_LOOKUP_WINDOW_MS) {
          // The whole history was read, in whatever order it comes: ten minutes on, it never happened.
          journal.transfers.update(row.id, { state: 'failed', reason: 'not in the exchange transfer history: it never happened' }, clock.now());
          this.d.alerter.send({
            kind: 'error',
            mode: this.d.mode,
            message: `A transfer of ${formatUsd(row.amount_e4)} from shard ${row.from_shard} to shard ${row.to_shard} got no answer and is not in Kalshi's transfer history after 10 minutes: written off as never sent. Check the balances on Kalshi if in doubt.`,
          });
        }
      }
    }
    for (const row of journal.transfers.open()) {
      if (row.transfer_id === null) continue;
      const t = await api.getTransfer(row.transfer_id).catch(() => null);
      if (t) this.noteStatus(row, t);
    }
  }

  /** complete, or any status other than pending (failed, canceled, unknown): the transfer is over. */
  private noteStatus(row: TransferRow, t: Transfer): void {
    const { journal, clock } = this.d;
    if (t.complete) journal.transfers.update(row.id, { state: 'complete' }, clock.now());
    else if (t.status !== 'pending') {
      journal.transfers.update(row.id, { state: 'failed', reason: `the exchange reports status ${t.status}` }, clock.now());
      this.d.alerter.send({
        kind: 'error',
        mode: this.d.mode,
        message: `The transfer of ${formatUsd(row.amount_e4)} from shard ${row.from_shard} to shard ${row.to_shard} ended as "${t.status}" on Kalshi.`,
      });
    }
  }

  /** Shards not to fund now: a transfer to them is unresolved, or arrived so recently the balance may not show it. */
  private busyShards(): Set<number> {
    const now = this.d.clock.now();
    const busy = new Set(this.d.journal.transfers.open().map((t) => t.to_shard));
    for (const t of this.d.journal.transfers.recent(50)) if (t.state === 'complete' && now - t.updated_at < ARRIVAL_GRACE_MS) busy.add(t.to_shard);
    return busy;
  }

  /**
   * Make each shard's free money cover its need (worst cases of the orders planned there): at most one transfer
   * per shard per call. Returns the free money per shard afterwards, as the exchange reports it.
   */
  async fund(needE4: ReadonlyMap<number, number>, canTransfer: (shard: number) => boolean = () => true): Promise<Map<number, number>> {
    const { journal, clock } = this.d;
    // A dry run moves no money (and sends no order that would need it).
    if (this.d.mode === 'DRY-RUN') return new Map();
    await this.settleOpen().catch(() => undefined);
    let free = await this.free();
    const shortOf = [...needE4].filter(([k, need]) => need > (free.get(k) ?? 0));
    if (shortOf.length === 0) return free;
    const day = tradingDay(clock.now(), this.d.timeZone);
    if (this.d.policy === 'off') {
      for (const [k, need] of shortOf) this.tellHowToFund(k, free.get(k) ?? 0, need, day);
      return free;
    }
    const plan = planTransfers({ freeE4: free, needE4, marginE4: this.d.marginE4, canTransfer, busy: this.busyShards() });
    const accepted: { row: number; transferId: string; t: PlannedTransfer }[] = [];
    for (const t of plan.transfers) {
      const id = await this.send(t.fromShard, t.toShard, t.amountE4, `orders on shard ${t.toShard} need ${formatUsd(t.shortfallE4)} more`);
      if (id) accepted.push({ ...id, t });
    }
    for (const s of plan.short) {
      this.d.alerter.send(
        { kind: 'error', mode: this.d.mode, message: `${shortReason(s.shard, s.freeE4, s.needE4)} and cannot be funded now: ${s.why}.` },
        { key: `fund-short:${s.shard}:${day}`, withinMs: 36 * 3_600_000 },
      );
    }
    if (accepted.length === 0) return free;
    await this.awaitArrival(accepted);
    // Arrival is confirmed by the balance itself, not by the transfer's status alone.
    free = await this.free();
    for (const { row, t } of accepted) {
      if (journal.transfers.get(row)?.state !== 'complete') continue;
      this.d.alerter.send({
        kind: 'info',
        mode: this.d.mode,
        message: `Moved ${formatUsd(t.amountE4)} from shard ${t.fromShard} to shard ${t.toShard} for the orders planned there; shard ${t.toShard} now has ${formatUsd(free.get(t.toShard) ?? 0)} free.`,
      });
    }
    return free;
  }

  /** Journal, then send once. Returns the exchange's id, or null (refused, or outcome unknown: left for settleOpen). */
  private async send(fromShard: number, toShard: number, amountE4: number, reason: string): Promise<{ row: number; transferId: string } | null> {
    const { journal, api, clock } = this.d;
    // Money is about to move: no balance read from before it stands in for a new one.
    this.last = null;
    const row = journal.transfers.insertSent({ fromShard, toShard, amountE4, reason, now: clock.now() });
    try {
      const transferId = await api.createTransfer({ fromShard, toShard, amountE4 });
      this.d.hooks?.afterTransferSent?.();
      journal.transfers.update(row, { state: 'pending', transferId }, clock.now());
      return { row, transferId };
    } catch (err) {
      // A 4xx (429 included: not processed) refuses this very request. Anything else may have moved the money.
      if (err instanceof KalshiApiError && err.status >= 400 && err.status < 500) {
        journal.transfers.update(row, { state: 'refused', reason: `${err.code}${err.details ? ` (${err.details})` : ''}` }, clock.now());
        return null;
      }
      // Outcome unknown: never re-sent; the history says what happened.
      await this.settleOpen().catch(() => undefined);
      const after = journal.transfers.get(row);
      return after?.transfer_id ? { row, transferId: after.transfer_id } : null;
    }
  }

  private async awaitArrival(accepted: { row: number; transferId: string }[]): Promise<void> {
    const { journal, api } = this.d;
    const deadline = performance.now() + (this.d.arrivalTimeoutMs ?? 10_000);
    const open = (a: { row: number }) => journal.transfers.get(a.row)?.state === 'pending';
    let waiting = accepted.filter(open);
    for (let delay = 50; waiting.length > 0 && performance.now() < deadline; delay = Math.min(delay * 2, 1000)) {
      await sleep(delay);
      for (const a of waiting) {
        const t = await api.getTransfer(a.transferId).catch(() => null);
        const row = journal.transfers.get(a.row);
        if (t && row) this.noteStatus(row, t);
      }
      waiting = waiting.filter(open);
    }
  }

  private tellHowToFund(shard: number, freeE4: number, needE4: number, day: string): void {
    this.d.alerter.send(
      {
        kind: 'error',
        mode: this.d.mode,
        message:
          `${shortReason(shard, freeE4, needE4)}: its orders are skipped. Move money to shard ${shard} on Kalshi ` +
          `(each shard keeps its own balance), or set SHARD_FUNDING=auto to let the bot move it.`,
      },
      { key: `fund-off:${shard}:${day}`, withinMs: 36 * 3_600_000 },
    );
  }
}

function matches(row: TransferRow, h: Transfer): boolean {
  return h.fromShard === row.from_shard && h.toShard === row.to_shard && h.amountE4 === row.amount_e4 && h.createdMs >= row.created_at - CLOCK_SLACK_MS;
}
