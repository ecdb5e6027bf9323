// The canonical string form of a CloudEvents attribute value, as binary-mode headers carry it
// (Kafka `ce_` headers, HTTP `ce-` headers).

/** The canonical string form of an attribute value (CloudEvents type system). */
export function attributeText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array)
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value instanceof Date) return value.toISOString();
  return JSON.stringify(value);
}
