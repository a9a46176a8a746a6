// Order flow against resting orders, so a maker's fills are realistic: takers arrive over time, at a rate that follows
// the market's 24h volume (half of it on each side), in 10-second slices of random size (exponential around the
// rate). Flow reaches the best price first: a resting order at the best bid waits behind the size that was there when
// it arrived (its queue position), one a cent better is first in line, one below the best gets nothing until the book
// comes to it (and a book that moves through it fills it: the cross, in exchange.ts).
//
// The flow is informed, as real flow is: takers sell into bids more often in markets that will resolve NO, and buy
// from asks more often in markets that will resolve YES (`toxicity` 0.5: 1.5x on the losing side, 0.5x on the
// winning one). That adverse selection is what a maker pays for the spread and the fee it saves.
import type { Order } from './account.js';
import type { Top } from './book.js';
import { hash32 } from './prng.js';
import { MOVE_BUCKET_MS, type SimMarket } from './universe.js';

export interface FlowOptions {
  /** How much more flow hits the side that will lose (0: uninformed flow). Default 0.5. */
  toxicity?: number;
}

/** Slices looked at in one go at most (a clock jump of days does not walk every 10 seconds of it). */
const MAX_SLICES = 20_000;

export class MakerFlow {
  private readonly orders = new Map<string, { aheadE2: number; fromMs: number; carryE2: number }>();
  readonly toxicity: number;

  constructor(
    private readonly seed: number,
    opts: FlowOptions = {},
  ) {
    this.toxicity = Math.min(1, Math.max(0, opts.toxicity ?? 0.5));
  }

  /**
   * Contracts (e2) of resting order `o` that the flow filled since it was last looked at, up to time t. `topAt` is the
   * market's own book top at a time (without our orders); `outcome` what the market will resolve to.
   */
  filled(o: Order, m: SimMarket, t: number, topAt: (ms: number) => Top, outcome: 'yes' | 'no'): number {
    const bid = o.side === 'bid';
    let st = this.orders.get(o.orderId);
    if (!st) {
      // Queue position at arrival: behind what rested at the same price, ahead of everything at a worse one.
      const top = topAt(o.createdMs);
      const best = bid ? (top.bidSizeE2 > 0 ? top.bidE4 : 0) : top.askSizeE2 > 0 ? top.askE4 : 10_000;
      const size = bid ? top.bidSizeE2 : top.askSizeE2;
      st = { aheadE2: o.priceE4 === best ? size : 0, fromMs: o.createdMs, carryE2: 0 };
      this.orders.set(o.orderId, st);
    }
    const from = st.fromMs;
    if (t <= from) return 0;
    const first = Math.floor(from / MOVE_BUCKET_MS);
    const last = Math.min(Math.floor((t - 1) / MOVE_BUCKET_MS), first + MAX_SLICES);
    // Half the day's volume on each side, moved by what the market will do (informed traders).
    const losing = bid ? outcome === 'no' : outcome === 'yes';
    const perSliceE2 = (m.volume24hE2 / 2 / 86_400_000) * MOVE_BUCKET_MS * (losing ? 1 + this.toxicity : 1 - this.toxicity);
    let gotE2 = st.carryE2;
    for (let k = first; k <= last; k++) {
      // The part of slice k since the last look (a slice is shared pro rata between looks).
      const part = (Math.min(t, (k + 1) * MOVE_BUCKET_MS) - Math.max(from, k * MOVE_BUCKET_MS)) / MOVE_BUCKET_MS;
      if (part <= 0) continue;
      const top = topAt(k * MOVE_BUCKET_MS);
      const best = bid ? (top.bidSizeE2 > 0 ? top.bidE4 : 0) : top.askSizeE2 > 0 ? top.askE4 : 10_000;
      // Flow takes the best price first: a better price than ours in the book leaves none for us.
      if (bid ? best > o.priceE4 : best < o.priceE4) continue;
      const u = (hash32(this.seed, m.idx, k, bid ? 1 : 2) + 1) / 4_294_967_297;
      let v = -Math.log(u) * perSliceE2 * part;
      if (best === o.priceE4) {
        const used = Math.min(st.aheadE2, v);
        st.aheadE2 -= used;
        v -= used;
      }
      gotE2 += v;
    }
    st.fromMs = Math.min(t, (last + 1) * MOVE_BUCKET_MS);
    const whole = Math.floor(gotE2);
    st.carryE2 = gotE2 - whole;
    return whole;
  }

  /** Forget an order that is no longer resting. */
  done(orderId: string): void {
    this.orders.delete(orderId);
  }
}
