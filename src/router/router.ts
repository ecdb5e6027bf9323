// Fans an event out to the triggers whose filters pass it. Triggers that pin `type` are indexed by it,
// so an event costs only its type's candidates plus the triggers that could match any type.

import { LivepipeError, isLivepipeError } from '../errors.js';
import type { EventRecord } from './attribute-reader.js';
import { compileTriggerSpec, type TriggerFilterSpec } from './compile-filter.js';
import { FAIL, type EventFilter } from './filter.js';

export interface RouterTrigger<T> extends TriggerFilterSpec {
  name: string;
  target: T;
}

export interface RouterHooks {
  /** Called once per event whose filter on this trigger errored (a CEL or CESQL run-time error); the event skipped it. */
  onFilterError?: (trigger: string, error: unknown) => void;
}

interface Candidate<T> {
  readonly order: number;
  /** undefined: the trigger's filter cannot fail (no filter, or one that never decides) and it takes every event. */
  readonly test: EventFilter | undefined;
  readonly target: T;
}

export class Router<T> {
  readonly stats: { indexedTriggers: number; scannedTriggers: number };
  /** Per type: that type's indexed triggers merged with the scanned ones, in declaration order. */
  readonly #byType = new Map<string, Candidate<T>[]>();
  /** Triggers that may pass any type; the whole list for a type no trigger pins. */
  readonly #scanned: Candidate<T>[] = [];

  constructor(triggers: RouterTrigger<T>[], hooks?: RouterHooks) {
    const onFilterError = hooks?.onFilterError;
    const indexed = new Map<string, Candidate<T>[]>();
    const names = new Set<string>();
    let indexedTriggers = 0;

    triggers.forEach((trigger, order) => {
      if (names.has(trigger.name)) {
        throw new LivepipeError(
          'LP_FILTER_INVALID',
          `trigger "${trigger.name}" is declared twice; give each trigger its own name`,
        );
      }
      names.add(trigger.name);
      const compiled = compileWithName(trigger, onFilterError);
      // A filter that always fails can never deliver: it is offered to no event.
      if (compiled.constant === FAIL) return;
      const test = compiled.constant === undefined ? compiled.evaluate : undefined;
      const candidate: Candidate<T> = { order, test, target: trigger.target };
      if (compiled.types && test) {
        indexedTriggers++;
        // An empty set (e.g. exact type a AND exact type b) can pass nothing: it is indexed nowhere.
        for (const type of compiled.types) {
          let list = indexed.get(type);
          if (!list) indexed.set(type, (list = []));
          list.push(candidate);
        }
      } else {
        this.#scanned.push(candidate);
      }
    });

    for (const [type, list] of indexed) {
      this.#byType.set(
        type,
        [...list, ...this.#scanned].sort((a, b) => a.order - b.order),
      );
    }
    this.stats = { indexedTriggers, scannedTriggers: this.#scanned.length };
  }

  /** Targets of the triggers that pass the event, in declaration order. Allocates only the result. */
  match(event: EventRecord): T[] {
    const type = event.type;
    const candidates = (typeof type === 'string' ? this.#byType.get(type) : undefined) ?? this.#scanned;
    const matched: T[] = [];
    for (let i = 0; i < candidates.length; i++) {
      const candidate = candidates[i]!;
      if (candidate.test === undefined || candidate.test(event) !== FAIL) matched.push(candidate.target);
    }
    return matched;
  }

  /** How many triggers' filters an event of this type is checked against (for tests and metrics). */
  candidateCount(type: string): number {
    return (this.#byType.get(type) ?? this.#scanned).length;
  }
}

function compileWithName<T>(trigger: RouterTrigger<T>, onFilterError: RouterHooks['onFilterError']) {
  const name = trigger.name;
  try {
    return compileTriggerSpec(trigger, onFilterError ? { onError: (error) => onFilterError(name, error) } : undefined);
  } catch (error) {
    if (isLivepipeError(error)) {
      throw new LivepipeError(error.code, `trigger "${name}": ${error.message}`, { cause: error });
    }
    throw error;
  }
}
