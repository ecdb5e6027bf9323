// Durations in pipeline files: "250ms", "2s", "1.5m", "1h", or ISO-8601 ("PT0.5S", as Knative's
// backoffDelay). Parsed once at load into milliseconds.

const SIMPLE = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)$/;
const ISO = /^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Returns milliseconds, or undefined when the text is not a duration. */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  const simple = SIMPLE.exec(trimmed);
  if (simple) return Number(simple[1]) * (UNIT_MS[simple[2]!] ?? 1);
  const iso = ISO.exec(trimmed);
  if (iso && trimmed !== 'P' && !trimmed.endsWith('T')) {
    const [, d, h, m, s] = iso;
    return (Number(d ?? 0) * 86_400 + Number(h ?? 0) * 3600 + Number(m ?? 0) * 60 + Number(s ?? 0)) * 1000;
  }
  return undefined;
}
