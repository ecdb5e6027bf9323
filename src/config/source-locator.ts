// Maps a field path in the parsed pipeline back to where it is written in the YAML text, so that
// every config error can name a line and column. Works on the yaml package's document AST.
import type { FieldPath } from './field-path.js';
import { isAlias, isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';

export interface SourcePosition {
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
}

interface Resolved {
  /** The node written at the path, when there is one (absent for a missing key or an empty value). */
  value?: Node;
  /** The key node of the last map entry on the path, when the path ends in a present map key. */
  key?: Node;
  /** The deepest node on the path that exists, and the key that names it. */
  nearest: Node | undefined;
  nearestKey?: Node;
}

export class SourceLocator {
  readonly #document: Document;
  readonly #lines: LineCounter;

  constructor(document: Document, lines: LineCounter) {
    this.#document = document;
    this.#lines = lines;
  }

  /** Where the value at `path` is written; falls back to its key, then to the nearest ancestor. */
  valueAt(path: FieldPath): SourcePosition {
    const found = this.#resolve(path);
    return this.#position(found.value ?? found.key ?? found.nearestKey ?? found.nearest);
  }

  /**
   * Where the key naming `path` is written: for unknown or invalid keys, and for a collection
   * that lacks a required field (`metadata:`; a sequence item has no key, so its first line).
   */
  keyAt(path: FieldPath): SourcePosition {
    const found = this.#resolve(path);
    return this.#position(found.key ?? found.value ?? found.nearestKey ?? found.nearest);
  }

  /** A position for a raw character offset in the text (for YAML syntax errors). */
  offset(offset: number): SourcePosition {
    const { line, col } = this.#lines.linePos(offset);
    return { line, column: col };
  }

  #resolve(path: FieldPath): Resolved {
    let node = this.#deref(this.#document.contents ?? undefined);
    let key: Node | undefined;
    let nearest = node;
    let nearestKey: Node | undefined;
    for (const segment of path) {
      if (node === undefined) return { nearest, nearestKey };
      let next: Node | undefined;
      let nextKey: Node | undefined;
      let found = false;
      if (isMap(node)) {
        for (const pair of node.items) {
          if (!isPair(pair)) continue;
          const pairKey = pair.key as Node | null;
          const keyValue = isScalar(pairKey) ? pairKey.value : pairKey;
          if (keyValue === segment || String(keyValue) === String(segment)) {
            next = this.#deref((pair.value as Node | null) ?? undefined);
            nextKey = pairKey ?? undefined;
            found = true;
            break;
          }
        }
      } else if (isSeq(node) && typeof segment === 'number') {
        const item = node.items[segment] as Node | null | undefined;
        if (item !== undefined) {
          next = this.#deref(item ?? undefined);
          found = true;
        }
      }
      if (!found) return { nearest, nearestKey };
      node = next;
      key = nextKey;
      if (next !== undefined) nearest = next;
      // A sequence item has no key of its own; the sequence's key must not stand in for it.
      if (next !== undefined || nextKey !== undefined) nearestKey = nextKey;
    }
    const resolved: Resolved = { nearest, nearestKey };
    if (node !== undefined) resolved.value = node;
    if (key !== undefined) resolved.key = key;
    return resolved;
  }

  #deref(node: Node | undefined): Node | undefined {
    if (node !== undefined && isAlias(node)) return (node.resolve(this.#document) as Node | undefined) ?? node;
    return node;
  }

  #position(node: Node | undefined): SourcePosition {
    const start = node?.range?.[0];
    if (start === undefined) return { line: 1, column: 1 };
    return this.offset(start);
  }
}
