import { describe, expect, it } from 'vitest';
import { generatorSchema } from '../../../src/config/schema.js';
import { GeneratorSource, InteractionSimulator } from '../../../src/sources/generator.js';
import { recordingSourceContext } from '../../support/recording-source-context.js';

const spec = (input: Record<string, unknown> = {}) => generatorSchema.parse(input);

describe('GeneratorSource', () => {
  it('emits the simulator sequence, stamps ingesttime and stops at maxEvents', async () => {
    const generatorSpec = spec({ rate: 5000, maxEvents: 300 });
    const source = new GeneratorSource('demo', generatorSpec);
    const { context, delivered: events } = recordingSourceContext();
    const before = Date.now();
    await source.start(context);
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

  it('delivers nothing more while the pipeline has no capacity, and resumes once it has', async () => {
    const source = new GeneratorSource('demo', spec({ rate: 5000, maxEvents: 50 }));
    let release!: () => void;
    const room = new Promise<void>((resolve) => (release = resolve));
    const recording = recordingSourceContext({ capacity: () => (recording.delivered.length >= 10 ? room : undefined) });
    await source.start(recording.context);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(recording.delivered).toHaveLength(10);
    release();
    await source.finished();
    expect(recording.delivered).toHaveLength(50);
  });

  it('does not wait for a delivery to complete before handing over the next event', async () => {
    const source = new GeneratorSource('demo', spec({ rate: 5000, maxEvents: 50 }));
    const { context, delivered } = recordingSourceContext({ settle: () => new Promise<void>(() => undefined) });
    await source.start(context);
    await source.finished();
    expect(delivered).toHaveLength(50);
  });

  it('delivers no event once stop() has resolved', async () => {
    const source = new GeneratorSource('demo', spec({ rate: 2000 }));
    const { context, delivered } = recordingSourceContext();
    await source.start(context);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await source.stop();
    const atStop = delivered.length;
    expect(atStop).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(delivered).toHaveLength(atStop);
    await source.finished();
  });

  it('ends after its duration and emits only events scheduled before it', async () => {
    const source = new GeneratorSource('demo', spec({ rate: 1000, duration: 100 }));
    await source.start(recordingSourceContext().context);
    await source.finished();
    const simulator = new InteractionSimulator(spec({ rate: 1000 }));
    let expected = 0;
    while (simulator.next().offsetMs < 100) expected++;
    expect(source.emitted).toBe(expected);
  });
});
