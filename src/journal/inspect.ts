// Looks at a journal file without changing it (for `npm run doctor`): does it exist, is it a SQLite file, can it be
// written, and how far behind the code's migrations is its schema. Nothing is created or migrated here.
import { accessSync, constants, existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { listMigrations } from './db.js';

export type JournalInspection =
  | { kind: 'missing'; path: string; latest: number; creatableIn: string | null }
  | { kind: 'present'; path: string; latest: number; version: number; writable: boolean; busy: boolean }
  | { kind: 'broken'; path: string; latest: number; reason: string };

export function inspectJournal(path: string, migrationsDir?: string): JournalInspection {
  const latest = (migrationsDir === undefined ? listMigrations() : listMigrations(migrationsDir)).at(-1)?.version ?? 0;
  if (path === ':memory:') return { kind: 'missing', path, latest, creatableIn: ':memory:' };
  if (!existsSync(path)) return { kind: 'missing', path, latest, creatableIn: writableAncestor(resolve(path)) };
  let db: Database.Database;
  try {
    db = new Database(path, { fileMustExist: true, timeout: 2_000 });
  } catch (err) {
    return { kind: 'broken', path, latest, reason: codeOf(err) };
  }
  try {
    const version = db.pragma('user_version', { simple: true }) as number;
    db.prepare('SELECT count(*) FROM sqlite_master').get();
    let writable = true;
    let busy = false;
    try {
      // Takes the write lock and gives it back: proves the file (and its -wal beside it) can be written.
      db.exec('BEGIN IMMEDIATE');
      db.exec('ROLLBACK');
    } catch (err) {
      const code = codeOf(err);
      if (code.startsWith('SQLITE_BUSY')) busy = true;
      else writable = false;
    }
    return { kind: 'present', path, latest, version, writable, busy };
  } catch (err) {
    return { kind: 'broken', path, latest, reason: codeOf(err) };
  } finally {
    db.close();
  }
}

/** The directory the journal would be created in (the nearest one that exists), if this process may write there. */
function writableAncestor(file: string): string | null {
  let dir = dirname(file);
  while (!existsSync(dir)) {
    const up = dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
  try {
    accessSync(dir, constants.W_OK);
    return dir;
  } catch {
    return null;
  }
}

function codeOf(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? code : (err as Error).message;
}
