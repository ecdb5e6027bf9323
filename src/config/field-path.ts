// Field paths as users read them in error messages: `triggers[1].subscriber.model`.
export type FieldPath = readonly (string | number)[];

const PLAIN_KEY = /^[A-Za-z_$][\w$-]*$/;

export function formatFieldPath(path: FieldPath): string {
  if (path.length === 0) return '(root)';
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (PLAIN_KEY.test(segment)) text += text === '' ? segment : `.${segment}`;
    else text += `[${JSON.stringify(segment)}]`;
  }
  return text;
}

/** Zod paths may hold symbols in principle; a pipeline's never do, so they become text. */
export function toFieldPath(path: readonly PropertyKey[]): FieldPath {
  return path.map((segment) => (typeof segment === 'symbol' ? String(segment) : segment));
}
