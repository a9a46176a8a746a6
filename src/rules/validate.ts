// Layer 3: validation. Pure: everything it needs is passed in.
import type { Market } from '../kalshi/market-schema.js';
import type { ShardStatus } from '../kalshi/schemas.js';
import { E2_PER_CONTRACT as E2 } from '../money.js';

// Imported bindings read through an accessor under tsx: the per-market paths use a local copy.
const E2_PER_CONTRACT = E2;

export interface ValidationContext {
  nowMs: number;
  tradingActive: boolean;
  horizonDays: number;
  minVolume24h: number; // contracts
  positionLimit: number; // contracts
  /** Lower-cased excluded categories. */
  excluded: ReadonlySet<string>;
  categoryOf(eventTicker: string): string | undefined;
  /** Contracts held plus resting in this market (exchange positions and the journal's unfinished orders). */
  exposureE2(ticker: string): number;
  /** Why orders on this exchange shard cannot trade now (its trading is paused), or null. */
  shardClosed?(exchangeIndex: number): string | null;
  /** Why this market's category or series is not traded today (e.g. the key may not trade it: a 403), or null. */
  blocked?(m: MarketKey, category: string | undefined): string | null;
}

/** What the checks after the quick ones read of a market: its ticker and its event. */
export type MarketKey = Pick<Market, 'ticker' | 'eventTicker'>;

export type ValidationResult = { ok: true; category: string | undefined } | { ok: false; reason: string };

const DAY_MS = 86_400_000;

/** The checks on a market's own numbers, as codes (0: all pass): the compact pass runs them over every candidate. */
export const QUICK = { OK: 0, NOT_TRADING: 1, SHARD_CLOSED: 2, SETTLED: 3, HORIZON: 4, VOLUME: 5 } as const;

export type QuickContext = Pick<ValidationContext, 'nowMs' | 'tradingActive' | 'horizonDays' | 'minVolume24h' | 'shardClosed'>;

/** Trading, shard, settlement time, horizon and 24h volume, in validateMarket's order. */
export function quickCode(exchangeIndex: number, settlesMs: number, volume24hE2: number, ctx: QuickContext): number {
  if (!ctx.tradingActive) return QUICK.NOT_TRADING;
  if (ctx.shardClosed?.(exchangeIndex)) return QUICK.SHARD_CLOSED;
  if (settlesMs <= ctx.nowMs) return QUICK.SETTLED;
  if (settlesMs - ctx.nowMs > ctx.horizonDays * DAY_MS) return QUICK.HORIZON;
  if (volume24hE2 < ctx.minVolume24h * E2_PER_CONTRACT) return QUICK.VOLUME;
  return QUICK.OK;
}

/** The text of a quick check's rejection (what /why shows). */
export function quickReason(code: number, exchangeIndex: number, settlesMs: number, volume24hE2: number, ctx: QuickContext): string {
  switch (code) {
    case QUICK.NOT_TRADING:
      return 'exchange is not trading';
    case QUICK.SHARD_CLOSED:
      return ctx.shardClosed?.(exchangeIndex) ?? '';
    case QUICK.SETTLED:
      return 'settlement time has passed';
    case QUICK.HORIZON:
      return `settles in ${Math.ceil((settlesMs - ctx.nowMs) / DAY_MS)} days, beyond the ${ctx.horizonDays}-day horizon`;
    default:
      return `24h volume ${Math.floor(volume24hE2 / E2_PER_CONTRACT)} < minimum ${ctx.minVolume24h} contracts`;
  }
}

/** What a quick rejection's text depends on besides the context, as one number (equal keys, equal texts). */
export function quickReasonKey(code: number, exchangeIndex: number, settlesMs: number, volume24hE2: number, nowMs: number): number {
  if (code === QUICK.SHARD_CLOSED) return code + 8 * exchangeIndex;
  if (code === QUICK.HORIZON) return code + 8 * Math.ceil((settlesMs - nowMs) / DAY_MS);
  if (code === QUICK.VOLUME) return code + 8 * Math.floor(volume24hE2 / E2_PER_CONTRACT);
  return code;
}

export function validateMarket(m: Market, ctx: ValidationContext): ValidationResult {
  if (m.status !== 'active') return { ok: false, reason: `market status is ${m.status}, not active` };
  const quick = quickCode(m.exchangeIndex, m.settlesMs, m.volume24hE2, ctx);
  if (quick !== QUICK.OK) return { ok: false, reason: quickReason(quick, m.exchangeIndex, m.settlesMs, m.volume24hE2, ctx) };
  return validateRest(m, ctx);
}

/** The checks after the quick ones (category, exclusions, today's 403s, the position limit): what the compact pass runs next. */
export function validateRest(m: MarketKey, ctx: ValidationContext): ValidationResult {
  const category = ctx.categoryOf(m.eventTicker);
  if (ctx.excluded.size > 0) {
    // With exclusions set, a market whose category is unknown cannot be shown to be allowed.
    if (category === undefined) return { ok: false, reason: 'category unknown while exclusions are set' };
    if (ctx.excluded.has(category.toLowerCase())) return { ok: false, reason: `category ${category} is excluded` };
  }
  const blocked = ctx.blocked?.(m, category) ?? null;
  if (blocked) return { ok: false, reason: blocked };
  const exposure = ctx.exposureE2(m.ticker);
  if (exposure >= ctx.positionLimit * E2_PER_CONTRACT) {
    return { ok: false, reason: `position ${Math.floor(exposure / E2_PER_CONTRACT)} is at the ${ctx.positionLimit}-contract limit` };
  }
  return { ok: true, category };
}

/**
 * Which shards trade now. The top-level flags describe shard 0; with per-shard statuses each shard answers for
 * itself (a paused sports shard does not stop economics), and a shard missing from the list follows the top level.
 */
export class ShardTrading {
  /** False only when the exchange lists no shards and its top level is not trading. */
  readonly tradingActive: boolean;
  private readonly listed: ReadonlyMap<number, ShardStatus>;

  constructor(
    private readonly topLevelTrading: boolean,
    shards: readonly ShardStatus[],
  ) {
    this.listed = new Map(shards.map((s) => [s.exchangeIndex, s]));
    // With shards listed, each shard answers for itself.
    this.tradingActive = this.listed.size === 0 ? topLevelTrading : true;
  }

  /** Why orders on this shard cannot trade now, or null. */
  shardClosed(k: number): string | null {
    if (this.listed.size === 0) return null;
    const s = this.listed.get(k);
    if (s === undefined) return this.topLevelTrading ? null : `exchange shard ${k} is not trading`;
    if (!s.exchangeActive || !s.tradingActive) return `exchange shard ${k}${s.description ? ` (${s.description})` : ''} has trading paused`;
    return null;
  }
}
