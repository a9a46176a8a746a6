// The documentation a new user reads first stays true: every environment variable the bot reads is in .env.example
// and in README's configuration table, and README's test command is the one CI runs.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EnvSchema } from '../src/config.js';

const ROOT = resolve(import.meta.dirname, '..');
const read = (f: string) => readFileSync(resolve(ROOT, f), 'utf8');

describe('README and .env.example', () => {
  const keys = Object.keys((EnvSchema as unknown as { in?: { shape: object }; shape?: object }).in?.shape ?? (EnvSchema as unknown as { shape: object }).shape);

  it('name every variable the bot reads', () => {
    expect(keys.length).toBeGreaterThan(30);
    const example = read('.env.example');
    const readme = read('README.md');
    expect(keys.filter((k) => !new RegExp(`^${k}=`, 'm').test(example))).toEqual([]);
    expect(keys.filter((k) => !readme.includes(`| \`${k}\` |`))).toEqual([]);
  });

  it("give the test command CI runs", () => {
    expect(read('.ci/run')).toMatch(/^npm test$/m);
    expect(read('README.md')).toMatch(/^npm test\b/m);
  });
});
