// Layer 3: validation. Pure: everything it needs is passed in.
import type { Market } from '../kalshi/market-schema.js';
import type { ShardStatus } from '../kalshi/schemas.js';
import { E2_PER_CONTRACT } from '../money.js';

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
  blocked?(m: Market, category: string | undefined): string | null;
}

export type ValidationResult = { ok: true; category: string | undefined } | { ok: false; reason: string };

const DAY_MS = 86_400_000;

export function validateMarket(m: Market, ctx: ValidationContext): ValidationResult {
  if (m.status !== 'active') return { ok: false, reason: `market status is ${m.status}, not active` };
  if (!ctx.tradingActive) return { ok: false, reason: 'exchange is not trading' };
  const shard = ctx.shardClosed?.(m.exchangeIndex) ?? null;
  if (shard) return { ok: false, reason: shard };
  if (m.settlesMs <= ctx.nowMs) return { ok: false, reason: 'settlement time has passed' };
  const horizonMs = ctx.horizonDays * DAY_MS;
  if (m.settlesMs - ctx.nowMs > horizonMs) {
    const days = Math.ceil((m.settlesMs - ctx.nowMs) / DAY_MS);
    return { ok: false, reason: `settles in ${days} days, beyond the ${ctx.horizonDays}-day horizon` };
  }
  if (m.volume24hE2 < ctx.minVolume24h * E2_PER_CONTRACT) {
    return { ok: false, reason: `24h volume ${Math.floor(m.volume24hE2 / E2_PER_CONTRACT)} < minimum ${ctx.minVolume24h} contracts` };
  }
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
export function shardTradingOf(
  topLevelTrading: boolean,
  shards: readonly ShardStatus[],
): { tradingActive: boolean; shardClosed: (k: number) => string | null } {
  const listed = new Map(shards.map((s) => [s.exchangeIndex, s]));
  if (listed.size === 0) return { tradingActive: topLevelTrading, shardClosed: () => null };
  return {
    // Each shard answers for itself.
    tradingActive: true,
    shardClosed: (k) => {
      const s = listed.get(k);
      if (s === undefined) return topLevelTrading ? null : `exchange shard ${k} is not trading`;
      if (!s.exchangeActive || !s.tradingActive) return `exchange shard ${k}${s.description ? ` (${s.description})` : ''} has trading paused`;
      return null;
    },
  };
}
