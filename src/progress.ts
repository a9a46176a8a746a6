// Scan progress on the terminal: a live line on a TTY, a line every few seconds otherwise.
import type { HydrateProgress } from './kalshi/hydrate.js';

export function scanProgressPrinter(stream: NodeJS.WriteStream = process.stderr, everyMs = 3000): (p: HydrateProgress) => void {
  let lastPrint = 0;
  return (p) => {
    const line = `scan: ${p.pages} pages, ${p.markets.toLocaleString('en-US')} markets${p.skipped ? `, ${p.skipped} skipped` : ''}, ${(p.elapsedMs / 1000).toFixed(1)} s (${p.streamsDone}/${p.streams} streams done)`;
    const done = p.streamsDone === p.streams;
    if (stream.isTTY) {
      stream.write(`\r${line}\x1b[K${done ? '\n' : ''}`);
      return;
    }
    const now = Date.now();
    if (done || now - lastPrint >= everyMs) {
      lastPrint = now;
      stream.write(`${line}\n`);
    }
  };
}
