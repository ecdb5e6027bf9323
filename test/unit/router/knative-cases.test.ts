// Knative Eventing's own filter test tables, transcribed as data (knative/eventing at 8cf4c4b6,
// pkg/eventfilter/attributes/filter_test.go and pkg/eventfilter/subscriptionsapi/*_test.go), plus the
// tri-state and skip rules of create.go and the webhook rules of trigger_validation.go.
import { describe, expect, it } from 'vitest';
import { compileEntry, compileTriggerSpec, type FilterSpec } from '../../../src/router/compile-filter.js';
import { FAIL, NO_FILTER, PASS, type FilterResult } from '../../../src/router/filter.js';
import { compileTriggerFilter } from '../../../src/router/index.js';

const RESULT_NAMES = { [PASS]: 'PassFilter', [FAIL]: 'FailFilter', [NO_FILTER]: 'NoFilter' } as const;

/** The tri-state result of one filters entry (undefined: skipped, Knative's nil filter). */
function entryResult(entry: FilterSpec, event: Record<string, unknown>): string {
  const compiled = compileEntry(entry, 'filters[0]', undefined);
  return compiled ? RESULT_NAMES[compiled.evaluate(event)] : 'skipped';
}

function triggerResult(spec: Parameters<typeof compileTriggerSpec>[0], event: Record<string, unknown>): string {
  return RESULT_NAMES[compileTriggerSpec(spec).evaluate(event) as FilterResult];
}

describe('attributes/filter_test.go: legacy filter.attributes', () => {
  // makeEvent() there: type, source and id only; the broker arrival-time case adds an extension.
  const base = { specversion: '1.0', type: 'com.example.someevent', source: '/mycontext', id: '1234' };
  const withExtension = { ...base, myextension: 'my-extension-value' };
  const withSubject = { ...base, subject: 'mysubject' };
  const withArrival = { ...base, knativearrivaltime: '2019-08-26T23:38:17.834384404Z' };
  const attributes = (type: string, source: string, extra: Record<string, string> = {}) => ({ type, source, ...extra });

  it.each([
    ['Wrong type', attributes('some-other-type', ''), base, 'FailFilter'],
    ['Wrong source', attributes('', 'some-other-source'), base, 'FailFilter'],
    ['Any', attributes('', ''), base, 'PassFilter'],
    ['Specific', attributes('com.example.someevent', '/mycontext'), base, 'PassFilter'],
    [
      'Extension with attribs',
      attributes('com.example.someevent', '/mycontext', { myextension: 'my-extension-value' }),
      withExtension,
      'PassFilter',
    ],
    [
      'Any Extension with attribs - without Extension in Event',
      attributes('com.example.someevent', '/mycontext', { myextension: '' }),
      base,
      'FailFilter',
    ],
    [
      'Any Extension with attribs - with Extension in Event',
      attributes('com.example.someevent', '/mycontext', { myextension: '' }),
      withExtension,
      'PassFilter',
    ],
    [
      'Subject with attribs',
      attributes('com.example.someevent', '/mycontext', { subject: 'mysubject' }),
      withSubject,
      'PassFilter',
    ],
    [
      'Any Subject with attribs - without Subject in Event',
      attributes('com.example.someevent', '/mycontext', { subject: '' }),
      base,
      'FailFilter',
    ],
    [
      'Any Subject with attribs - with Subject in Event',
      attributes('com.example.someevent', '/mycontext', { subject: '' }),
      withSubject,
      'PassFilter',
    ],
    ['Any with attribs - Arrival extension', attributes('', ''), withArrival, 'PassFilter'],
    [
      'Wrong Extension with attribs',
      attributes('com.example.someevent', '/mycontext', { myextension: 'some-other-extension-value' }),
      withExtension,
      'FailFilter',
    ],
  ])('%s', (_name, filter, event, want) => {
    expect(triggerResult({ filter: { attributes: filter } }, event)).toBe(want);
  });

  it('TestAllSupportedAttributeFieldsV1: every core attribute, schemaurl and datamediatype compare as set', () => {
    const event = {
      specversion: '1.0',
      type: 'com.example.someevent',
      source: '/mycontext',
      id: '1234',
      dataschema: 'wow',
      subject: 'cool',
      datacontenttype: 'cheers;mate',
      time: '2020-03-21T12:34:56.78Z',
    };
    const filter = {
      specversion: '1.0',
      type: event.type,
      source: event.source,
      subject: 'cool',
      id: '1234',
      time: event.time,
      dataschema: 'wow',
      schemaurl: 'wow',
      datacontenttype: 'cheers;mate',
      datamediatype: 'cheers',
    };
    expect(triggerResult({ filter: { attributes: filter } }, event)).toBe('PassFilter');
  });

  it('TestV03Event: datacontentencoding is a core attribute', () => {
    const event = { ...base, datacontentencoding: 'perfect' };
    expect(triggerResult({ filter: { attributes: { datacontentencoding: 'perfect' } } }, event)).toBe('PassFilter');
    expect(triggerResult({ filter: { attributes: { datacontentencoding: 'x' } } }, base)).toBe('FailFilter');
  });

  it('a nil attributes map is NoFilter; an empty one passes', () => {
    expect(triggerResult({ filter: {} }, base)).toBe('NoFilter');
    expect(triggerResult({ filter: { attributes: {} } }, base)).toBe('PassFilter');
  });
});

// makeEvent() in all_filter_test.go: these attributes plus the broker TTL extension as an int32.
const event = {
  specversion: '1.0',
  type: 'dev.knative.example',
  source: 'knativesource',
  id: '1234',
  knativebrokerttl: 20,
};
const withExtension = { ...event, myextension: 'my-extension-value' };

describe('subscriptionsapi exact/prefix/suffix_filter_test.go', () => {
  it.each([
    ['exact', 'Wrong type', { type: 'some-other-type' }, event, 'FailFilter'],
    ['exact', 'Wrong source', { source: 'some-other-source' }, event, 'FailFilter'],
    ['exact', 'Wrong extension', { myextension: 'some-other-extension' }, event, 'FailFilter'],
    ['exact', 'Match type', { type: 'dev.knative.example' }, event, 'PassFilter'],
    ['exact', 'Match extension', { myextension: 'my-extension-value' }, withExtension, 'PassFilter'],
    ['exact', 'Missing attribute', { missingattribute: 'missingvalue' }, event, 'FailFilter'],
    ['exact', 'Wrong type and source', { type: 'some-other-type', source: 'some-other-source' }, event, 'FailFilter'],
    [
      'exact',
      'Match type and wrong source',
      { type: 'dev.knative.example', source: 'some-other-source' },
      event,
      'FailFilter',
    ],
    [
      'exact',
      'Match type and match source',
      { type: 'dev.knative.example', source: 'knativesource' },
      event,
      'PassFilter',
    ],
    [
      'exact',
      'Match type and miss extension',
      { type: 'dev.knative.example', myextension: 'my-extension-value' },
      event,
      'FailFilter',
    ],
    [
      'exact',
      'Match type and match extension',
      { type: 'dev.knative.example', myextension: 'my-extension-value' },
      withExtension,
      'PassFilter',
    ],
    ['exact', 'int32 extension compares by its %v form', { knativebrokerttl: '20' }, event, 'PassFilter'],
    ['prefix', 'Missing attribute', { someotherattribute: 'wrong.prefix' }, event, 'FailFilter'],
    ['prefix', 'Wrong type prefix', { type: 'wrong.prefix' }, event, 'FailFilter'],
    ['prefix', 'Wrong source prefix', { source: 'wrong.prefix' }, event, 'FailFilter'],
    ['prefix', 'Wrong extension prefix', { myextension: 'wrong.prefix' }, event, 'FailFilter'],
    ['prefix', 'Match type prefix', { type: 'dev.knative' }, event, 'PassFilter'],
    ['prefix', 'Match extension prefix', { myextension: 'my-extension' }, withExtension, 'PassFilter'],
    ['prefix', 'Match type and wrong source', { type: 'dev.knative', source: 'wrong.prefix' }, event, 'FailFilter'],
    ['prefix', 'Match type and match source', { type: 'dev.knative', source: 'knative' }, event, 'PassFilter'],
    [
      'prefix',
      'Match type and missing extension',
      { type: 'dev.knative', myextension: 'attri.prefix' },
      event,
      'FailFilter',
    ],
    [
      'prefix',
      'Match type and match extension',
      { type: 'dev.knative', myextension: 'my-extension' },
      withExtension,
      'PassFilter',
    ],
    ['suffix', 'Missing attribute', { someotherattribute: 'wrong.suffix' }, event, 'FailFilter'],
    ['suffix', 'Wrong type suffix', { type: 'wrong.suffix' }, event, 'FailFilter'],
    ['suffix', 'Wrong source suffix', { source: 'wrong.suffix' }, event, 'FailFilter'],
    ['suffix', 'Wrong extension suffix', { myextension: 'wrong.suffix' }, event, 'FailFilter'],
    ['suffix', 'Match type suffix', { type: '.knative.example' }, event, 'PassFilter'],
    ['suffix', 'Match extension suffix', { myextension: 'extension-value' }, withExtension, 'PassFilter'],
    ['suffix', 'Match type and match source', { type: '.knative.example', source: 'source' }, event, 'PassFilter'],
  ])('%s: %s', (dialect, _name, spec, input, want) => {
    expect(entryResult({ [dialect]: spec }, input)).toBe(want);
  });

  it.each([
    ['an empty value', { exact: { type: '' } }],
    ['an empty value beside a good one', { exact: { type: 'dev.knative.example', source: '' } }],
    ['an empty map', { prefix: {} }],
    ['an empty suffix', { suffix: { source: '' } }],
  ])('New*Filter rejects %s, so create.go skips the entry', (_name, entry) => {
    expect(entryResult(entry, event)).toBe('skipped');
  });
});

describe('subscriptionsapi all/any/not_filter_test.go: tri-state combination', () => {
  // The Go tests use stub filters; an exact type filter passes or fails this event the same way.
  const pass: FilterSpec = { exact: { type: 'dev.knative.example' } };
  const fail: FilterSpec = { exact: { type: 'other' } };
  /** Knative's NoFilter as a filters entry: `not` of a skipped entry. */
  const none: FilterSpec = { not: {} };

  it.each([
    ['Empty', { all: [] }, 'skipped'],
    ['Pass', { all: [pass] }, 'PassFilter'],
    ['Fail', { all: [fail] }, 'FailFilter'],
    ['Pass and Fail', { all: [pass, fail] }, 'FailFilter'],
    ['Pass and Pass', { all: [pass, pass] }, 'PassFilter'],
    ['Fail and Fail', { all: [fail, fail] }, 'FailFilter'],
    ['Nested Pass', { all: [{ all: [pass] }] }, 'PassFilter'],
    ['Nested Fail', { all: [{ all: [fail] }] }, 'FailFilter'],
    ['Pass, Nested Fail', { all: [pass, { all: [fail] }] }, 'FailFilter'],
    ['Pass, Nested Pass', { all: [pass, { all: [pass] }] }, 'PassFilter'],
    ['Fail, Nested Fail', { all: [fail, { all: [fail] }] }, 'FailFilter'],
    ['Fail, Nested Pass', { all: [fail, { all: [pass] }] }, 'FailFilter'],
    ['Pass, Nested Pass Fail', { all: [pass, { all: [pass, fail] }] }, 'FailFilter'],
    ['Pass, Nested Pass Pass', { all: [pass, { all: [pass, pass] }] }, 'PassFilter'],
    ['Pass, Nested Fail Fail', { all: [pass, { all: [fail, fail] }] }, 'FailFilter'],
    ['Fail, Nested Pass Fail', { all: [fail, { all: [pass, fail] }] }, 'FailFilter'],
    ['Fail, Nested Pass Pass', { all: [fail, { all: [pass, pass] }] }, 'FailFilter'],
    ['Fail, Nested Fail Fail', { all: [fail, { all: [fail, fail] }] }, 'FailFilter'],
    ['all of only skipped entries is NoFilter', { all: [{ exact: { type: '' } }] }, 'NoFilter'],
    ['all: the last result wins when none fails (Pass, NoFilter)', { all: [pass, none] }, 'NoFilter'],
    ['all: the last result wins when none fails (NoFilter, Pass)', { all: [none, pass] }, 'PassFilter'],
    ['all: a skipped entry is dropped, not counted as last', { all: [pass, { exact: { type: '' } }] }, 'PassFilter'],
  ])('all: %s', (_name, entry, want) => {
    expect(entryResult(entry, event)).toBe(want);
  });

  it.each([
    ['Empty', { any: [] }, 'skipped'],
    ['Pass', { any: [pass] }, 'PassFilter'],
    ['Fail', { any: [fail] }, 'FailFilter'],
    ['Pass and Fail', { any: [pass, fail] }, 'PassFilter'],
    ['Pass and Pass', { any: [pass, pass] }, 'PassFilter'],
    ['Fail and Fail', { any: [fail, fail] }, 'FailFilter'],
    ['Nested Pass', { any: [{ any: [pass] }] }, 'PassFilter'],
    ['Nested Fail', { any: [{ any: [fail] }] }, 'FailFilter'],
    ['Pass, Nested Fail', { any: [pass, { any: [fail] }] }, 'PassFilter'],
    ['Pass, Nested Pass', { any: [pass, { any: [pass] }] }, 'PassFilter'],
    ['Fail, Nested Fail', { any: [fail, { any: [fail] }] }, 'FailFilter'],
    ['Fail, Nested Pass', { any: [fail, { any: [pass] }] }, 'PassFilter'],
    ['Pass, Nested Pass Fail', { any: [pass, { any: [pass, fail] }] }, 'PassFilter'],
    ['Pass, Nested Pass Pass', { any: [pass, { any: [pass, pass] }] }, 'PassFilter'],
    ['Pass, Nested Fail Fail', { any: [pass, { any: [fail, fail] }] }, 'PassFilter'],
    ['Fail, Nested Pass Fail', { any: [fail, { any: [pass, fail] }] }, 'PassFilter'],
    ['Fail, Nested Pass Pass', { any: [fail, { any: [pass, pass] }] }, 'PassFilter'],
    ['Fail, Nested Fail Fail', { any: [fail, { any: [fail, fail] }] }, 'FailFilter'],
    ['any: the last result wins when none passes (Fail, NoFilter)', { any: [fail, none] }, 'NoFilter'],
    ['any: the last result wins when none passes (NoFilter, Fail)', { any: [none, fail] }, 'FailFilter'],
    ['any: a skipped entry is dropped, not counted as last', { any: [fail, { all: [] }] }, 'FailFilter'],
  ])('any: %s', (_name, entry, want) => {
    expect(entryResult(entry, event)).toBe(want);
  });

  it.each([
    ['Empty (not of nothing)', { not: {} }, 'NoFilter'],
    ['Not Pass', { not: pass }, 'FailFilter'],
    ['Not Fail', { not: fail }, 'PassFilter'],
    ['not of NoFilter', { not: none }, 'NoFilter'],
    ['not of a skipped exact', { not: { exact: { type: '' } } }, 'NoFilter'],
  ])('not: %s', (_name, entry, want) => {
    expect(entryResult(entry, event)).toBe(want);
  });

  it('filter_handler.go delivers on PassFilter and NoFilter and drops only FailFilter', () => {
    expect(compileTriggerFilter({ filters: [{ any: [fail, none] }] })(event)).toBe(true);
    expect(compileTriggerFilter({ filters: [{ any: [none, fail] }] })(event)).toBe(false);
    expect(compileTriggerFilter({ filters: [{ not: none }] })(event)).toBe(true);
  });
});

describe('subscriptionsapi cesql_filter_test.go', () => {
  it.each([
    ['Missing expression', '', event, 'skipped'],
    ['Wrong type', "type = 'wrong.type'", event, 'FailFilter'],
    ['Wrong extension prefix', "myextension = 'wrong.extension'", event, 'FailFilter'],
    ['Match type', "type = 'dev.knative.example'", event, 'PassFilter'],
    ['Match extension', "myextension = 'my-extension-value'", withExtension, 'PassFilter'],
    ['Match numeric extension', 'knativebrokerttl < 30', event, 'PassFilter'],
    ['Match type OR Source', "(type = 'dev.knative.example') OR (source = 'some-other-source')", event, 'PassFilter'],
    ['Missing attribute less than comparison', 'missingattribute < 5', event, 'FailFilter'],
    ['Missing attribute equals comparison', 'missingattribute = missinsvalue', event, 'FailFilter'],
  ])('%s', (_name, expression, input, want) => {
    expect(entryResult({ cesql: expression }, input)).toBe(want);
  });
});

describe('filter_handler.go and trigger_validation.go', () => {
  it('an empty filters list does not override filter', () => {
    expect(triggerResult({ filters: [], filter: { attributes: { type: 'other' } } }, event)).toBe('FailFilter');
  });

  it('a non-empty filters list whose entries are all skipped is NoFilter and ignores filter', () => {
    expect(
      triggerResult({ filters: [{ exact: { type: '' } }], filter: { attributes: { type: 'other' } } }, event),
    ).toBe('NoFilter');
  });

  it('no filter at all is NoFilter', () => {
    expect(triggerResult({}, event)).toBe('NoFilter');
  });

  it('an entry with no dialect set is skipped', () => {
    expect(entryResult({}, event)).toBe('skipped');
    expect(entryResult({ cesql: '', exact: {} }, event)).toBe('skipped');
  });

  it.each([
    ['two dialects set', { exact: { type: 'a' }, prefix: { type: 'b' } }, /exactly one of/],
    ['a cesql expression beside another dialect', { cesql: 'true', suffix: { type: 'b' } }, /found: cesql, suffix/],
    ['an attribute name starting with a digit', { exact: { '1a': 'b' } }, /must start with a lower-case letter/],
    ['an upper-case attribute name', { suffix: { Type: 'b' } }, /must start with a lower-case letter/],
    ['a legacy attribute name with a dash', { legacy: true }, /must start with a lower-case letter/],
    ['a CESQL parse error', { cesql: 'type = ' }, /does not parse/],
  ])('the webhook rejects %s; livepipe rejects it at load', (_name, entry, message) => {
    const compile = () =>
      'legacy' in entry
        ? compileTriggerSpec({ filter: { attributes: { 'my-ext': 'x' } } })
        : compileTriggerSpec({ filters: [entry as FilterSpec] });
    expect(compile).toThrow(
      expect.objectContaining({ code: 'LP_FILTER_INVALID', message: expect.stringMatching(message) }),
    );
  });

  it('a dialect key set to an empty value does not count as a second dialect', () => {
    expect(entryResult({ exact: {}, prefix: { type: 'dev.' } }, event)).toBe('PassFilter');
  });
});
