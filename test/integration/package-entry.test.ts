// The package's main entry as another project imports it: the built JS under dist/, resolved
// through package.json "exports" (npm test builds first).
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);

async function entry(): Promise<Record<string, unknown>> {
  const main = require.resolve('livepipe');
  expect(main).toMatch(/dist[\\/]index\.js$/);
  return (await import(main)) as Record<string, unknown>;
}

describe('package main entry', () => {
  it('exports compileTriggerFilter with Knative filter shapes', async () => {
    const { compileTriggerFilter } = (await entry()) as {
      compileTriggerFilter: (trigger: object) => (event: Record<string, unknown>) => boolean;
    };
    const gift = {
      specversion: '1.0',
      id: '1',
      source: '/live/streams/s1',
      type: 'live.gift',
      data: { gift: { value: 150 }, viewer: { level: 5 } },
    };
    const like = { ...gift, type: 'live.like', data: { count: 3 } };

    const exact = compileTriggerFilter({ filters: [{ exact: { type: 'live.gift' } }] });
    expect([exact(gift), exact(like)]).toEqual([true, false]);

    const legacy = compileTriggerFilter({ filter: { attributes: { type: 'live.like', source: '' } } });
    expect([legacy(gift), legacy(like)]).toEqual([false, true]);

    const cel = compileTriggerFilter({
      filters: [{ cel: 'event.data.gift.value >= 100 && event.data.viewer.level >= 3' }],
    });
    expect([cel(gift), cel(like)]).toEqual([true, false]);

    const nested = compileTriggerFilter({
      filters: [{ all: [{ prefix: { type: 'live.' } }, { not: { suffix: { type: '.like' } } }] }],
    });
    expect([nested(gift), nested(like)]).toEqual([true, false]);

    expect(() => compileTriggerFilter({ filters: [{ cel: 'event.data.gift.value >=' }] })).toThrow(/CEL/);
  });

  it('exports kafkaRecordToCloudEvent with the Knative KafkaSource mapping', async () => {
    const { kafkaRecordToCloudEvent, compileTriggerFilter } = (await entry()) as {
      kafkaRecordToCloudEvent: (record: object, source: object) => Record<string, unknown>;
      compileTriggerFilter: (trigger: object) => (event: Record<string, unknown>) => boolean;
    };
    const event = kafkaRecordToCloudEvent(
      {
        topic: 'chat',
        partition: 2,
        offset: '17',
        key: Buffer.from('stream-9'),
        value: Buffer.from('{"text":"hi"}'),
        headers: { 'X-Region': Buffer.from('eu') },
        timestamp: '1700000000000',
      },
      { namespace: 'live', name: 'interactions' },
    );
    expect(event).toMatchObject({
      specversion: '1.0',
      type: 'dev.knative.kafka.event',
      source: '/apis/v1/namespaces/live/kafkasources/interactions#chat',
      subject: 'partition:2#17',
      id: 'partition:2/offset:17',
      time: new Date(1_700_000_000_000).toISOString(),
      key: 'stream-9',
      kafkaheaderxregion: 'eu',
      data: { text: 'hi' },
    });
    const filter = compileTriggerFilter({
      filters: [{ cel: 'event.data.text == "hi" && event.kafkaheaderxregion == "eu"' }],
    });
    expect(filter(event)).toBe(true);
  });
});
