// Opens the SQLite journal and brings its schema up to date from the numbered files in migrations/.
import Database from 'better-sqlite3';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export type Db = Database.Database;

const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations/', import.meta.url));

export class JournalError extends Error {
  override name = 'JournalError';
}

interface Migration {
  version: number;
  file: string;
}

export function listMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .map((file) => ({ file, m: /^(\d+)_.+\.sql$/.exec(file) }))
    .filter((x): x is { file: string; m: RegExpExecArray } => x.m !== null)
    .map(({ file, m }) => ({ version: Number(m[1]), file }))
    .sort((a, b) => a.version - b.version);
}

export function openDb(path: string, migrationsDir = MIGRATIONS_DIR): Db {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  let db: Db;
  try {
    db = new Database(path);
  } catch (err) {
    throw new JournalError(`cannot open the journal at ${path}: ${(err as Error).message}`);
  }
  db.pragma('journal_mode = WAL');
  // FULL: a trade journal must not drop its last transactions on power loss.
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  migrate(db, migrationsDir);
  return db;
}

function migrate(db: Db, dir: string): void {
  const migrations = listMigrations(dir);
  const known = migrations.at(-1)?.version ?? 0;
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > known) {
    db.close();
    throw new JournalError(
      `the journal's schema is version ${current}, newer than this code knows (${known}); run a newer version of the bot or point DB_PATH elsewhere`,
    );
  }
  for (const m of migrations) {
    if (m.version <= current) continue;
    const sql = readFileSync(join(dir, m.file), 'utf8');
    // One transaction per file: a failed migration leaves the previous version intact.
    db.transaction(() => {
      db.exec(sql);
      db.pragma(`user_version = ${m.version}`);
    })();
  }
}
