// The real pretrained encoders through livepipe's text-embedding kind: similar chat lines land
// closer than unrelated ones, vectors are unit length, and padding in a batch changes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelRunner } from '../../src/inference/model-runner.js';
import { fetchedModels } from './models-cache.js';

const manifests = await fetchedModels('models-embedding', ['minilm-l6-v2', 'bge-small-zh-v15']);

function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += (a[i] as number) * (b[i] as number);
    aa += (a[i] as number) ** 2;
    bb += (b[i] as number) ** 2;
  }
  return dot / Math.sqrt(aa * bb);
}

describe.skipIf(manifests === undefined)('pretrained text embeddings', () => {
  let english: ModelRunner;
  let chinese: ModelRunner;
  beforeAll(async () => {
    const [minilm, bge] = manifests!;
    english = await ModelRunner.open(minilm!);
    chinese = await ModelRunner.open(bge!);
  });
  afterAll(async () => {
    await english?.close();
    await chinese?.close();
  });

  it('MiniLM puts "the stream is lagging" nearer "stream keeps freezing" than "what a great play"', async () => {
    const [lagging, freezing, play] = await english.embed([
      'the stream is lagging',
      'stream keeps freezing',
      'what a great play',
    ]);
    expect(lagging!.length).toBe(384);
    const similar = cosine(lagging!, freezing!);
    const unrelated = cosine(lagging!, play!);
    expect(similar).toBeGreaterThan(unrelated + 0.2);
  });

  it('bge-small-zh puts a lag complaint nearer another lag complaint than a song compliment', async () => {
    const [lag, buffering, song] = await chinese.embed(['直播卡了', '画面一直卡顿，在缓冲', '这首歌好好听']);
    expect(lag!.length).toBe(512);
    expect(cosine(lag!, buffering!)).toBeGreaterThan(cosine(lag!, song!) + 0.1);
  });

  it('returns unit vectors, the same for the same batch, moving little with other batch-mates', async () => {
    const text = 'gg';
    const [alone] = await english.embed([text]);
    const [again] = await english.embed([text]);
    const [padded] = await english.embed([text, 'a much longer message that forces padding on the short one, really']);
    expect(Math.hypot(...alone!)).toBeCloseTo(1, 5);
    expect(Array.from(again!)).toEqual(Array.from(alone!));
    // The int8 graph quantizes activations with one scale per tensor (DynamicQuantizeLinear) over
    // the whole batch, padded positions included, so batch-mates shift a text's vector a little
    // (cosine 0.95-1.0 measured, models/README.md).
    expect(cosine(alone!, padded!)).toBeGreaterThan(0.95);
  });

  it("reports each text's token count and the padded length of the batch", async () => {
    const run = await english.run(['gg', 'the stream is lagging']);
    expect(Array.from(run.tokenCounts!)).toEqual([4, 7]);
    expect(run.sequenceLength).toBe(7);
    expect(run.results[1]!.embedding).toBeInstanceOf(Float32Array);
  });
});
