// Display names and levels for simulated viewers, derived from the viewer number alone so a
// viewer keeps the same identity every time they interact.

const FIRST = [
  'sunny',
  'lucky',
  'pixel',
  'midnight',
  'cosmic',
  'tiny',
  'happy',
  'silent',
  'wild',
  'golden',
  'neon',
  'sleepy',
  'spicy',
  'frosty',
  'crimson',
  'mellow',
];
const SECOND = [
  'panda',
  'fox',
  'gamer',
  'cat',
  'dreamer',
  'tiger',
  'wolf',
  'otter',
  'ninja',
  'koala',
  'bean',
  'rider',
  'sparrow',
  'mochi',
  'comet',
  'bard',
];

function mix(n: number): number {
  let h = Math.imul(n ^ 0x5bd1e995, 0x27d4eb2d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x85ebca6b);
  return (h ^ (h >>> 13)) >>> 0;
}

export function viewerName(viewer: number): string {
  const h = mix(viewer);
  return `${FIRST[h % FIRST.length]}_${SECOND[(h >>> 8) % SECOND.length]}${(h >>> 16) % 1000}`;
}

/** 1–50, most viewers low-level: a square law over the hash. */
export function viewerLevel(viewer: number): number {
  const u = (mix(viewer + 0x9e37) % 10_000) / 10_000;
  return 1 + Math.floor(u * u * 50);
}
