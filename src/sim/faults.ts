// Queued fault injection. Each fault is consumed by the requests it matches, in queue order.
export type SimFault =
  | { kind: 'status'; status: 500 | 502 | 503; count: number; method?: string; pathIncludes?: string }
  | { kind: 'rate-limit'; count: number; pathIncludes?: string }
  | { kind: 'drop'; count: number; method?: string; pathIncludes?: string }
  | { kind: 'drop-after'; count: number; method?: string; pathIncludes?: string }
  // Answer with this status and body without handling the request (e.g. a retry that Kalshi refuses
  // with insufficient_balance because the lost first attempt already holds the cash).
  | { kind: 'reply'; status: number; body: unknown; count: number; method?: string; pathIncludes?: string }
  | { kind: 'malformed'; count: number };

export type RequestFault = Exclude<SimFault, { kind: 'malformed' }>;

export class FaultQueue {
  private readonly queue: Array<{ fault: RequestFault; left: number }> = [];
  private malformedLeft = 0;

  inject(fault: SimFault): void {
    if (fault.count <= 0) return;
    if (fault.kind === 'malformed') this.malformedLeft += fault.count;
    else this.queue.push({ fault, left: fault.count });
  }

  /** The first queued fault matching this request, consuming one use of it. */
  take(method: string, path: string): RequestFault | null {
    for (let i = 0; i < this.queue.length; i++) {
      const entry = this.queue[i];
      if (!entry) continue;
      const f = entry.fault;
      if ('method' in f && f.method && f.method.toUpperCase() !== method) continue;
      if (f.pathIncludes && !path.includes(f.pathIncludes)) continue;
      entry.left -= 1;
      if (entry.left <= 0) this.queue.splice(i, 1);
      return f;
    }
    return null;
  }

  /** Whether the next market record served should be corrupted (consumes one). */
  takeMalformed(): boolean {
    if (this.malformedLeft <= 0) return false;
    this.malformedLeft -= 1;
    return true;
  }
}
