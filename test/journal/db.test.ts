// The journal's schema: migrations applied in order and recorded; a newer schema is a clear error.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { JournalError, listMigrations, openDb } from '../../src/journal/db.js';

const dirs: string[] = [];
const tempDb = () => {
  const dir = mkdtempSync(join(tmpdir(), 'journal-'));
  dirs.push(dir);
  return join(dir, 'nested', 'bot.db');
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('journal database', () => {
  it('creates the file, applies every migration in order, and runs in WAL with FULL sync and foreign keys', () => {
    const path = tempDb();
    const db = openDb(path);
    const latest = listMigrations().at(-1)!.version;
    expect(db.pragma('user_version', { simple: true })).toBe(latest);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2); // FULL
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    const tables = (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as { name: string }[]).map((t) => t.name);
    for (const t of ['cycles', 'decisions', 'orders', 'fills', 'risk_days', 'settings', 'settings_audit', 'approvals', 'outbox', 'settlements']) {
      expect(tables).toContain(t);
    }
    db.close();
    // Reopening applies nothing twice.
    const again = openDb(path);
    expect(again.pragma('user_version', { simple: true })).toBe(latest);
    again.close();
  });

  it('refuses a journal whose schema is newer than the code, naming both versions', () => {
    const path = tempDb();
    openDb(path).close();
    const raw = new Database(path);
    raw.pragma('user_version = 99');
    raw.close();
    expect(() => openDb(path)).toThrow(JournalError);
    expect(() => openDb(path)).toThrow(/schema is version 99, newer than this code knows/);
  });

  it('an order intent that violates the schema is refused (no negative counts, no prices outside 0-1)', () => {
    const db = openDb(tempDb());
    const insert = db.prepare(
      `INSERT INTO orders (client_order_id, mode, day, ticker, side, count_e2, price_e4, worst_case_e4, created_at, updated_at) VALUES (?, 'SIM', '2026-11-25', 'T', 'yes', ?, ?, 0, 0, 0)`,
    );
    expect(() => insert.run('a', -100, 7800)).toThrow(/CHECK/);
    expect(() => insert.run('b', 100, 10_000)).toThrow(/CHECK/);
    insert.run('c', 100, 7800);
    expect(() => insert.run('c', 100, 7800)).toThrow(/UNIQUE/);
    db.close();
  });
});
