// One log line per layer per cycle, as an operator reads the seed's log: hydrated N, layer 2 N candidates,
// layer 3 N passed, the risk decision, each order and its fill, cycle done. Structured fields carry the figures.
import type { Logger } from '../log.js';
import type { CycleSummary } from './cycle.js';

export function logCycle(log: Logger, s: CycleSummary): void {
  log.info({ layer: 1, markets: s.markets, skipped: s.skipped, ms: s.hydrateMs }, `hydrated ${s.markets} markets (${s.skipped} malformed, skipped)`);
  log.info({ layer: 2, candidates: s.candidates }, `layer 2: ${s.candidates} candidates in band`);
  log.info({ layer: 3, passed: s.validated }, `layer 3: ${s.validated} passed validation`);
  const state = s.halted ? 'HALTED by the daily cap' : s.paused ? 'paused' : 'trading';
  log.info(
    { layer: 4, orders: s.orders.length, approvals: s.approvals, halted: s.halted, paused: s.paused, atRisk: s.atRisk, cap: s.cap },
    `risk: ${state}; ${s.orders.length} orders, ${s.approvals} sent for approval; at risk $${s.atRisk.toFixed(2)} of $${s.cap.toFixed(2)}`,
  );
  for (const o of s.orders) {
    log.info({ ticker: o.ticker, side: o.side, count: o.count, price: o.price, status: o.status }, `order ${o.ticker} ${o.side} ${o.count} @ ${o.price}`);
    if (o.filled > 0) log.info({ ticker: o.ticker, filled: o.filled, count: o.count }, `fill ${o.ticker} ${o.filled}/${o.count}`);
  }
  if (s.error) log.error({ error: s.error }, `cycle ${s.cycleId} failed: ${s.error}`);
  log.info({ ms: s.durationMs, hydrateMs: s.hydrateMs, timings: s.timings }, `cycle ${s.cycleId} done in ${s.durationMs} ms`);
}
