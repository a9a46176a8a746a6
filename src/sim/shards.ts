// Exchange shards ("exchange_index"): Kalshi runs several matching engines, each checking collateral
// on its own (KALSHI_API.md, "Exchange shards and changes since June 2026"). The sim keeps the map
// of docs.kalshi.com/getting_started/exchange_sharding: 0 catch-all, 1 combos, 2 Crypto, 3 Sports.

/** exchange_index runs 0..100 on the wire (transfer shards: gte=0,lte=100). */
export const MAX_SHARD = 100;

export const SHARD_DESCRIPTIONS: Record<number, string> = { 0: 'default', 1: 'combos', 2: 'crypto', 3: 'sports' };

/** A market's shard from its series' category (combo markets live on shard 1). */
export function shardForCategory(category: string, combo: boolean): number {
  if (combo) return 1;
  if (category === 'Crypto') return 2;
  if (category === 'Sports') return 3;
  return 0;
}

export interface ShardStatus {
  index: number;
  description: string;
  exchangeActive: boolean;
  tradingActive: boolean;
  transfersActive: boolean;
}

export const newShardStatus = (index: number): ShardStatus => ({
  index,
  description: SHARD_DESCRIPTIONS[index] ?? `shard ${index}`,
  exchangeActive: true,
  tradingActive: true,
  transfersActive: true,
});

/** A wire shard index: an integer in -1..100 (-1 = auto-route), or null when not one. */
export function parseShardText(raw: string): number | null {
  if (!/^-?\d{1,3}$/.test(raw)) return null;
  const n = Number(raw);
  return n >= -1 && n <= MAX_SHARD ? n : null;
}
