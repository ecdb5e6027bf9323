// Gifts viewers can send, with coin values and how often each is chosen: cheap gifts are
// common, expensive ones rare, so gift value per second has the long tail real streams show.

export interface GiftKind {
  name: string;
  /** Coins per item. */
  value: number;
  /** Relative frequency. */
  weight: number;
}

export const GIFT_CATALOG: readonly GiftKind[] = [
  { name: 'rose', value: 1, weight: 400 },
  { name: 'finger-heart', value: 5, weight: 160 },
  { name: 'doughnut', value: 30, weight: 40 },
  { name: 'perfume', value: 20, weight: 50 },
  { name: 'cap', value: 99, weight: 14 },
  { name: 'corgi', value: 299, weight: 5 },
  { name: 'rocket', value: 500, weight: 3 },
  { name: 'castle', value: 1000, weight: 1 },
];
