// The recorded Kalshi responses live in ../shared/fixtures/kalshi beside the checkout (CI lays shared/ there too).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const FIXTURES_DIR = process.env.KALSHI_FIXTURES_DIR ?? fileURLToPath(new URL('../../../shared/fixtures/kalshi/', import.meta.url));

export const readFixture = (name: string): unknown => JSON.parse(readFileSync(`${FIXTURES_DIR}/${name}.json`, 'utf8'));
