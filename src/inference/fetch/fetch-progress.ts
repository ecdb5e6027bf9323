// What `models:fetch` tells the user on stderr: a redrawn download bar (bytes / total) when stderr
// is a terminal, one line per step otherwise (CI logs, pipes).

export interface DownloadProgress {
  /** `received` bytes so far, of `total` when the server sent a length. */
  update(received: number): void;
  /** The download ended: completely (`ok`) or broken off. */
  done(ok: boolean): void;
}

export interface FetchProgress {
  step(text: string): void;
  download(what: string, total: number | undefined): DownloadProgress;
}

/** Reports nothing (tests, library callers that log their own way). */
export const silentProgress: FetchProgress = {
  step() {},
  download: () => ({ update() {}, done() {} }),
};

const BAR_WIDTH = 30;
const REDRAW_EVERY_MS = 100;

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

export function streamProgress(
  stream: NodeJS.WritableStream & { isTTY?: boolean } = process.stderr,
  options: { tty?: boolean; now?: () => number } = {},
): FetchProgress {
  const tty = options.tty ?? stream.isTTY === true;
  const now = options.now ?? Date.now;
  return {
    step(text) {
      stream.write(`${text}\n`);
    },
    download(what, total) {
      const started = now();
      let lastDraw = 0;
      let received = 0;
      const draw = (): void => {
        if (total !== undefined && total > 0) {
          const share = Math.min(1, received / total);
          const filled = Math.round(share * BAR_WIDTH);
          const bar = `${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}`;
          stream.write(
            `\r\x1b[2K  [${bar}] ${formatBytes(received)} / ${formatBytes(total)} ${Math.floor(share * 100)}%`,
          );
        } else stream.write(`\r\x1b[2K  ${formatBytes(received)}`);
      };
      stream.write(`downloading ${what}${total === undefined ? '' : ` (${formatBytes(total)})`}\n`);
      return {
        update(bytes) {
          received = bytes;
          if (!tty) return;
          const at = now();
          if (at - lastDraw < REDRAW_EVERY_MS) return;
          lastDraw = at;
          draw();
        },
        done(ok) {
          if (tty) {
            draw();
            stream.write('\n');
          }
          const seconds = ((now() - started) / 1000).toFixed(1);
          stream.write(`  ${ok ? 'downloaded' : 'broke off after'} ${formatBytes(received)} in ${seconds} s\n`);
        },
      };
    },
  };
}
