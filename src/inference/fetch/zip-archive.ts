// Reads named entries out of a zip archive (a jar is one) held in memory: the central directory
// locates each entry, node:zlib inflates it, and its size and CRC-32 are checked against the
// directory. Stored and deflated entries only; ZIP64, encryption and split archives are refused.
import { promisify } from 'node:util';
import { crc32, type InputType, inflateRaw, type ZlibOptions } from 'node:zlib';

const inflate = promisify<InputType, ZlibOptions, Buffer>(inflateRaw);

const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const CENTRAL_DIRECTORY_ENTRY = 0x02014b50;
const LOCAL_FILE_HEADER = 0x04034b50;
const END_RECORD_SIZE = 22;
const MAX_COMMENT = 0xffff;
const STORED = 0;
const DEFLATED = 8;

export class ZipFormatError extends Error {
  override readonly name = 'ZipFormatError';
}

export interface ZipEntry {
  name: string;
  method: number;
  crc32: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
  encrypted: boolean;
}

export class ZipArchive {
  /** Entries by name, from the central directory. */
  readonly entries: ReadonlyMap<string, ZipEntry>;
  private readonly bytes: Buffer;

  constructor(bytes: Buffer) {
    this.bytes = bytes;
    this.entries = readCentralDirectory(bytes);
  }

  /** The entry's uncompressed bytes, checked against its size and CRC-32. */
  async read(name: string): Promise<Buffer> {
    const entry = this.entries.get(name);
    if (entry === undefined) throw new ZipFormatError(`no entry "${name}" in the archive`);
    if (entry.encrypted) throw new ZipFormatError(`entry "${name}" is encrypted`);
    const bytes = this.bytes;
    const at = entry.localHeaderOffset;
    if (at + 30 > bytes.length || bytes.readUInt32LE(at) !== LOCAL_FILE_HEADER) {
      throw new ZipFormatError(`entry "${name}": no local file header at offset ${at}`);
    }
    // The local header's own name and extra lengths may differ from the central directory's.
    const start = at + 30 + bytes.readUInt16LE(at + 26) + bytes.readUInt16LE(at + 28);
    const end = start + entry.compressedSize;
    if (end > bytes.length) throw new ZipFormatError(`entry "${name}" runs past the end of the archive (truncated?)`);
    const raw = bytes.subarray(start, end);
    let data: Buffer;
    if (entry.method === STORED) data = Buffer.from(raw);
    else if (entry.method === DEFLATED) {
      try {
        // Bounded by the recorded size: a lying archive (a zip bomb) cannot make us allocate more.
        data = await inflate(raw, { maxOutputLength: Math.max(1, entry.size) });
      } catch (error) {
        throw new ZipFormatError(`entry "${name}" does not inflate: ${(error as Error).message}`, { cause: error });
      }
    } else throw new ZipFormatError(`entry "${name}" uses compression method ${entry.method}; only 0 and 8 are read`);
    if (data.length !== entry.size) {
      throw new ZipFormatError(`entry "${name}" inflates to ${data.length} bytes, not the ${entry.size} recorded`);
    }
    const actual = crc32(data) >>> 0;
    if (actual !== entry.crc32) {
      throw new ZipFormatError(
        `entry "${name}" has CRC-32 ${hex32(actual)}, not the ${hex32(entry.crc32)} recorded (corrupted archive)`,
      );
    }
    return data;
  }
}

function hex32(value: number): string {
  return value.toString(16).padStart(8, '0');
}

function findEndRecord(bytes: Buffer): number {
  const lowest = Math.max(0, bytes.length - END_RECORD_SIZE - MAX_COMMENT);
  for (let at = bytes.length - END_RECORD_SIZE; at >= lowest; at--) {
    if (bytes.readUInt32LE(at) === END_OF_CENTRAL_DIRECTORY) return at;
  }
  throw new ZipFormatError('not a zip archive (no end-of-central-directory record; truncated download?)');
}

function readCentralDirectory(bytes: Buffer): Map<string, ZipEntry> {
  if (bytes.length < END_RECORD_SIZE) throw new ZipFormatError(`not a zip archive (${bytes.length} bytes)`);
  const end = findEndRecord(bytes);
  const disk = bytes.readUInt16LE(end + 4);
  const directoryDisk = bytes.readUInt16LE(end + 6);
  const count = bytes.readUInt16LE(end + 10);
  const directorySize = bytes.readUInt32LE(end + 12);
  const directoryOffset = bytes.readUInt32LE(end + 16);
  if (disk !== 0 || directoryDisk !== 0) throw new ZipFormatError('split (multi-disk) zip archives are not read');
  if (count === 0xffff || directorySize === 0xffffffff || directoryOffset === 0xffffffff) {
    throw new ZipFormatError('ZIP64 archives are not read');
  }
  if (directoryOffset + directorySize > end) throw new ZipFormatError('the central directory lies outside the archive');

  const entries = new Map<string, ZipEntry>();
  let at = directoryOffset;
  for (let i = 0; i < count; i++) {
    if (at + 46 > end || bytes.readUInt32LE(at) !== CENTRAL_DIRECTORY_ENTRY) {
      throw new ZipFormatError(`central directory entry ${i} is damaged`);
    }
    const flags = bytes.readUInt16LE(at + 8);
    const nameLength = bytes.readUInt16LE(at + 28);
    const extraLength = bytes.readUInt16LE(at + 30);
    const commentLength = bytes.readUInt16LE(at + 32);
    // Bit 11 says UTF-8; jars always set it or use ASCII names, so both read as UTF-8 here.
    const name = bytes.toString('utf8', at + 46, at + 46 + nameLength);
    entries.set(name, {
      name,
      method: bytes.readUInt16LE(at + 10),
      crc32: bytes.readUInt32LE(at + 16),
      compressedSize: bytes.readUInt32LE(at + 20),
      size: bytes.readUInt32LE(at + 24),
      localHeaderOffset: bytes.readUInt32LE(at + 42),
      encrypted: (flags & 1) !== 0,
    });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}
