// The overlay page's files, read into memory once at start-up: serving them is a map lookup, and
// no request path ever reaches the file system (so there is no path traversal to guard against).
import { readdir, readFile } from 'node:fs/promises';
import { extname } from 'node:path';

export interface StaticAsset {
  body: Buffer;
  contentType: string;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
};

/** Resolved next to this module, so it works from src/ (tsx, vitest) and from dist/ (postbuild copies it). */
export const PUBLIC_DIRECTORY = new URL('./public/', import.meta.url);

/** Loads every file directly in `directory`, keyed by file name. */
export async function loadStaticAssets(directory: URL = PUBLIC_DIRECTORY): Promise<Map<string, StaticAsset>> {
  const assets = new Map<string, StaticAsset>();
  const entries = await readdir(directory, { withFileTypes: true });
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const contentType = CONTENT_TYPES[extname(entry.name)];
    if (contentType === undefined) continue;
    assets.set(entry.name, { body: await readFile(new URL(entry.name, directory)), contentType });
  }
  return assets;
}
