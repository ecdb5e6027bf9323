// The pools' one wake-up timer: re-armed after every pump, it keeps the earliest deadline asked
// for, so a later request never postpones a batch that is due sooner.

export class WakeTimer {
  private timer: NodeJS.Timeout | undefined;
  private dueAt = Infinity;

  constructor(private readonly wake: () => void) {}

  /** Wakes in delayMs unless already set to wake sooner. */
  arm(delayMs: number): void {
    const dueAt = performance.now() + delayMs;
    if (this.timer !== undefined && this.dueAt <= dueAt) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.dueAt = dueAt;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.dueAt = Infinity;
      this.wake();
    }, Math.ceil(delayMs));
  }

  cancel(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.dueAt = Infinity;
  }
}
