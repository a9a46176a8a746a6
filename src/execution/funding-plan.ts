// Which transfers make every shard's free money cover what is planned there. Pure: balances and needs in,
// transfers and shortfalls out. Money in e4 (centicents, the transfer's own unit); amounts are whole cents.
export interface PlannedTransfer {
  fromShard: number;
  toShard: number;
  amountE4: number;
  /** What the destination lacked before the margin. */
  shortfallE4: number;
}

export interface Shortfall {
  shard: number;
  freeE4: number;
  needE4: number;
  why: string;
}

const CENT_E4 = 100;
const upToCent = (e4: number) => Math.ceil(e4 / CENT_E4) * CENT_E4;
const downToCent = (e4: number) => Math.floor(e4 / CENT_E4) * CENT_E4;

/**
 * For each shard whose free money is below its need, one transfer of the shortfall plus the margin from the
 * shard with the most to spare (what it has beyond its own need). Never more than the source can spare; a
 * shard that cannot be covered in full gets no transfer and is reported short.
 */
export function planTransfers(o: {
  freeE4: ReadonlyMap<number, number>;
  needE4: ReadonlyMap<number, number>;
  marginE4: number;
  /** False when a shard cannot send or receive transfers now. */
  canTransfer: (shard: number) => boolean;
  /** Shards already waiting on a transfer whose outcome is not known: never funded twice. */
  busy: ReadonlySet<number>;
}): { transfers: PlannedTransfer[]; short: Shortfall[] } {
  const shards = [...new Set([...o.freeE4.keys(), ...o.needE4.keys()])].sort((a, b) => a - b);
  const spare = new Map(shards.map((s) => [s, (o.freeE4.get(s) ?? 0) - (o.needE4.get(s) ?? 0)]));
  const transfers: PlannedTransfer[] = [];
  const short: Shortfall[] = [];
  for (const to of shards) {
    const needE4 = o.needE4.get(to) ?? 0;
    const freeE4 = o.freeE4.get(to) ?? 0;
    if (needE4 <= 0 || freeE4 >= needE4) continue;
    const shortfallE4 = needE4 - freeE4;
    if (o.busy.has(to)) {
      short.push({ shard: to, freeE4, needE4, why: 'a transfer to it is still being confirmed' });
      continue;
    }
    if (!o.canTransfer(to)) {
      short.push({ shard: to, freeE4, needE4, why: 'transfers to it are not active' });
      continue;
    }
    // Never from a shard that receives in this plan: its incoming money is still in flight.
    const receiving = new Set(transfers.map((t) => t.toShard));
    const sources = shards.filter((s) => s !== to && !receiving.has(s) && o.canTransfer(s)).sort((a, b) => (spare.get(b) ?? 0) - (spare.get(a) ?? 0));
    const from = sources[0];
    const available = from === undefined ? 0 : downToCent(spare.get(from) ?? 0);
    if (from === undefined || available < shortfallE4) {
      short.push({ shard: to, freeE4, needE4, why: 'no shard has enough to spare' });
      continue;
    }
    const amountE4 = Math.min(upToCent(shortfallE4 + o.marginE4), available);
    transfers.push({ fromShard: from, toShard: to, amountE4, shortfallE4 });
    spare.set(from, (spare.get(from) ?? 0) - amountE4);
    spare.set(to, (spare.get(to) ?? 0) + amountE4);
  }
  return { transfers, short };
}
