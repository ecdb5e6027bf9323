// Copies non-TypeScript assets (the overlay page) next to the compiled JS and marks the CLI executable.
import { chmodSync, cpSync, existsSync } from 'node:fs';

const assets = [['src/overlay/public', 'dist/overlay/public']];
for (const [from, to] of assets) {
  if (existsSync(from)) cpSync(from, to, { recursive: true });
}
if (existsSync('dist/cli.js')) chmodSync('dist/cli.js', 0o755);
