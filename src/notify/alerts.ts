// Alert payloads: what the core tells a person. Stored in the outbox as JSON; each transport formats them.
import { z } from 'zod';

export const Mode = z.enum(['SIM', 'DEMO', 'DRY-RUN', 'LIVE']);
export type Mode = z.infer<typeof Mode>;

const e4 = z.number().int();

/** One order's fill (a cycle's are folded into its digest; an approval's is sent alone). */
export const OrderAlert = z.object({
    kind: z.literal('order'),
    mode: Mode,
    ticker: z.string(),
    title: z.string(),
    side: z.enum(['yes', 'no']),
    state: z.string(),
    filledE2: z.number().int(),
    countE2: z.number().int(),
    priceE4: e4,
    costE4: e4,
    feesE4: e4,
    atRiskE4: e4,
    capE4: e4,
    /** The after-fee break-even win rate at the order's price, and the calibrated edge (null: not calibrated). */
    breakEvenE4: e4.optional(),
    edgeE4: e4.nullable().optional(),
  });
export type OrderAlert = z.infer<typeof OrderAlert>;


export const Alert = z.discriminatedUnion('kind', [
  OrderAlert,
  z.object({ kind: z.literal('halt'), mode: Mode, day: z.string(), atRiskE4: e4, capE4: e4, reason: z.string() }),
  z.object({
    kind: z.literal('approval'),
    mode: Mode,
    id: z.number().int(),
    ticker: z.string(),
    title: z.string(),
    side: z.enum(['yes', 'no']),
    countE2: z.number().int(),
    priceE4: e4,
    worstCaseE4: e4,
    rule: z.string(),
    expiresAt: z.number().int(),
  }),
  z.object({
    kind: z.literal('approval-outcome'),
    mode: Mode,
    id: z.number().int(),
    state: z.string(),
    text: z.string(),
  }),
  z.object({ kind: z.literal('error'), mode: Mode, message: z.string() }),
  z.object({
    kind: z.literal('reconcile'),
    mode: Mode,
    checked: z.number().int(),
    settled: z.number().int(),
    canceled: z.number().int(),
    notSent: z.number().int(),
    unresolved: z.number().int(),
    // The start-up state (optional: rows queued by older versions have none).
    capE4: e4.optional(),
    configCapE4: e4.optional(),
    atRiskE4: e4.optional(),
    halted: z.boolean().optional(),
    paused: z.boolean().optional(),
    /** Sim mode: orders the journal keeps from earlier runs (the simulated exchange itself starts fresh). */
    earlierSimOrders: z.number().int().optional(),
  }),
  z.object({
    kind: z.literal('summary'),
    mode: Mode,
    day: z.string(),
    cycles: z.number().int(),
    orders: z.number().int(),
    filledE2: z.number().int(),
    spentE4: e4,
    feesE4: e4,
    atRiskE4: e4,
    capE4: e4,
    halted: z.boolean(),
    paused: z.boolean(),
  }),
  z.object({ kind: z.literal('info'), mode: Mode, message: z.string() }),
  // A cycle's fills in one message, sent when the cycle ends.
  z.object({
    kind: z.literal('digest'),
    mode: Mode,
    cycleId: z.number().int(),
    orders: z.array(OrderAlert),
    atRiskE4: e4,
    capE4: e4,
  }),
  // A position settled: won or lost, by how much, and the day's realized P&L so far.
  z.object({
    kind: z.literal('settlement'),
    mode: Mode,
    ticker: z.string(),
    title: z.string(),
    result: z.string(),
    side: z.enum(['yes', 'no']).nullable(),
    contractsE2: z.number().int(),
    revenueE4: e4,
    costE4: e4,
    day: z.string(),
    dayRealizedE4: e4,
  }),
  // A clean stop.
  z.object({ kind: z.literal('stopped'), mode: Mode, delivered: z.number().int(), queued: z.number().int() }),
]);
export type Alert = z.infer<typeof Alert>;
export type AlertKind = Alert['kind'];

/**
 * What jumps the queue: the halt first of all (it never waits behind a flood of anything), then errors and approval
 * requests (and their outcomes), then the rest. Within a priority, alerts go out in the order they were queued.
 */
export function priorityOf(kind: AlertKind): 0 | 1 | 2 {
  if (kind === 'halt') return 0;
  return kind === 'error' || kind === 'approval' || kind === 'approval-outcome' ? 1 : 2;
}
