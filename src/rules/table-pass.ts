// Layers 2-4 over the whole universe in its compact form. The band and the checks on a market's own numbers run on
// the table's columns with the very functions the record path is built from (bandCode, quickCode), and only the
// markets that pass them (a few thousand of 120,000) are turned into records for the rest (validateRest, then
// evaluateValid: evaluateMarket's own steps after its band and quick checks). Every
// decision is kept as codes plus an index into the cycle's distinct reason texts, each text formatted once.
import { emptyObjects } from '../elements.js';
import type { Decision } from '../journal/cycles.js';
import { OUTCOMES } from '../journal/decisions.js';
import type { MarketTable } from '../kalshi/market-table.js';
import type { Market } from '../kalshi/market-schema.js';
import { CONTRACT_PAYOUT_E4 as PAYOUT, E2_PER_CONTRACT as E2, type FeeSchedule } from '../money.js';
import * as band from './band.js';
import type { BandSettings } from './band.js';
import { type Evaluation, type EvaluationContext, evaluateValid as evaluateValidImport } from './evaluate.js';
import { sizeOrder as sizeOrderImport } from './risk.js';
import * as valid from './validate.js';
import type { MarketKey, QuickContext, ValidationContext } from './validate.js';

// Imported bindings read through an accessor under tsx (a few ns each, per market): local copies for the loops.
const CONTRACT_PAYOUT_E4 = PAYOUT;
const E2_PER_CONTRACT = E2;
const { bandCode, bandReason, bandReasonKey } = band;
const BAND_YES = band.BAND.YES;
const BAND_NO = band.BAND.NO;
const { QUICK, quickCode, quickReason, quickReasonKey } = valid;
const QUICK_OK = QUICK.OK;
const evaluateValid = evaluateValidImport;
const sizeOrder = sizeOrderImport;
const { validateRest } = valid;

/** Keys below this (nearly all: whole-cent prices, days, contracts) find their text through an array. */
const SMALL_KEYS = 1 << 17;
/** Key spaces: band texts, quick-check texts (settings-bound), shard texts (bound to the exchange's status). */
const NS_BAND = 0;
const NS_QUICK = 1;
const NS_SHARD = 2;
/** Evaluations kept across cycles before they are all dropped (a cycle makes about 2,000; each holds a few hundred bytes). */
const MAX_KEPT_SHAPES = 20_000;

/** Texts kept before they are all dropped at a cycle's start (a cycle uses a few thousand). */
const MAX_KEPT_TEXTS = 20_000;

/**
 * The reason texts and their ids, kept from cycle to cycle while the settings they depend on (band, horizon, minimum
 * volume) stay the same: a cycle formats only the texts it has not seen before, and finds a kept one's id by its key
 * in an array. Ids index `list`, which only grows within a cycle (a cycle's columns hold ids into it; a change of
 * settings starts a new list, the old one left to the columns that use it). Shard texts follow the exchange's status:
 * their keys are asked afresh every cycle.
 */
export class ReasonTexts {
  private signature = '';
  list: string[] = emptyObjects();
  private byText = new Map<string, number>();
  /** Per key space (band, quick, shard): the small keys' ids (made when first asked for), and the larger keys'. */
  private small: Array<Int32Array | null> = [null, null, null];
  private byKey: Array<Map<number, number>> = [new Map(), new Map(), new Map()];

  /** Start a cycle under these settings (a change forgets every kept text). */
  use(s: { bandMinE4: number; bandMaxE4: number; horizonDays: number; minVolume24h: number }): void {
    const sig = `${s.bandMinE4} ${s.bandMaxE4} ${s.horizonDays} ${s.minVolume24h}`;
    if (sig !== this.signature || this.list.length > MAX_KEPT_TEXTS) {
      this.signature = sig;
      this.list = emptyObjects();
      this.byText = new Map();
      this.small = [null, null, null];
      this.byKey = [new Map(), new Map(), new Map()];
      return;
    }
    this.small[NS_SHARD]?.fill(-1);
    this.byKey[NS_SHARD]!.clear();
  }

  textId(text: string): number {
    let id = this.byText.get(text);
    if (id === undefined) {
      id = this.list.length;
      this.list.push(text);
      this.byText.set(text, id);
    }
    return id;
  }

  /** The id of a text already known by this key (-1: not yet; then keyedId). */
  knownId(ns: number, key: number): number {
    if (key >= 0 && key < SMALL_KEYS) return this.small[ns]?.[key] ?? -1;
    return this.byKey[ns]?.get(key) ?? -1;
  }

  /** The ids of a key space's small keys (below SMALL_KEYS; -1 not yet known), for a loop to read directly. */
  keyIds(ns: number): Int32Array {
    let tab = this.small[ns];
    if (!tab) {
      tab = new Int32Array(SMALL_KEYS).fill(-1);
      this.small[ns] = tab;
    }
    return tab;
  }

  /** The id of a text known by a numeric key within a key space (formatted only when the key is new). */
  keyedId(ns: number, key: number, format: () => string): number {
    if (key >= 0 && key < SMALL_KEYS) {
      const tab = this.keyIds(ns);
      const id = tab[key]!;
      if (id >= 0) return id;
      const fresh = this.textId(format());
      tab[key] = fresh;
      return fresh;
    }
    const m = this.byKey[ns]!;
    let id = m.get(key);
    if (id === undefined) {
      id = this.textId(format());
      m.set(key, id);
    }
    return id;
  }
}

const OUTCOME_CODE: Record<Decision['outcome'], number> = { rejected: 1, ordered: 2, approval: 3, passed: 4 };
const SIDE_CODE = { yes: 1, no: 2 } as const;
const REJECTED = OUTCOME_CODE.rejected;
const YES = SIDE_CODE.yes;
const NO = SIDE_CODE.no;

/**
 * One decision per table row, in columns: layer (0 = no decision), outcome (1..4, OUTCOMES[code - 1]), side
 * (0 none, 1 yes, 2 no), price (e4, -1 none) and the index of its text in `reasons`.
 */
export class DecisionColumns {
  readonly layer: Uint8Array;
  readonly outcome: Uint8Array;
  readonly side: Uint8Array;
  readonly priceE4: Int32Array;
  readonly reason: Int32Array;
  /** The texts the reason ids index (the kept texts' list: it may hold texts of earlier cycles too). */
  readonly reasons: readonly string[];

  constructor(
    readonly count: number,
    /** Where the reason ids come from (kept across cycles by the cycle's ReasonTexts). */
    readonly texts: ReasonTexts = new ReasonTexts(),
  ) {
    this.layer = new Uint8Array(count);
    this.outcome = new Uint8Array(count);
    this.side = new Uint8Array(count);
    this.priceE4 = new Int32Array(count).fill(-1);
    this.reason = new Int32Array(count);
    this.reasons = texts.list;
  }

  /** Record (or overwrite) row i's decision. */
  set(i: number, d: Pick<Decision, 'layer' | 'outcome' | 'reason' | 'side' | 'priceE4'>): void {
    this.put(i, d.layer, OUTCOME_CODE[d.outcome], d.side ? SIDE_CODE[d.side] : 0, d.priceE4 ?? -1, this.texts.textId(d.reason));
  }

  /** Record row i's decision from its parts (no object to build: layer 4 records thousands in a paused cycle). */
  record(i: number, layer: Decision['layer'], outcome: Decision['outcome'], reason: string, side: 'yes' | 'no' | null, priceE4: number | null): void {
    this.put(i, layer, OUTCOME_CODE[outcome], side ? SIDE_CODE[side] : 0, priceE4 ?? -1, this.texts.textId(reason));
  }

  put(i: number, layer: number, outcome: number, side: number, priceE4: number, reasonId: number): void {
    this.layer[i] = layer;
    this.outcome[i] = outcome;
    this.side[i] = side;
    this.priceE4[i] = priceE4;
    this.reason[i] = reasonId;
  }

  /** Row i's decision as the journal's record (undefined when the cycle made none). */
  decision(i: number, ticker: string): Decision | undefined {
    const layer = this.layer[i]!;
    if (layer === 0) return undefined;
    const side = this.side[i]!;
    const price = this.priceE4[i]!;
    return {
      ticker,
      layer: layer as Decision['layer'],
      outcome: OUTCOMES[this.outcome[i]! - 1]!,
      reason: this.reasons[this.reason[i]!]!,
      side: side === 1 ? 'yes' : side === 2 ? 'no' : null,
      priceE4: price < 0 ? null : price,
    };
  }
}

export type Passed = { readonly i: number; readonly m: Market; readonly ev: Extract<Evaluation, { pass: true }> };

/** A market that passed: its record is built from the table only when asked for (an order, an approval). */
class PassedRow implements Passed {
  private record: Market | null = null;

  constructor(
    private readonly t: MarketTable,
    readonly i: number,
    readonly ev: Extract<Evaluation, { pass: true }>,
  ) {}

  get m(): Market {
    this.record ??= this.t.market(this.i);
    return this.record;
  }
}

/** Layer 2 over every row. Returns the rows in band (candidates), in table order; the rest get their decision. */
export function bandPass(t: MarketTable, s: BandSettings, out: DecisionColumns, side: Uint8Array, price: Int32Array): Int32Array {
  const n = t.size;
  const { yesBidE4, yesAskE4, yesBidSizeE2, yesAskSizeE2 } = t;
  // The two numbers the band reads, in a small object of their own (the settings object is read 240,000 times here).
  const bs: BandSettings = { bandMinE4: s.bandMinE4, bandMaxE4: s.bandMaxE4 };
  const { layer, outcome, reason } = out;
  const known = out.texts.keyIds(NS_BAND);
  const candidates = new Int32Array(n);
  let c = 0;
  // No closure in this loop: a variable a closure captures is allocated afresh on every pass (120,000 a cycle).
  for (let i = 0; i < n; i++) {
    const bid = yesBidE4[i]!;
    const ask = yesAskE4[i]!;
    const bidSize = yesBidSizeE2[i]!;
    const askSize = yesAskSizeE2[i]!;
    const code = bandCode(bid, ask, bidSize, askSize, bs);
    if (code === BAND_YES) {
      side[i] = YES;
      price[i] = ask;
      candidates[c++] = i;
    } else if (code === BAND_NO) {
      side[i] = NO;
      price[i] = CONTRACT_PAYOUT_E4 - bid;
      candidates[c++] = i;
    } else {
      const key = bandReasonKey(code, bid, ask, bidSize, askSize);
      let id = key < SMALL_KEYS ? known[key]! : -1;
      if (id < 0) id = bandTextId(out, key, code, bid, ask, bidSize, askSize, bs);
      // Side (none) and price (none) are the columns' defaults.
      layer[i] = 2;
      outcome[i] = REJECTED;
      reason[i] = id;
    }
  }
  return candidates.subarray(0, c);
}

function bandTextId(out: DecisionColumns, key: number, code: number, bid: number, ask: number, bidSize: number, askSize: number, s: BandSettings): number {
  return out.texts.keyedId(NS_BAND, key, () => bandReason(code, bid, ask, bidSize, askSize, s));
}

/**
 * The candidates worth a category lookup: settling within the horizon with enough 24h volume (as the cycle has
 * always asked for them, before the exchange's trading state is considered).
 */
export function lookupRows(t: MarketTable, candidates: Int32Array, ctx: Pick<QuickContext, 'nowMs' | 'horizonDays' | 'minVolume24h'>): Int32Array {
  const horizonMs = ctx.horizonDays * 86_400_000;
  const minVol = ctx.minVolume24h * E2_PER_CONTRACT;
  const out = new Int32Array(candidates.length);
  let k = 0;
  // Indexed: a typed array's iterator is slow until the loop is compiled, and this runs once a cycle.
  for (let c = 0; c < candidates.length; c++) {
    const i = candidates[c]!;
    const settles = t.settlesMs[i]!;
    if (settles > ctx.nowMs && settles - ctx.nowMs <= horizonMs && t.volume24hE2[i]! >= minVol) out[k++] = i;
  }
  return out.subarray(0, k);
}

/**
 * Layer 3's checks on the candidates' own numbers, then everything else (category, exposure, sizing, fee, approval)
 * through validateRest and evaluateValid (as evaluateMarket runs them) for the rows that pass them. Returns the markets that pass every layer, in table order.
 */
export function evaluatePass(
  t: MarketTable,
  candidates: Int32Array,
  side: Uint8Array,
  price: Int32Array,
  ctx: EvaluationContext,
  vctx: ValidationContext,
  out: DecisionColumns,
  shapes: Shapes = new Shapes(),
): Passed[] {
  const passed: Passed[] = [];
  const once = new PerEvent(t, ctx, vctx);
  shapes.use(once, t.events.length);
  const view: MarketKey = { ticker: '', eventTicker: '' };
  for (let c = 0; c < candidates.length; c++) {
    const i = candidates[c]!;
    const k = t.exchangeIndex[i]!;
    const settles = t.settlesMs[i]!;
    const vol = t.volume24hE2[i]!;
    const code = quickCode(k, settles, vol, once);
    if (code !== QUICK_OK) {
      const ns = code === QUICK.SHARD_CLOSED ? NS_SHARD : NS_QUICK;
      const key = quickReasonKey(code, k, settles, vol, once.nowMs);
      let id = out.texts.knownId(ns, key);
      if (id < 0) id = quickTextId(out, ns, key, code, k, settles, vol, once);
      out.put(i, 3, REJECTED, side[i]!, price[i]!, id);
      continue;
    }
    // The rest reads the market's ticker and event, not a whole record: one view, refilled per row.
    view.ticker = t.tickers[i]!;
    view.eventTicker = t.eventTicker(i);
    once.event = t.eventOf[i]!;
    // Band and quick checks passed above on the columns: the rest of the layers, as evaluateMarket runs them.
    const rest = validateRest(view, once);
    if (!rest.ok) {
      out.put(i, 3, REJECTED, side[i]!, price[i]!, out.texts.textId(rest.reason));
      continue;
    }
    const yes = side[i] === YES;
    const sizeE2 = yes ? t.yesAskSizeE2[i]! : t.yesBidSizeE2[i]!;
    const key = shapes.key(view, once.event, yes, price[i]!, sizeE2, rest.category);
    let ev = key < 0 ? undefined : shapes.get(key);
    if (ev === undefined) {
      const inBand = { ok: true, side: yes ? 'yes' : 'no', priceE4: price[i]!, sizeE2 } as const;
      ev = evaluateValid(t.market(i), inBand, rest.category, once);
      if (key >= 0) shapes.set(key, ev);
    }
    if (ev.pass) passed.push(new PassedRow(t, i, ev));
    else out.set(i, { layer: ev.layer, outcome: 'rejected', reason: ev.reason, side: ev.side ?? null, priceE4: ev.priceE4 ?? null });
  }
  return passed;
}

/**
 * One evaluation per distinct shape. evaluateValid's answer for a taker is a function of the event's fee rule, the
 * category, the contracts it sizes to (what the book, the budget, the position limit and the exposure leave), the
 * price and the side, under the context's budget, position limit, calibration, minimum edge and approval rules: the
 * ticker does not enter it. Thousands of candidates share a few hundred shapes, so each is evaluated once and its
 * (immutable) evaluation shared, and kept for the next cycle while that context is the same (the cycle holds one
 * Shapes). A maker's price reads the market's own book: makers are evaluated one by one.
 */
export class Shapes {
  /** Per (fee rule, category) pair: evaluations by (contracts, price, side), packed below 2^30 (a small integer). */
  private readonly groups: Array<Map<number, Evaluation>> = [];
  /** Groups by the fee rule's content (type, then multiplier), then category. */
  private readonly groupIds = new Map<string, Map<number, Map<string | undefined, number>>>();
  private kept = 0;
  /** What the kept evaluations were made under. */
  private signature = '';
  private calibration: EvaluationContext['calibration'] = null;
  /** Per event of the cycle's table: 1 + its group (0: not asked yet). */
  private groupOfEvent = new Int32Array(0);
  private on = false;
  private ctx: PerEvent | null = null;
  private current: Map<number, Evaluation> | null = null;

  /** Start a cycle: its context, and its table's event count. Evaluations made under another context are forgotten. */
  use(ctx: PerEvent, events: number): void {
    const { maxCostPerTradeE4, positionLimit } = ctx.settings;
    const rules = ctx.approvalRules;
    const sig = `${maxCostPerTradeE4} ${positionLimit} ${ctx.positionLimit} ${ctx.minEdgeE4 ?? ''} ${ctx.orderStyle ?? 'taker'} ${rules.approvalAboveCostE4 ?? ''} ${[...rules.approvalCategories].join(',')}`;
    const calibration = ctx.calibration ?? null;
    // The calibration's lookup is rebuilt (a new object) whenever it changes.
    if (sig !== this.signature || calibration !== this.calibration || this.kept > MAX_KEPT_SHAPES) {
      this.signature = sig;
      this.calibration = calibration;
      for (const g of this.groups) g.clear();
      this.kept = 0;
    }
    this.ctx = ctx;
    this.on = ctx.orderStyle !== 'maker' && ctx.positionLimit <= 50_000;
    this.groupOfEvent = new Int32Array(events);
  }

  /**
   * The shape's number within its group (which get and set then use), or -1 when this market is evaluated on its
   * own. `event` is the row's event (the fee rule and the category are the event's).
   */
  key(m: MarketKey, event: number, yes: boolean, priceE4: number, sizeE2: number, category: string | undefined): number {
    if (!this.on || priceE4 < 0 || priceE4 > 10_000) return -1;
    const ctx = this.ctx!;
    let g = this.groupOfEvent[event]!;
    if (g === 0) {
      g = this.groupOf(ctx.feeOf(m.eventTicker), category) + 1;
      this.groupOfEvent[event] = g;
    }
    this.current = this.groups[g - 1]!;
    const contracts = sizeOrder({
      priceE4,
      topSizeE2: sizeE2,
      maxCostPerTradeE4: ctx.settings.maxCostPerTradeE4,
      positionLimit: ctx.positionLimit,
      exposureE2: ctx.exposureE2(m.ticker),
    });
    return (contracts * 10_001 + priceE4) * 2 + (yes ? 1 : 0);
  }

  get(key: number): Evaluation | undefined {
    return this.current!.get(key);
  }

  set(key: number, ev: Evaluation): void {
    this.current!.set(key, ev);
    this.kept++;
  }

  private groupOf(fee: FeeSchedule | null, category: string | undefined): number {
    // No fee rule known: type '' (no fee type is empty).
    const type = fee ? fee.feeType : '';
    const multiplier = fee ? fee.multiplierE4 : -1;
    let byMultiplier = this.groupIds.get(type);
    if (!byMultiplier) {
      byMultiplier = new Map();
      this.groupIds.set(type, byMultiplier);
    }
    let byCategory = byMultiplier.get(multiplier);
    if (!byCategory) {
      byCategory = new Map();
      byMultiplier.set(multiplier, byCategory);
    }
    let g = byCategory.get(category);
    if (g === undefined) {
      g = this.groups.length;
      this.groups.push(new Map());
      byCategory.set(category, g);
    }
    return g;
  }

}

/**
 * The cycle's context for the table's candidates: category and fee rule asked once per event (they are functions of
 * the event alone within a cycle; evaluateMarket asks them for the market it is given, so the row's event is set by
 * the loop, and checked), the shard check once per shard. A class, as DecisionContext is: see there why.
 */
class PerEvent implements EvaluationContext, ValidationContext, QuickContext {
  /** The event of the row being evaluated (an index into the table's events), -1 none. */
  event = -1;
  readonly nowMs: number;
  readonly tradingActive: boolean;
  readonly settings: EvaluationContext['settings'];
  readonly excluded: ReadonlySet<string>;
  readonly approvalRules: EvaluationContext['approvalRules'];
  readonly calibration: EvaluationContext['calibration'];
  readonly minEdgeE4: EvaluationContext['minEdgeE4'];
  readonly orderStyle: EvaluationContext['orderStyle'];
  readonly horizonDays: number;
  readonly minVolume24h: number;
  readonly positionLimit: number;
  /** Per event of the table: 1 + the index of its answer in the lists below (0: not asked yet). Typed, zeroed for free. */
  private readonly categoryAt: Int32Array;
  private readonly categories: Array<string | undefined> = emptyObjects();
  private readonly feeAt: Int32Array;
  private readonly fees: Array<FeeSchedule | null> = emptyObjects();
  /** '' is no ticker (a string, as every ticker compared with it is). */
  private lastTicker = '';
  private lastExposure = 0;
  /** By shard (0..100): undefined not asked yet. */
  private readonly shardReason: Array<string | null | undefined> = Array.from({ length: 101 }, () => undefined);

  constructor(
    private readonly t: MarketTable,
    private readonly ctx: EvaluationContext,
    private readonly vctx: ValidationContext,
  ) {
    this.nowMs = vctx.nowMs;
    this.tradingActive = vctx.tradingActive;
    this.settings = ctx.settings;
    this.excluded = vctx.excluded;
    this.approvalRules = ctx.approvalRules;
    this.calibration = ctx.calibration;
    this.minEdgeE4 = ctx.minEdgeE4;
    this.orderStyle = ctx.orderStyle;
    this.horizonDays = vctx.horizonDays;
    this.minVolume24h = vctx.minVolume24h;
    this.positionLimit = vctx.positionLimit;
    const n = t.events.length;
    this.categoryAt = new Int32Array(n);
    this.feeAt = new Int32Array(n);
  }

  private isRowEvent(e: string): boolean {
    return this.event >= 0 && this.t.events[this.event] === e;
  }

  categoryOf(e: string): string | undefined {
    if (!this.isRowEvent(e)) return this.vctx.categoryOf(e);
    const k = this.event;
    let at = this.categoryAt[k]!;
    if (at === 0) {
      at = this.categories.push(this.vctx.categoryOf(e));
      this.categoryAt[k] = at;
    }
    return this.categories[at - 1];
  }

  feeOf(e: string): FeeSchedule | null {
    if (!this.isRowEvent(e)) return this.ctx.feeOf(e);
    const k = this.event;
    let at = this.feeAt[k]!;
    if (at === 0) {
      at = this.fees.push(this.ctx.feeOf(e));
      this.feeAt[k] = at;
    }
    return this.fees[at - 1] ?? null;
  }

  /** Asked up to three times per row (validateRest, the shape, evaluateValid): the last answer is kept. */
  exposureE2(ticker: string): number {
    if (ticker !== this.lastTicker) {
      this.lastTicker = ticker;
      this.lastExposure = this.vctx.exposureE2(ticker);
    }
    return this.lastExposure;
  }

  shardClosed(k: number): string | null {
    let r = this.shardReason[k];
    if (r === undefined) {
      r = this.vctx.shardClosed?.(k) ?? null;
      this.shardReason[k] = r;
    }
    return r;
  }

  blocked(m: MarketKey, category: string | undefined): string | null {
    return this.vctx.blocked?.(m, category) ?? null;
  }
}

// Outside the loops: a closure there would allocate the variables it captures on every pass.
function quickTextId(out: DecisionColumns, ns: number, key: number, code: number, k: number, settles: number, vol: number, q: QuickContext): number {
  return out.texts.keyedId(ns, key, () => quickReason(code, k, settles, vol, q));
}
