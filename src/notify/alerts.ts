// Alert payloads: what the core tells a person. Stored in the outbox as JSON; each transport formats them.
import { z } from 'zod';

export const Mode = z.enum(['SIM', 'DEMO', 'DRY-RUN', 'LIVE']);
export type Mode = z.infer<typeof Mode>;

const e4 = z.number().int();

export const Alert = z.discriminatedUnion('kind', [
  z.object({
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
  }),
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
]);
export type Alert = z.infer<typeof Alert>;
export type AlertKind = Alert['kind'];
