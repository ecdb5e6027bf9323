// Rewrites the README's pipeline reference from the config schema (`npm run docs:reference`);
// with --check it only says whether the README is current (exit 1 if not).
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { undocumentedFields, withReference } from '../src/config/reference-docs.js';

const readmePath = fileURLToPath(new URL('../README.md', import.meta.url));
const missing = undocumentedFields();
if (missing.length > 0) {
  console.error(`these schema fields have no .describe() text:\n  ${missing.join('\n  ')}`);
  process.exit(1);
}
const current = readFileSync(readmePath, 'utf8');
const next = withReference(current);
if (process.argv.includes('--check')) {
  if (next !== current) {
    console.error('README.md: the pipeline reference differs from the schema; run `npm run docs:reference`');
    process.exit(1);
  }
  console.log('README.md: the pipeline reference matches the schema');
} else if (next !== current) {
  writeFileSync(readmePath, next);
  console.log('README.md: pipeline reference rewritten from the schema');
} else {
  console.log('README.md: pipeline reference already current');
}
