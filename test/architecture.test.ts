import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';
import { ROOT } from './helpers.js';

/**
 * The import rules of the layout (../shared/STYLE.md), read from the sources themselves: which
 * folder may import which, no import cycles, no oversized files. Imports are every
 * `import … from`, `export … from`, side-effect `import '…'` and `import('…')`, `import type`
 * included (a type-only import is still a dependency of the design).
 */

/** Largest number of lines of a non-test file under src/. */
const MAX_LINES = 400;

/** Bare specifiers that `src/core` must never import (I/O, drivers, the web framework). */
const CORE_FORBIDDEN = ['fastify', 'ws', 'pg', 'better-sqlite3', 'ioredis'];
/** Bare specifiers that `src/okx` (what REST and WebSocket both say) must never import. */
const OKX_FORBIDDEN = ['fastify', 'ws'];

interface SourceFile {
  /** Path from the repository root, with forward slashes. */
  path: string;
  text: string;
  /** Each import specifier, and the repository file it names (null: a package or a builtin). */
  imports: Array<{ specifier: string; target: string | null }>;
}

const toPosix = (p: string): string => p.split('\\').join('/');

function listFiles(dir: string, extensions: readonly string[]): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...listFiles(path, extensions));
    else if (extensions.some((e) => name.endsWith(e)) && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/** The repository file a relative specifier names (`./x.js` is `./x.ts` or `./x.tsx` in source). */
function resolveSpecifier(from: string, specifier: string): string | null {
  if (!specifier.startsWith('.')) return null;
  const base = resolve(dirname(from), specifier);
  const stem = base.replace(/\.(js|jsx|ts|tsx|mjs)$/, '');
  const candidates = [base, `${stem}.ts`, `${stem}.tsx`, join(base, 'index.ts'), join(base, 'index.tsx')];
  const found = candidates.find((c) => existsSync(c) && statSync(c).isFile());
  return toPosix(relative(ROOT, found ?? base));
}

function readSources(dir: string, extensions: readonly string[]): SourceFile[] {
  return listFiles(join(ROOT, dir), extensions).map((abs) => {
    const text = readFileSync(abs, 'utf8');
    // The compiler's own pre-processor: skips comments and strings, sees dynamic import() too.
    const info = ts.preProcessFile(text, true, true);
    const imports = info.importedFiles.map((f) => ({
      specifier: f.fileName,
      target: resolveSpecifier(abs, f.fileName),
    }));
    return { path: toPosix(relative(ROOT, abs)), text, imports };
  });
}

const SRC = readSources('src', ['.ts']);
const WEB = readSources('web/src', ['.ts', '.tsx']);

const under = (path: string, folder: string): boolean => path.startsWith(`${folder}/`);
const isTest = (path: string): boolean => path.endsWith('.test.ts');
const isPackage = (specifier: string, name: string): boolean => specifier === name || specifier.startsWith(`${name}/`);

/** `file -> specifier` for every import of `files` that `bad` refuses. */
function offending(files: readonly SourceFile[], bad: (specifier: string, target: string | null) => boolean): string[] {
  return files.flatMap((f) =>
    f.imports.filter((i) => bad(i.specifier, i.target)).map((i) => `${f.path} -> ${i.specifier}`),
  );
}

/** Files that import each other in a loop: all of them, and one chain that closes (a -> b -> a). */
interface Cycle {
  files: string[];
  chain: string[];
}

/**
 * Every import cycle among `files`: one per strongly connected component (Tarjan), with a chain
 * found by a breadth-first walk inside it.
 */
function importCycles(files: readonly SourceFile[]): Cycle[] {
  const known = new Set(files.map((f) => f.path));
  const edges = new Map(
    files.map((f) => [
      f.path,
      [...new Set(f.imports.map((i) => i.target))].filter((t): t is string => t !== null && known.has(t)).sort(),
    ]),
  );
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const connect = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter);
    counter++;
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!index.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v) ?? 0, low.get(w) ?? 0));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v) ?? 0, index.get(w) ?? 0));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string | undefined;
      do {
        w = stack.pop();
        if (w === undefined) break;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (edges.get(v) ?? []).includes(v)) components.push(component.sort());
    }
  };
  for (const f of [...known].sort()) if (!index.has(f)) connect(f);
  return components.map((component) => ({ files: component, chain: chainOf(component, edges) }));
}

/** The shortest chain from the component's first file back to itself, walking inside the component. */
function chainOf(component: readonly string[], edges: ReadonlyMap<string, readonly string[]>): string[] {
  const inside = new Set(component);
  const start = component[0] ?? '';
  const cameFrom = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const v = queue.shift() ?? '';
    for (const w of edges.get(v) ?? []) {
      if (!inside.has(w)) continue;
      if (w === start) {
        const chain = [start];
        for (let at: string | undefined = v; at !== undefined && at !== start; at = cameFrom.get(at)) {
          chain.splice(1, 0, at);
        }
        return [...chain, start];
      }
      if (!cameFrom.has(w)) {
        cameFrom.set(w, v);
        queue.push(w);
      }
    }
  }
  return [...component];
}

const describeCycles = (cycles: readonly Cycle[]): string =>
  cycles
    .map((c) => `  ${c.files.length} in the loop: ${c.files.join(', ')}\n    such as ${c.chain.join(' -> ')}`)
    .join('\n');

test('the sources are found and their imports read', () => {
  assert.ok(
    SRC.some((f) => f.path === 'src/main.ts'),
    'src/main.ts not found',
  );
  assert.ok(
    WEB.some((f) => f.path === 'web/src/app.tsx'),
    'web/src/app.tsx not found',
  );
  const main = SRC.find((f) => f.path === 'src/main.ts');
  const read = main?.imports.some((i) => i.target === 'src/runtime.ts') ?? false;
  assert.ok(read, 'src/main.ts -> src/runtime.ts not read');
});

test('the WebSocket API imports nothing from the HTTP app (both speak through src/okx)', () => {
  const files = SRC.filter((f) => under(f.path, 'src/ws'));
  assert.deepEqual(
    offending(files, (_s, t) => t !== null && under(t, 'src/http')),
    [],
  );
});

test('the HTTP app imports nothing from the WebSocket API (main.ts puts them together)', () => {
  const files = SRC.filter((f) => under(f.path, 'src/http'));
  assert.deepEqual(
    offending(files, (_s, t) => t !== null && under(t, 'src/ws')),
    [],
  );
});

test('the CLI and the runtime import nothing from the HTTP app', () => {
  const files = SRC.filter((f) => under(f.path, 'src/cli') || f.path === 'src/runtime.ts');
  assert.deepEqual(
    offending(files, (_s, t) => t !== null && under(t, 'src/http')),
    [],
  );
});

test('src/core imports only src/core, and no I/O library', () => {
  const files = SRC.filter((f) => under(f.path, 'src/core'));
  const bad = offending(
    files,
    (s, t) => (t !== null && !under(t, 'src/core')) || CORE_FORBIDDEN.some((name) => isPackage(s, name)),
  );
  assert.deepEqual(bad, []);
});

test('src/okx imports neither edge (HTTP, WebSocket) nor their libraries', () => {
  const files = SRC.filter((f) => under(f.path, 'src/okx'));
  const bad = offending(
    files,
    (s, t) =>
      (t !== null && (under(t, 'src/http') || under(t, 'src/ws'))) ||
      OKX_FORBIDDEN.some((name) => isPackage(s, name)) ||
      s.startsWith('@fastify/'),
  );
  assert.deepEqual(bad, []);
});

test('no import cycle among src/**/*.ts', () => {
  const cycles = importCycles(SRC);
  assert.equal(cycles.length, 0, `import cycles:\n${describeCycles(cycles)}`);
});

test('no import cycle among web/src/**/*.{ts,tsx}', () => {
  const cycles = importCycles(WEB);
  assert.equal(cycles.length, 0, `import cycles:\n${describeCycles(cycles)}`);
});

test('no cycle among the parts of src/ (its folders and top-level files)', () => {
  const part = (path: string): string => path.split('/').slice(0, 2).join('/');
  const parts = new Map<string, SourceFile>();
  for (const f of SRC) {
    const p = part(f.path);
    const merged = parts.get(p) ?? { path: p, text: '', imports: [] };
    const outside = f.imports
      .map((i) => ({ specifier: i.specifier, target: i.target === null ? null : part(i.target) }))
      .filter((i) => i.target !== p);
    merged.imports.push(...outside);
    parts.set(p, merged);
  }
  const cycles = importCycles([...parts.values()]);
  assert.equal(cycles.length, 0, `cycles between parts:\n${describeCycles(cycles)}`);
});

test(`no non-test file under src/ is over ${MAX_LINES} lines`, () => {
  const long = SRC.filter((f) => !isTest(f.path))
    .map((f) => ({ path: f.path, lines: f.text.split('\n').length - (f.text.endsWith('\n') ? 1 : 0) }))
    .filter((f) => f.lines > MAX_LINES)
    .map((f) => `${f.path} (${f.lines} lines)`);
  assert.deepEqual(long, []);
});
