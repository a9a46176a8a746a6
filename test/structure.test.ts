// The house has no import circle: no file imports one that (through others) imports it, and no folder of src/
// imports a folder that imports it. (madge 8 and dependency-cruiser 18 do not install on Node 20 with
// TypeScript 6, so the graph is read here from the import lines themselves.)
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '../src');

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

/** Relative imports of each file (type-only ones too: a circle of types is still a circle of meaning). */
function graph(): Map<string, string[]> {
  const g = new Map<string, string[]>();
  for (const f of files(SRC)) {
    const text = readFileSync(f, 'utf8');
    const deps = [...text.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+'(\.[^']+)'/gm)].map((m) => resolve(dirname(f), m[1]!.replace(/\.js$/, '.ts')));
    g.set(f, deps);
  }
  return g;
}

function cycles(g: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (n: string) => {
    state.set(n, 'open');
    stack.push(n);
    for (const d of g.get(n) ?? []) {
      if (state.get(d) === 'open') found.push([...stack.slice(stack.indexOf(d)), d]);
      else if (!state.has(d)) visit(d);
    }
    stack.pop();
    state.set(n, 'done');
  };
  for (const n of g.keys()) if (!state.has(n)) visit(n);
  return found;
}

const rel = (f: string) => relative(SRC, f);
/** A file's folder under src/ ('.' for the root files). */
const folderOf = (f: string) => dirname(rel(f)).split('/')[0]!;

describe('the import graph', () => {
  it('reads every source file', () => {
    expect(graph().size).toBeGreaterThan(60);
  });

  it('has no circle between files', () => {
    expect(cycles(graph()).map((c) => c.map(rel).join(' -> '))).toEqual([]);
  });

  it('has no circle between the folders of src/ (no import runs back up a layer)', () => {
    const folders = new Map<string, string[]>();
    for (const [f, deps] of graph()) {
      const from = folderOf(f);
      if (from === '.') continue; // root files (app, main, cli, ...) compose the folders
      for (const d of deps) {
        const to = folderOf(d);
        if (to !== from && to !== '.') folders.set(from, [...new Set([...(folders.get(from) ?? []), to])]);
      }
    }
    expect(cycles(folders)).toEqual([]);
  });

  it('no folder imports a root file that composes the folders (app, main, cli, transports, bench, soak)', () => {
    const composers = new Set(['app.ts', 'main.ts', 'cli.ts', 'transports.ts', 'bench.ts', 'soak.ts']);
    const up: string[] = [];
    for (const [f, deps] of graph()) {
      if (folderOf(f) === '.') continue;
      for (const d of deps) if (folderOf(d) === '.' && composers.has(rel(d))) up.push(`${rel(f)} -> ${rel(d)}`);
    }
    expect(up).toEqual([]);
  });
});
