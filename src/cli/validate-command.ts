// `livepipe validate <files...>`: checks pipeline files without starting anything (models are
// loaded and their ONNX files opened, then closed) and prints one line per problem
// (`file:line:col  path  message`), so editors and CI can jump to it.
import { ConfigError, formatConfigIssue } from '../config/config-error.js';
import { loadPipeline } from '../config/load-pipeline.js';
import { checkModelFiles } from '../config/model-file-check.js';
import { isLivepipeError } from '../errors.js';

export interface CommandOutput {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/** Validates each file; returns the exit code: 0 when all are valid, 1 otherwise. */
export async function validateCommand(files: string[], out: CommandOutput): Promise<number> {
  if (files.length === 0) {
    out.stderr.write('livepipe validate: give one or more pipeline files, e.g. pipelines/live-interaction.yaml\n');
    return 1;
  }
  let exitCode = 0;
  for (const file of files) {
    try {
      const pipeline = await loadPipeline(file);
      const modelIssues = await checkModelFiles(pipeline, file);
      if (modelIssues.length > 0) throw new ConfigError(file, modelIssues);
      out.stdout.write(
        `✓ ${file}: pipeline "${pipeline.metadata.name}" — ${count(pipeline.sources.length, 'source')}, ` +
          `${count(pipeline.triggers.length, 'trigger')}, ${count(pipeline.models.length, 'model')}\n`,
      );
    } catch (error) {
      exitCode = 1;
      if (error instanceof ConfigError) {
        for (const issue of error.issues) out.stderr.write(`${formatConfigIssue(issue)}\n`);
      } else if (isLivepipeError(error)) {
        out.stderr.write(`${file}  ${error.message}\n`);
      } else {
        throw error;
      }
    }
  }
  return exitCode;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
