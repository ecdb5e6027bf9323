// Turns a binding's payload bytes into a LiveEvent's `data` and back, by media type: JSON is
// parsed (and must be valid), text/* becomes a string, anything else stays bytes (a Buffer), as
// Knative keeps them.
import { CloudEventDecodeError } from './cloudevent-decode-error.js';
import { MediaKind, mediaKindOf } from './media-type.js';

/** Returned by sniffJson when the bytes are not a JSON object or array. */
export const NOT_JSON: unique symbol = Symbol('not JSON');

/** Decodes bytes whose media type was declared; invalid JSON under a JSON media type throws. */
export function decodeDeclaredData(value: Buffer, contentType: string): unknown {
  const kind = mediaKindOf(contentType);
  if (kind === MediaKind.Json) {
    try {
      return JSON.parse(value.toString('utf8'));
    } catch (error) {
      throw new CloudEventDecodeError(
        `data is not valid JSON although content type ${JSON.stringify(contentType)} declares JSON (${(error as Error).message})`,
        { cause: error },
      );
    }
  }
  if (kind === MediaKind.Text) return value.toString('utf8');
  return value;
}

/**
 * Undeclared bytes that look like a JSON object or array (first non-blank byte `{` or `[`) are
 * parsed; anything else, or text that fails to parse, is NOT_JSON and stays bytes.
 */
export function sniffJson(value: Buffer): unknown {
  let i = 0;
  while (i < value.length) {
    const byte = value[i]!;
    if (byte !== 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d) break;
    i++;
  }
  const first = value[i];
  if (first !== 0x7b && first !== 0x5b) return NOT_JSON;
  try {
    return JSON.parse(value.toString('utf8'));
  } catch {
    return NOT_JSON;
  }
}

/** Whether `data` goes on the wire as JSON text (not as raw bytes or as a plain string). */
export function isJsonEncoded(data: unknown, contentType: string | undefined): boolean {
  if (data === undefined || data instanceof Uint8Array) return false;
  if (typeof data === 'string') return contentType === undefined || mediaKindOf(contentType) === MediaKind.Json;
  return true;
}

/** The payload bytes for `data`: bytes as they are, strings as UTF-8 unless JSON is declared, else JSON. */
export function encodeEventData(data: unknown, contentType: string | undefined): Buffer | null {
  if (data === undefined) return null;
  if (Buffer.isBuffer(data)) return data;
  if (data instanceof Uint8Array) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (typeof data === 'string' && !isJsonEncoded(data, contentType)) return Buffer.from(data, 'utf8');
  return Buffer.from(JSON.stringify(data), 'utf8');
}
