import { describe, expect, it } from 'vitest';
import { ZipArchive, ZipFormatError } from '../../../../src/inference/fetch/zip-archive.js';
import { writeZip } from './zip-fixture.js';

describe('ZipArchive', () => {
  const onnx = Buffer.from(Array.from({ length: 5000 }, (_, i) => i % 251));
  const jar = writeZip([
    { name: 'META-INF/MANIFEST.MF', data: 'Manifest-Version: 1.0\n', method: 'stored' },
    { name: 'model.onnx', data: onnx },
    { name: 'dir/tokenizer.json', data: '{"model":{"type":"WordPiece"}}' },
  ]);

  it('lists the entries of the central directory', () => {
    const archive = new ZipArchive(jar);
    expect([...archive.entries.keys()]).toEqual(['META-INF/MANIFEST.MF', 'model.onnx', 'dir/tokenizer.json']);
    expect(archive.entries.get('model.onnx')?.size).toBe(5000);
  });

  it('reads stored and deflated entries byte for byte', async () => {
    const archive = new ZipArchive(jar);
    expect((await archive.read('META-INF/MANIFEST.MF')).toString()).toBe('Manifest-Version: 1.0\n');
    expect((await archive.read('model.onnx')).equals(onnx)).toBe(true);
    expect((await archive.read('dir/tokenizer.json')).toString()).toContain('WordPiece');
  });

  it('finds the directory behind an archive comment', async () => {
    const withComment = Buffer.concat([jar, Buffer.from('a comment')]);
    withComment.writeUInt16LE(9, jar.length - 2);
    expect((await new ZipArchive(withComment).read('model.onnx')).length).toBe(5000);
  });

  it('rejects a damaged entry by its CRC-32', async () => {
    const stored = writeZip([{ name: 'a.bin', data: 'hello world', method: 'stored' }]);
    const at = 30 + 'a.bin'.length;
    stored[at] = (stored[at] as number) ^ 0xff;
    await expect(new ZipArchive(stored).read('a.bin')).rejects.toThrow(/CRC-32/);
  });

  it('rejects a truncated download and text that is not a zip', () => {
    expect(() => new ZipArchive(jar.subarray(0, jar.length - 10))).toThrow(ZipFormatError);
    expect(() => new ZipArchive(Buffer.from('<html>404 Not Found</html>'))).toThrow(/not a zip archive/);
  });

  it('names a missing entry', async () => {
    await expect(new ZipArchive(jar).read('nope.onnx')).rejects.toThrow(/no entry "nope.onnx"/);
  });
});
