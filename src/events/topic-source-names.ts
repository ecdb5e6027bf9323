// The CloudEvent `source` of a broker source's events is its prefix plus the topic: built once per
// topic and reused, so decoding an event concatenates nothing. Bounded, for sources that match
// topics by pattern.

const CACHE_LIMIT = 1024;

/** Returns topic → `${prefix}${topic}`, memoized (the cache starts over past 1024 topics). */
export function topicSourceNames(prefix: string): (topic: string) => string {
  const sourceByTopic = new Map<string, string>();
  return (topic) => {
    let value = sourceByTopic.get(topic);
    if (value === undefined) {
      value = prefix + topic;
      if (sourceByTopic.size >= CACHE_LIMIT) sourceByTopic.clear();
      sourceByTopic.set(topic, value);
    }
    return value;
  };
}
