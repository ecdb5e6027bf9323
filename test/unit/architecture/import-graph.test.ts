// The module graph of src/ and bench/ has no cycle. Relative imports are read with a regex (static
// `import … from`, `export … from`, side-effect `import '…'`, dynamic `import('…')`), `.js` resolved
// to `.ts` and a folder to its index.ts; imports of packages and of files outside src/ and bench/
// are not arrows of this graph.
//
// `import type` counts like any other import. A type-only cycle is still two modules that cannot be
// read, moved or split apart (bench/harness/report-html.ts ↔ result-writer.ts was one), and without
// verbatimModuleSyntax tsc erases every import used only as a type, `type` keyword or not, so the
// syntax could not tell a runtime arrow from a type arrow anyway.
import { readdirSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SCANNED = ['src', 'bench'];
/** Generated output, never imported by source. */
const SKIPPED_FOLDERS = new Set(['node_modules', 'results', 'dist']);

/** `import … from '…'`, `export … from '…'`, over several lines too. */
const IMPORT_FROM = /(?:^|[;}\n])\s*(?:import|export)\s[^'";]*?\bfrom\s*['"](\.{1,2}\/[^'"]+)['"]/g;
const SIDE_EFFECT_IMPORT = /(?:^|[;}\n])\s*import\s*['"](\.{1,2}\/[^'"]+)['"]/g;
const DYNAMIC_IMPORT = /\bimport\s*\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;
/** Comments that open a line: a string such as 'src/**\/*.ts' must not start one. */
const BLOCK_COMMENT = /^\s*\/\*[\s\S]*?\*\//gm;
const LINE_COMMENT = /^\s*\/\/.*$/gm;

/** Every .ts file under the scanned folders, as a repository-relative posix path. */
function sourceFiles(): string[] {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
      const path = posix.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED_FOLDERS.has(entry.name)) walk(path);
      } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) {
        files.push(path);
      }
    }
  };
  for (const dir of SCANNED) walk(dir);
  return files.sort();
}

/** The relative specifiers a file imports or re-exports, comments stripped first. */
function relativeSpecifiers(text: string): string[] {
  const code = text.replace(BLOCK_COMMENT, '').replace(LINE_COMMENT, '');
  return [IMPORT_FROM, SIDE_EFFECT_IMPORT, DYNAMIC_IMPORT].flatMap((pattern) =>
    [...code.matchAll(pattern)].map((match) => match[1] as string),
  );
}

/** The scanned file a specifier names: x.js → x.ts, a folder → its index.ts; undefined otherwise. */
function resolveSpecifier(from: string, specifier: string, known: ReadonlySet<string>): string | undefined {
  const target = posix.normalize(posix.join(posix.dirname(from), specifier));
  const candidates = target.endsWith('.js')
    ? [`${target.slice(0, -3)}.ts`]
    : [target, `${target}.ts`, posix.join(target, 'index.ts')];
  return candidates.find((candidate) => known.has(candidate));
}

function importGraph(files: readonly string[], read: (file: string) => string): Map<string, string[]> {
  const known = new Set(files);
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const targets = relativeSpecifiers(read(file))
      .map((specifier) => resolveSpecifier(file, specifier, known))
      .filter((target): target is string => target !== undefined);
    graph.set(file, [...new Set(targets)].sort());
  }
  return graph;
}

/**
 * One cycle per strongly connected component of more than one file (or a file importing itself),
 * written as the path a → b → … → a. Tarjan's algorithm, then a walk inside the component.
 */
function findCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  let next = 0;
  const connect = (node: string): void => {
    index.set(node, next);
    low.set(node, next);
    next++;
    stack.push(node);
    onStack.add(node);
    for (const target of graph.get(node) ?? []) {
      if (!index.has(target)) {
        connect(target);
        low.set(node, Math.min(low.get(node)!, low.get(target)!));
      } else if (onStack.has(target)) {
        low.set(node, Math.min(low.get(node)!, index.get(target)!));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      const selfImport = graph.get(node)?.includes(node) ?? false;
      if (component.length > 1 || selfImport) components.push(component);
    }
  };
  for (const node of graph.keys()) if (!index.has(node)) connect(node);
  return components.map((component) => cycleWithin(graph, new Set(component)));
}

/** A shortest path from the component's first file (sorted) back to itself, staying inside the component. */
function cycleWithin(graph: ReadonlyMap<string, readonly string[]>, members: ReadonlySet<string>): string[] {
  const start = [...members].sort()[0]!;
  const cameFrom = new Map<string, string>();
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    const node = queue[i]!;
    for (const target of graph.get(node) ?? []) {
      if (!members.has(target)) continue;
      if (target === start) {
        const path = [start];
        for (let at: string | undefined = node; at !== start && at !== undefined; at = cameFrom.get(at))
          path.splice(1, 0, at);
        return [...path, start];
      }
      if (!cameFrom.has(target)) {
        cameFrom.set(target, node);
        queue.push(target);
      }
    }
  }
  return [start, start];
}

const files = sourceFiles();
const graph = importGraph(files, (file) => readFileSync(join(ROOT, file), 'utf8'));

describe('import graph of src/ and bench/', () => {
  it('reads the tree it is meant to read', () => {
    // A guard against a walk or a regex that silently finds nothing, which would pass the checks below.
    expect(files).toContain('src/index.ts');
    expect(files).toContain('bench/run.ts');
    expect(graph.get('src/index.ts')).toContain('src/pipeline.ts');
    expect(graph.get('bench/run.ts')).toContain('bench/harness/scenario.ts');
  });

  it('has no import cycle', () => {
    const cycles = findCycles(graph).map((cycle) => cycle.join(' → '));
    expect(cycles, `import cycles:\n${cycles.join('\n')}`).toEqual([]);
  });

  it('keeps src/delivery from importing src/sources or src/workers (broker clients live in src/brokers)', () => {
    const upward = [...graph]
      .filter(([file]) => file.startsWith('src/delivery/'))
      .flatMap(([file, targets]) => targets.map((target) => `${file} → ${target}`))
      .filter((arrow) => /→ src\/(sources|workers)\//.test(arrow));
    expect(upward).toEqual([]);
  });
});

describe('the cycle finder itself', () => {
  const read = (sources: Record<string, string>) => (file: string) => sources[file] ?? '';

  it('resolves .js to .ts, folders to index.ts, and reads every import form', () => {
    const sources = {
      'src/a.ts': [
        "import { b } from './b.js';",
        "import type { C } from './c/index.js';",
        "export * from './d.js';",
        "import './e.js';",
        "const f = await import('./f.js');",
        "import {\n  g,\n  type G,\n} from './g.js';",
        "import { z } from 'zod';",
        "export const ROOT = new URL('../x.js', import.meta.url);",
        "// import { h } from './h.js';",
        "/* import { i } from './i.js'; */",
      ].join('\n'),
    };
    const known = ['src/a.ts', 'src/b.ts', 'src/c/index.ts', 'src/d.ts', 'src/e.ts', 'src/f.ts', 'src/g.ts'];
    const built = importGraph([...known, 'src/h.ts', 'src/i.ts'], read(sources));
    expect(built.get('src/a.ts')).toEqual(known.slice(1));
  });

  it('names the files of a cycle in order, and nothing for a DAG', () => {
    const cyclic = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts', 'd.ts']],
      ['c.ts', ['a.ts']],
      ['d.ts', []],
    ]);
    expect(findCycles(cyclic)).toEqual([['a.ts', 'b.ts', 'c.ts', 'a.ts']]);
    expect(findCycles(new Map([['self.ts', ['self.ts']]]))).toEqual([['self.ts', 'self.ts']]);
    const dag = new Map([
      ['a.ts', ['b.ts', 'c.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', []],
    ]);
    expect(findCycles(dag)).toEqual([]);
  });
});
