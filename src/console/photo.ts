// The terminal cannot show a picture: a reply's photo (the /pnl chart) is written to a file and its path printed.
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

/** Write the photo into `dir` (created if needed) under its own name, made safe; returns the path. */
export function savePhoto(photo: { png: Buffer; filename: string }, dir: string): string {
  const name = basename(photo.filename).replace(/[^\w.-]/g, '_') || 'chart.png';
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  writeFileSync(path, photo.png);
  return path;
}
