// Extension names derived from a binding's free-form names (Kafka headers, RocketMQ properties):
// a prefix plus the name lower-cased with everything but [a-z0-9] removed, as Knative's KafkaSource
// does. Memoized per distinct name, bounded, so a record's headers cost a map lookup each.

const CACHE_LIMIT = 1024;

/** Returns name → `${prefix}<name lower-cased, [a-z0-9] kept>`, memoized (the cache starts over past 1024 names). */
export function prefixedExtensionNames(prefix: string): (name: string) => string {
  const extensionByName = new Map<string, string>();
  return (name) => {
    let extension = extensionByName.get(name);
    if (extension !== undefined) return extension;
    extension = prefix;
    const lower = name.toLowerCase();
    for (let i = 0; i < lower.length; i++) {
      const c = lower.charCodeAt(i);
      if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57)) extension += lower[i];
    }
    if (extensionByName.size >= CACHE_LIMIT) extensionByName.clear();
    extensionByName.set(name, extension);
    return extension;
  };
}
