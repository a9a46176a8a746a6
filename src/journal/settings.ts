// Run-time settings (cap, paused, band, ...): defaults from the environment, overrides in SQLite,
// every change audited. They survive restarts because they live in the journal.
import { z } from 'zod';
import type { Config } from '../config.js';
import type { Db } from './db.js';

/** Which alerts a person hears, per kind (like Freqtrade's notification_settings). */
export const NOTIFY_KINDS = ['fills', 'digests', 'approvals', 'halts', 'settlements', 'summary'] as const;
export type NotifyKind = (typeof NOTIFY_KINDS)[number];
export const NotifyLevel = z.enum(['on', 'silent', 'off']);
export type NotifyLevel = z.infer<typeof NotifyLevel>;
export const NotifySettings = z.object(Object.fromEntries(NOTIFY_KINDS.map((k) => [k, NotifyLevel])) as Record<NotifyKind, typeof NotifyLevel>);
export type NotifySettings = z.infer<typeof NotifySettings>;
/** Everything rings, except the daily heartbeat. */
export const DEFAULT_NOTIFY: NotifySettings = { fills: 'on', digests: 'on', approvals: 'on', halts: 'on', settlements: 'on', summary: 'silent' };

export const SettingsSchema = z.object({
  dailyCapE4: z.number().int().min(1),
  paused: z.boolean(),
  bandMinE4: z.number().int().min(1).max(9999),
  bandMaxE4: z.number().int().min(1).max(9999),
  horizonDays: z.number().int().min(1).max(365),
  /** Contracts traded in the last 24 h. */
  minVolume24h: z.number().int().min(0),
  /** Contracts held plus resting, per market. */
  positionLimit: z.number().int().min(1),
  maxCostPerTradeE4: z.number().int().min(1),
  excludedCategories: z.array(z.string()),
  notify: NotifySettings,
});
export type Settings = z.infer<typeof SettingsSchema>;
export type SettingName = keyof Settings;

export function defaultSettings(config: Config): Settings {
  return {
    dailyCapE4: config.DAILY_LOSS_CAP,
    paused: false,
    bandMinE4: config.BAND_MIN,
    bandMaxE4: config.BAND_MAX,
    horizonDays: config.HORIZON_DAYS,
    minVolume24h: config.MIN_VOLUME_24H,
    positionLimit: config.POSITION_LIMIT,
    maxCostPerTradeE4: config.MAX_COST_PER_TRADE,
    excludedCategories: config.EXCLUDED_CATEGORIES,
    notify: DEFAULT_NOTIFY,
  };
}

export interface SettingChange {
  name: SettingName;
  old: unknown;
  new: unknown;
}

export class SettingsStore {
  private cache: Settings;

  constructor(
    private readonly db: Db,
    private readonly defaults: Settings,
  ) {
    this.cache = this.load();
  }

  private load(): Settings {
    const rows = this.db.prepare('SELECT name, value FROM settings').all() as { name: string; value: string }[];
    const merged: Record<string, unknown> = { ...this.defaults };
    for (const row of rows) {
      if (!(row.name in this.defaults)) continue;
      const v = JSON.parse(row.value) as unknown;
      merged[row.name] = row.name === 'notify' && v && typeof v === 'object' ? { ...this.defaults.notify, ...v } : v;
    }
    // A stored value that no longer validates falls back to the default rather than trading on garbage.
    const parsed = SettingsSchema.safeParse(merged);
    return parsed.success ? parsed.data : this.defaults;
  }

  get(): Settings {
    return this.cache;
  }

  /** The configured default (from the environment) of one setting. */
  defaultOf<K extends SettingName>(name: K): Settings[K] {
    return this.defaults[name];
  }

  /** Whether a setting is at its configured default (no stored override differs from it). */
  isDefault(name: SettingName): boolean {
    return JSON.stringify(this.cache[name]) === JSON.stringify(this.defaults[name]);
  }

  /** Apply several changes in one transaction with one audit row each. Validates the whole result first. */
  update(patch: Partial<Settings>, by: string, now: number): SettingChange[] {
    const next = SettingsSchema.parse({ ...this.cache, ...patch });
    if (next.bandMinE4 > next.bandMaxE4) throw new RangeError('band minimum must not be above the maximum');
    const changes: SettingChange[] = [];
    const upsert = this.db.prepare(
      `INSERT INTO settings (name, value, updated_at, updated_by) VALUES (?, ?, ?, ?)
       ON CONFLICT(name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
    );
    const audit = this.db.prepare(
      'INSERT INTO settings_audit (name, old_value, new_value, changed_by, changed_at) VALUES (?, ?, ?, ?, ?)',
    );
    this.db.transaction(() => {
      for (const name of Object.keys(patch) as SettingName[]) {
        const oldJson = JSON.stringify(this.cache[name]);
        const newJson = JSON.stringify(next[name]);
        if (oldJson === newJson) continue;
        upsert.run(name, newJson, now, by);
        audit.run(name, oldJson, newJson, by, now);
        changes.push({ name, old: this.cache[name], new: next[name] });
      }
    })();
    this.cache = next;
    return changes;
  }

  audit(limit = 20): { name: string; old_value: string | null; new_value: string; changed_by: string; changed_at: number }[] {
    return this.db
      .prepare('SELECT name, old_value, new_value, changed_by, changed_at FROM settings_audit ORDER BY id DESC LIMIT ?')
      .all(limit) as never;
  }
}
