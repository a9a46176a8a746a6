// What layers 2-4 read besides the market itself, for one decision moment: the settings, the exchange's trading state,
// categories and fee rules, exposures, today's 403 blocklist, approval rules, the calibration. One builder for the
// cycle, the stream and an approval's re-check, so all three decide alike.
//
// A class with methods, not an object of arrow functions: the cycle asks it for thousands of markets, and V8 compiles
// those calls against the functions it sees. Fresh closures every cycle throw that compiled code away each time (it
// was most of the validation layer's time over 120,000 markets); methods stay the same functions from cycle to cycle.
import { type Clock, tradingDay } from '../clock.js';
import type { Executor } from '../execution/executor.js';
import type { ShardFunding } from '../execution/funding.js';
import type { ExchangeStatus } from '../kalshi/schemas.js';
import type { Journal } from '../journal/index.js';
import type { Settings } from '../journal/settings.js';
import type { Alerter } from '../notify/alerter.js';
import type { Mode } from '../notify/alerts.js';
import type { FeeSchedule } from '../money.js';
import type { DayBlocklist } from '../rules/blocklist.js';
import type { CalibrationLookup } from '../rules/edge.js';
import { type EvaluationContext, FEE_HORIZON_MARGIN_MS } from '../rules/evaluate.js';
import type { ApprovalRules } from '../rules/risk.js';
import { type MarketKey, ShardTrading, type ValidationContext } from '../rules/validate.js';
import type { CategoryCache } from './categories.js';

/** What every decision stands on, the cycle's, the stream's and an approval's alike (createApp's `decide`). */
export interface DecideDeps {
  journal: Journal;
  clock: Clock;
  executor: Executor;
  categories: CategoryCache;
  alerter: Alerter;
  mode: Mode;
  timeZone: string;
  approvalRules: ApprovalRules;
  /** Collateral per shard; absent: orders are not funded (dry-run, tests of the cap alone). */
  funding?: ShardFunding;
  /** Categories or series the exchange refused (403) today. */
  blocked: DayBlocklist;
  /** The calibration every candidate's edge is read from, and MIN_EDGE. */
  calibration?: { lookup(): CalibrationLookup | null };
  minEdgeE4?: number | null;
  /** ORDER_STYLE (default taker). */
  orderStyle?: 'taker' | 'maker';
}

export interface DecisionContextDeps {
  categories: Pick<CategoryCache, 'categoryOf' | 'feeOf'>;
  blocked?: DayBlocklist;
  approvalRules: ApprovalRules;
  timeZone: string;
  /** How long an order can live beyond its placing (fill timeout + margin): a fee change due within it is charged. */
  feeHorizonMs: number;
  calibration?: { lookup(): CalibrationLookup | null };
  minEdgeE4?: number | null;
  orderStyle?: 'taker' | 'maker';
}

/** The deps from what the cycle, the stream and the approvals each hold (the same rules everywhere). */
export function decisionDepsOf(d: {
  categories: DecisionContextDeps['categories'];
  blocked?: DayBlocklist | undefined;
  approvalRules: ApprovalRules;
  timeZone: string;
  executor: { readonly fillTimeoutMs: number };
  calibration?: { lookup(): CalibrationLookup | null } | undefined;
  minEdgeE4?: number | null | undefined;
  orderStyle?: 'taker' | 'maker' | undefined;
}): DecisionContextDeps {
  return {
    categories: d.categories,
    ...(d.blocked ? { blocked: d.blocked } : {}),
    approvalRules: d.approvalRules,
    timeZone: d.timeZone,
    feeHorizonMs: d.executor.fillTimeoutMs + FEE_HORIZON_MARGIN_MS,
    ...(d.calibration ? { calibration: d.calibration } : {}),
    minEdgeE4: d.minEdgeE4 ?? null,
    orderStyle: d.orderStyle ?? 'taker',
  };
}

export class DecisionContext implements EvaluationContext, ValidationContext {
  readonly tradingActive: boolean;
  readonly excluded: ReadonlySet<string>;
  readonly approvalRules: ApprovalRules;
  readonly calibration: CalibrationLookup | null;
  readonly minEdgeE4: number | null;
  readonly orderStyle: 'taker' | 'maker';
  readonly horizonDays: number;
  readonly minVolume24h: number;
  readonly positionLimit: number;
  private readonly shards: ShardTrading;
  private readonly day: string;

  constructor(
    private readonly d: DecisionContextDeps,
    readonly nowMs: number,
    readonly settings: Settings,
    private readonly status: Pick<ExchangeStatus, 'tradingActive' | 'shards'>,
    /** Contracts held plus resting, per ticker. */
    private readonly exposures: ReadonlyMap<string, number>,
  ) {
    this.shards = new ShardTrading(status.tradingActive, status.shards);
    this.tradingActive = this.shards.tradingActive;
    this.excluded = new Set(settings.excludedCategories.map((c) => c.toLowerCase()));
    this.approvalRules = d.approvalRules;
    this.calibration = d.calibration?.lookup() ?? null;
    this.minEdgeE4 = d.minEdgeE4 ?? null;
    this.orderStyle = d.orderStyle ?? 'taker';
    this.horizonDays = settings.horizonDays;
    this.minVolume24h = settings.minVolume24h;
    this.positionLimit = settings.positionLimit;
    this.day = tradingDay(nowMs, d.timeZone);
  }

  /**
   * The same decision moment's inputs at another time. Layer 4 sends a cycle's orders one after another, each taker
   * waiting for its fill: an order sent minutes after the cycle began is decided (its fee rule, its settlement time)
   * as of its own moment.
   */
  at(nowMs: number): DecisionContext {
    return nowMs === this.nowMs ? this : new DecisionContext(this.d, nowMs, this.settings, this.status, this.exposures);
  }

  categoryOf(eventTicker: string): string | undefined {
    return this.d.categories.categoryOf(eventTicker);
  }

  /** Over the order's whole life: a fee change due while it rests is charged. */
  feeOf(eventTicker: string): FeeSchedule | null {
    return this.d.categories.feeOf(eventTicker, this.nowMs, this.d.feeHorizonMs);
  }

  exposureE2(ticker: string): number {
    // Asked for thousands of tickers a cycle, nearly always of an empty or small map: no hash when it is empty.
    return this.exposures.size === 0 ? 0 : (this.exposures.get(ticker) ?? 0);
  }

  shardClosed(exchangeIndex: number): string | null {
    return this.shards.shardClosed(exchangeIndex);
  }

  blocked(m: MarketKey, category: string | undefined): string | null {
    return this.d.blocked?.reason(m, category, this.day) ?? null;
  }
}
