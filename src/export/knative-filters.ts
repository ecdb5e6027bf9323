// A livepipe trigger's filters in Knative's Trigger shape. exact/prefix/suffix/all/any/not carry over;
// `cel` becomes `cesql` where CESQL can say it. Where it cannot, Knative gets a looser filter (a superset
// of the events) and the exact check stays with livepipe's router, which is listed in `kept`.
import { LivepipeError } from '../errors.js';
import type { TriggerSpec } from '../config/schema.js';
import { ATTRIBUTE_NAME } from '../router/attribute-reader.js';
import { celToCesql } from './cel-to-cesql.js';

/** One entry of Knative's `filters` dialect (eventing.knative.dev/v1 Trigger.spec.filters[]). */
export type KnativeFilter =
  | { exact: Record<string, string> }
  | { prefix: Record<string, string> }
  | { suffix: Record<string, string> }
  | { all: KnativeFilter[] }
  | { any: KnativeFilter[] }
  | { not: KnativeFilter }
  | { cesql: string };

/** A CEL filter that Knative cannot apply, and why. */
export interface KeptCelFilter {
  trigger: string;
  cel: string;
  why: string;
}

export interface KnativeTriggerFilter {
  /** The legacy filter, when the livepipe trigger used it. */
  filter?: { attributes: Record<string, string> };
  /** The `filters` dialect; absent or empty: every event passes. */
  filters?: KnativeFilter[];
  /** CEL parts that Knative passes as a superset; livepipe's router applies them exactly. */
  kept: KeptCelFilter[];
}

/** undefined stands for "passes every event": the loosest filter, used where Knative cannot say more. */
type Translated = KnativeFilter | undefined;

/** The trigger's filters for one Knative Trigger of its own. */
export function knativeTriggerFilter(trigger: TriggerSpec): KnativeTriggerFilter {
  const kept: KeptCelFilter[] = [];
  if (trigger.filters !== undefined && trigger.filters.length > 0) {
    const filters = trigger.filters
      .map((entry, index) => translateEntry(entry, `${trigger.name}.filters[${index}]`, trigger.name, kept))
      .filter((entry): entry is KnativeFilter => entry !== undefined);
    return filters.length > 0 ? { filters, kept } : { kept };
  }
  const attributes = trigger.filter?.attributes;
  if (attributes !== undefined) {
    for (const name of Object.keys(attributes)) attributeName(name, `${trigger.name}.filter.attributes`);
    return { filter: { attributes: { ...attributes } }, kept };
  }
  return { kept };
}

/**
 * Several livepipe triggers that deliver to the same Knative subscriber, as one Knative filter: one Trigger
 * per subscriber, so an event that matches two of them is delivered once and counted once.
 */
export function knativeAnyOfTriggers(triggers: readonly TriggerSpec[]): KnativeTriggerFilter {
  if (triggers.length === 1) return knativeTriggerFilter(triggers[0]!);
  const kept: KeptCelFilter[] = [];
  const members = triggers.map((trigger) => triggerAsEntry(trigger, kept));
  // A member that passes everything makes the union pass everything.
  if (members.some((member) => member === undefined)) return { kept };
  return { filters: [{ any: members as KnativeFilter[] }], kept };
}

function triggerAsEntry(trigger: TriggerSpec, kept: KeptCelFilter[]): Translated {
  const own = knativeTriggerFilter(trigger);
  kept.push(...own.kept);
  if (own.filters !== undefined) return conjunction(own.filters);
  if (own.filter !== undefined) {
    // The legacy "" means "any value, but present"; the filters dialect says that with EXISTS.
    return conjunction(
      Object.entries(own.filter.attributes).map(
        ([name, value]): KnativeFilter => (value === '' ? { cesql: `EXISTS ${name}` } : { exact: { [name]: value } }),
      ),
    );
  }
  return undefined;
}

function translateEntry(
  entry: Record<string, unknown>,
  path: string,
  trigger: string,
  kept: KeptCelFilter[],
): Translated {
  const [dialect, ...others] = Object.keys(entry);
  if (dialect === undefined || others.length > 0) {
    throw new LivepipeError(
      'LP_FILTER_INVALID',
      `${path}: a filter has exactly one dialect; run "livepipe validate" on the pipeline first`,
    );
  }
  const operand = entry[dialect];
  switch (dialect) {
    case 'exact':
    case 'prefix':
    case 'suffix':
      return attributeMatch(dialect, operand, `${path}.${dialect}`);
    case 'all':
      return conjunction(
        list(operand, `${path}.all`).map((child, i) => translateEntry(child, `${path}.all[${i}]`, trigger, kept)),
      );
    case 'any': {
      const members = list(operand, `${path}.any`).map((child, i) =>
        translateEntry(child, `${path}.any[${i}]`, trigger, kept),
      );
      // One member that Knative must pass wholesale makes the whole `any` pass: still a superset.
      if (members.length === 0 || members.some((member) => member === undefined)) return undefined;
      return members.length === 1 ? members[0] : { any: members as KnativeFilter[] };
    }
    case 'not': {
      if (typeof operand !== 'object' || operand === null || Array.isArray(operand)) throw notEntry(`${path}.not`);
      const inner = translateEntry(operand as Record<string, unknown>, `${path}.not`, trigger, kept);
      // not(superset) would be a subset; the sound loosening of a `not` we cannot say exactly is "pass".
      return inner === undefined ? undefined : { not: inner };
    }
    case 'cel': {
      const cel = String(operand);
      const translation = celToCesql(cel);
      if ('cesql' in translation) return { cesql: translation.cesql };
      kept.push({ trigger, cel, why: translation.untranslatable });
      return undefined;
    }
    case 'cesql':
      return typeof operand === 'string' && operand !== '' ? { cesql: operand } : undefined;
    default:
      throw new LivepipeError(
        'LP_FILTER_INVALID',
        `${path}: unknown filter "${dialect}"; run "livepipe validate" on the pipeline first`,
      );
  }
}

/** Knative takes one attribute per exact/prefix/suffix entry; several become an `all`. */
function attributeMatch(dialect: 'exact' | 'prefix' | 'suffix', operand: unknown, path: string): Translated {
  if (typeof operand !== 'object' || operand === null || Array.isArray(operand)) throw notEntry(path);
  const entries = Object.entries(operand as Record<string, unknown>).map(([name, value]) => {
    attributeName(name, path);
    return { [dialect]: { [name]: String(value) } } as KnativeFilter;
  });
  return conjunction(entries);
}

function conjunction(entries: readonly Translated[]): Translated {
  const known = entries.filter((entry): entry is KnativeFilter => entry !== undefined);
  if (known.length === 0) return undefined;
  return known.length === 1 ? known[0] : { all: known };
}

function list(operand: unknown, path: string): Record<string, unknown>[] {
  if (!Array.isArray(operand)) throw notEntry(path);
  return operand as Record<string, unknown>[];
}

function attributeName(name: string, path: string): void {
  if (!ATTRIBUTE_NAME.test(name)) {
    throw new LivepipeError(
      'LP_FILTER_INVALID',
      `${path}: Knative accepts attribute names that start with a letter and hold only lower-case letters and digits; "${name}" does not — rename the attribute or keep this pipeline on livepipe's router`,
    );
  }
}

function notEntry(path: string): LivepipeError {
  return new LivepipeError(
    'LP_FILTER_INVALID',
    `${path}: malformed filter; run "livepipe validate" on the pipeline first`,
  );
}
