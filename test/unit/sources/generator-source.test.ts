import { describe, expect, it } from 'vitest';
import { generatorSchema } from '../../../src/config/schema.js';
import { GeneratorSource, InteractionSimulator } from '../../../src/sources/generator.js';
import type { LiveEvent } from '../../../src/events/cloudevent.js';

const spec = (input: Record<string, unknown> = {}) => generatorSchema.parse(input);

describe('GeneratorSource', () => {
  it('emits the simulator sequence, stamps ingesttime and stops at maxEvents', async () => {
    const generatorSpec = spec({ rate: 5000, maxEvents: 300 });
    const source = new GeneratorSource('demo', generatorSpec);
    const events: LiveEvent[] = [];
    const before = Date.now();
    await source.start((event) => void events.push(event));
    await source.finished();
    expect(events).toHaveLength(300);
    const simulator = new InteractionSimulator(generatorSpec);
    for (const event of events) {
      const expected = simulator.next().event;
      expect(event.id).toBe(expected.id);
      expect(event.data).toEqual(expected.data);
      expect(event.ingesttime as number).toBeGreaterThanOrEqual(before);
    }
  });

  it('waits for a sink that returns a promise before handing over the next event', async () => {
    const source = new GeneratorSource('demo', spec({ rate: 5000, maxEvents: 50 }));
    let inSink = 0;
    let overlapped = false;
    await source.start(async () => {
      inSink++;
      if (inSink > 1) overlapped = true;
      await new Promise((resolve) => setTimeout(resolve, 1));
      inSink--;
    });
    await source.finished();
    expect(source.emitted).toBe(50);
    expect(overlapped).toBe(false);
  });

  it('hands no event to the sink once stop() has resolved', async () => {
    const source = new GeneratorSource('demo', spec({ rate: 2000 }));
    let count = 0;
    await source.start(() => void count++);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await source.stop();
    const atStop = count;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(count).toBe(atStop);
    await source.finished();
  });

  it('ends after its duration and emits only events scheduled before it', async () => {
    const source = new GeneratorSource('demo', spec({ rate: 1000, duration: 100 }));
    await source.start(() => undefined);
    await source.finished();
    const simulator = new InteractionSimulator(spec({ rate: 1000 }));
    let expected = 0;
    while (simulator.next().offsetMs < 100) expected++;
    expect(source.emitted).toBe(expected);
  });
});
