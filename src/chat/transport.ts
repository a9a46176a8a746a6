// What a chat transport needs from the app (src/app.ts's App satisfies it structurally).
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import type { Control } from '../control/control.js';
import type { Journal } from '../journal/index.js';
import type { Logger } from '../log.js';
import type { Alerter } from '../notify/alerter.js';
import type { Mode } from '../notify/alerts.js';

export interface TransportApp {
  readonly config: Config;
  readonly mode: Mode;
  readonly clock: Clock;
  readonly log: Logger;
  readonly journal: Journal;
  readonly alerter: Alerter;
  readonly control: Control;
}

export interface Transport {
  /** End input (polling / stdin) cleanly, then flush what the outbox can deliver within a short bound. */
  stop(): Promise<void>;
}

export const sleepAbortable = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
