// The name and version a model manifest declares, read without loading the model: what the
// result-event type (`ai.<manifest name>.result`) and the status line need at load time.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { nameFromManifestPath } from '../inference/model-kinds/transformer-model.js';

export interface ManifestIdentity {
  name: string;
  /** Undefined when the manifest does not say (or cannot be read yet). */
  version: string | undefined;
  /** Set when the model that runs is the manifest's fallback (the named model is not fetched or built). */
  fallback?: boolean;
}

/**
 * Reads `name` and `version`; a manifest without a name is named after its file, as the model
 * kinds name it. An unreadable manifest gets the same fallback: the loader reports it elsewhere.
 */
export function readManifestIdentity(manifestPath: string): ManifestIdentity {
  let fields: { name?: unknown; version?: unknown } = {};
  try {
    const parsed: unknown = parse(readFileSync(manifestPath, 'utf8'));
    if (typeof parsed === 'object' && parsed !== null) fields = parsed;
  } catch {
    // Missing or not YAML: the cross-reference check and the model loader say so with a fix.
  }
  return {
    name: typeof fields.name === 'string' ? fields.name : nameFromManifestPath(manifestPath),
    version: typeof fields.version === 'string' ? fields.version : undefined,
  };
}
