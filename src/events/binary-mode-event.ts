// The step every binding's binary-mode decoder ends with, once it has collected the ce_ attributes
// from its headers or properties: check them, and turn the payload into data by its content type.
import type { LiveEvent } from './cloudevent.js';
import { assertContextAttributes, normalizeIngestTime } from './context-attributes.js';
import { decodeDeclaredData, NOT_JSON, sniffJson } from './event-data.js';

/**
 * Completes a binary-mode event from its collected attributes: content-type becomes datacontenttype;
 * a payload is decoded by that type, or without one parsed if it looks like JSON, else kept as bytes.
 */
export function completeBinaryModeEvent(
  candidate: Record<string, unknown>,
  contentType: string | undefined,
  payload: Buffer | null,
): LiveEvent {
  if (contentType !== undefined) candidate.datacontenttype = contentType;
  assertContextAttributes(candidate);
  normalizeIngestTime(candidate);
  if (payload !== null && payload.length > 0) {
    if (contentType !== undefined) candidate.data = decodeDeclaredData(payload, contentType);
    else {
      const sniffed = sniffJson(payload);
      candidate.data = sniffed === NOT_JSON ? payload : sniffed;
    }
  }
  return candidate;
}
