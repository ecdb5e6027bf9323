// A pipeline file that fails validation: every problem found, each with the file, line, column
// and field path it concerns, so the CLI can print them like compiler errors.
import { LivepipeError } from '../errors.js';

export interface ConfigIssue {
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
  /** The field, as `triggers[1].subscriber.model`; `(root)` for the whole document. */
  path: string;
  message: string;
}

/** One line per issue, as compilers print them: `file:line:col  path  message`. */
export function formatConfigIssue(issue: ConfigIssue): string {
  return `${issue.file}:${issue.line}:${issue.column}  ${issue.path}  ${issue.message}`;
}

export class ConfigError extends LivepipeError {
  readonly issues: readonly ConfigIssue[];

  constructor(file: string, issues: readonly ConfigIssue[]) {
    const count = issues.length === 1 ? '1 error' : `${issues.length} errors`;
    super(
      'LP_CONFIG_INVALID',
      `${file} is not a valid pipeline (${count}); fix these and run \`livepipe validate ${file}\` again:\n` +
        issues.map((issue) => `  ${formatConfigIssue(issue)}`).join('\n'),
    );
    this.name = 'ConfigError';
    this.issues = issues;
  }
}
