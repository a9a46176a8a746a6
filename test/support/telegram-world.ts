// For each test: a fake Telegram Bot API server and a simulated exchange (world()), and the chat transport the test
// starts, all stopped and closed after it. The Telegram test files share this instead of each writing the hooks.
import { afterEach, beforeEach } from 'vitest';
import type { SimOptions } from '../../src/sim/index.js';
import { type World, world } from './app.js';
import { FakeTelegram } from './fake-telegram.js';

export interface TelegramWorld {
  /** The current test's fake Bot API and world (set before each test). */
  readonly fake: FakeTelegram;
  readonly w: World;
  /** Set by the test when it starts one; stopped after it. */
  transport: { stop(): Promise<void> } | undefined;
}

export function telegramWorld(simOpts: SimOptions = {}): TelegramWorld {
  const t = { transport: undefined } as { fake: FakeTelegram; w: World; transport: { stop(): Promise<void> } | undefined };
  beforeEach(async () => {
    t.fake = await new FakeTelegram().start();
    t.w = await world(simOpts);
    t.transport = undefined;
  });
  afterEach(async () => {
    try {
      await t.transport?.stop();
    } finally {
      await t.w.close();
      await t.fake.close();
    }
  });
  return t;
}

/** startTelegram's options for tests: short polls, no pacing, a quick outbox. */
export const FAST_TELEGRAM = { pollingTimeoutSeconds: 1, pacing: { privateMs: 0, groupMs: 0 }, delivery: { pollMs: 20 }, flushMs: 200, initRetryMs: 50 };
