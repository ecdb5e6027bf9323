import { describe, expect, it } from 'vitest';
import { formatBytes, streamProgress } from '../../../../src/inference/fetch/fetch-progress.js';

function sink() {
  const chunks: string[] = [];
  return { chunks, stream: { write: (chunk: string) => chunks.push(chunk) > 0 } as unknown as NodeJS.WritableStream };
}

describe('streamProgress', () => {
  it('redraws one bar of bytes / total on a terminal, at most every 100 ms', () => {
    const { chunks, stream } = sink();
    let now = 0;
    const bar = streamProgress(stream, { tty: true, now: () => now }).download('model.jar', 4 * 1024 * 1024);
    now = 200;
    bar.update(1024 * 1024);
    now = 250;
    bar.update(2 * 1024 * 1024); // within 100 ms of the last draw: skipped
    now = 400;
    bar.update(4 * 1024 * 1024);
    bar.done(true);
    const draws = chunks.filter((c) => c.startsWith('\r\x1b[2K'));
    expect(draws[0]).toContain('1.0 MiB / 4.0 MiB 25%');
    expect(draws.some((c) => c.includes('2.0 MiB'))).toBe(false);
    expect(draws.at(-1)).toContain('[##############################] 4.0 MiB / 4.0 MiB 100%');
    expect(chunks.at(-1)).toBe('  downloaded 4.0 MiB in 0.4 s\n');
  });

  it('writes plain lines, no bar, when stderr is not a terminal', () => {
    const { chunks, stream } = sink();
    const progress = streamProgress(stream, { tty: false, now: () => 0 });
    progress.step('minilm-l6-v2: fetching model.onnx');
    const bar = progress.download('https://repo/x.jar', 2048);
    bar.update(1024);
    bar.update(2048);
    bar.done(true);
    expect(chunks).toEqual([
      'minilm-l6-v2: fetching model.onnx\n',
      'downloading https://repo/x.jar (2.0 KiB)\n',
      '  downloaded 2.0 KiB in 0.0 s\n',
    ]);
  });

  it('says when a download broke off', () => {
    const { chunks, stream } = sink();
    const bar = streamProgress(stream, { tty: false, now: () => 0 }).download('x.jar', undefined);
    bar.update(10);
    bar.done(false);
    expect(chunks.at(-1)).toBe('  broke off after 10 B in 0.0 s\n');
  });

  it('formats sizes in B, KiB and MiB', () => {
    expect([formatBytes(512), formatBytes(1536), formatBytes(16_430_363)]).toEqual(['512 B', '1.5 KiB', '15.7 MiB']);
  });
});
