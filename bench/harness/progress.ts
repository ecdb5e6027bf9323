// Progress on stderr: a redrawn bar on a TTY, plain lines otherwise (CI logs, pipes), so the
// results on disk and stdout stay clean.

export class Progress {
  private readonly stream: NodeJS.WriteStream;
  private readonly tty: boolean;
  private readonly startedAt = Date.now();
  private total = 1;
  private done = 0;
  private label = '';

  constructor(stream: NodeJS.WriteStream = process.stderr, options: { tty?: boolean } = {}) {
    this.stream = stream;
    this.tty = options.tty ?? stream.isTTY === true;
  }

  /** Number of scenarios (units of the bar). */
  begin(total: number): void {
    this.total = Math.max(1, total);
    this.done = 0;
  }

  scenario(label: string): void {
    this.label = label;
    this.line(`▶ ${label}`);
  }

  /** One step inside the current scenario (a probe, a measurement). */
  step(text: string): void {
    if (this.tty) this.redraw(text);
    else this.stream.write(`  ${this.label}: ${text}\n`);
  }

  finishScenario(summary: string): void {
    this.done++;
    this.line(`✔ ${this.label}: ${summary}`);
  }

  private line(text: string): void {
    if (this.tty) this.stream.write(`\r\x1b[2K${text}\n`);
    else this.stream.write(`${text}\n`);
    if (this.tty) this.redraw('');
  }

  private redraw(text: string): void {
    const width = 24;
    const filled = Math.round((this.done / this.total) * width);
    const elapsed = ((Date.now() - this.startedAt) / 1000).toFixed(0);
    const columns = this.stream.columns ?? 100;
    const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${this.done}/${this.total} ${elapsed}s ${this.label} ${text}`;
    this.stream.write(`\r\x1b[2K${bar.slice(0, columns - 1)}`);
  }

  end(): void {
    if (this.tty) this.stream.write('\r\x1b[2K');
  }
}
