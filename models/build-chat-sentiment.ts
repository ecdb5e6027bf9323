// Builds the English chat-sentiment model into the model cache (models/chat-sentiment-files.ts says
// what it is made of). The bytes depend only on the pinned encoder and the committed head; they must
// match the sha256 that models/chat-sentiment.yaml pins, or nothing is written.
//
//   npm run models:build-chat             compose into ~/.cache/livepipe/models/chat-sentiment/
//   npm run models:build-chat -- --train  first retrain the head, measure, rewrite the head and manifest
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { isLivepipeError } from '../src/errors.js';
import {
  BUILD_CHAT_COMMAND,
  type BuiltFile,
  CHAT_SENTIMENT_MANIFEST,
  composeChatSentiment,
  describeFiles,
  loadEncoder,
  readHead,
  writeToCache,
} from './chat-sentiment-files.js';
import { train } from './train-chat-sentiment.js';

async function pinnedFiles(): Promise<BuiltFile[]> {
  const manifest = parse(await readFile(CHAT_SENTIMENT_MANIFEST, 'utf8')) as { build?: { files?: BuiltFile[] } };
  return manifest.build?.files ?? [];
}

async function build(): Promise<number> {
  const encoder = await loadEncoder();
  const files = await composeChatSentiment(encoder, await readHead());
  const built = describeFiles(files);
  const pinned = await pinnedFiles();
  for (const file of built) {
    const pin = pinned.find((p) => p.file === file.file);
    if (pin === undefined || pin.sha256 !== file.sha256 || pin.size !== file.size) {
      process.stderr.write(
        `models:build-chat: ${file.file} would be ${file.size} bytes, sha256 ${file.sha256}; ` +
          `${CHAT_SENTIMENT_MANIFEST} pins ${pin === undefined ? 'nothing' : `${pin.size} bytes, sha256 ${pin.sha256}`}. ` +
          'Nothing written. After changing the head or the encoder on purpose, run ' +
          `\`${BUILD_CHAT_COMMAND} -- --train\` to rewrite the manifest.\n`,
      );
      return 1;
    }
  }
  const dir = await writeToCache('chat-sentiment', files);
  process.stderr.write(`models:build-chat: chat-sentiment ready in ${dir} (model.onnx sha256 ${built[0]?.sha256})\n`);
  return 0;
}

async function main(args: string[]): Promise<number> {
  try {
    if (args.includes('--train')) {
      await train();
    }
    return await build();
  } catch (error) {
    if (!isLivepipeError(error)) throw error;
    process.stderr.write(`models:build-chat: ${error.message}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
