// How far V8 lets the heap grow past what is live before it collects. A scan parses ~120 pages of 2 MB each; every
// page's text is one string too large for the young generation, so it lands in old space and only a full collection
// frees it. V8's default growing factor (up to 4x what is live at a small heap) let ~250 MB of spent pages pile up
// before that: the bot peaked at 340-450 MB over 120,000 markets. At 1.5x it peaks at 280-295 MB, the scan as fast
// (npm run bench). The flag is read at each heap-limit update, so setting it at start takes effect.
import { setFlagsFromString } from 'node:v8';

/** Old-space growth past the live heap, percent: the limit after a collection is live x (1 + this / 100). */
export const HEAP_GROWING_PERCENT = 50;

/** Call first thing in an entry point (the bot, the CLI). */
export function boundHeapGrowth(percent = HEAP_GROWING_PERCENT): void {
  setFlagsFromString(`--heap-growing-percent=${percent}`);
}
