// Builds the chat-sentiment models (English, Chinese) into the model cache (models/chat-sentiment-files.ts says
// what it is made of). The bytes depend only on the pinned encoder and the committed head; they must
// match the sha256 that the model's manifest pins, or nothing is written.
//
//   npm run models:build-chat             compose into ~/.cache/livepipe/models/chat-sentiment{,-zh}/
//   npm run models:build-chat -- --train  first retrain the heads, measure, rewrite heads and manifests
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { isLivepipeError } from '../src/errors.js';
import {
  BUILD_CHAT_COMMAND,
  type BuiltFile,
  CHAT_SENTIMENT_MODELS,
  type ChatSentimentModel,
  composeChatSentiment,
  describeFiles,
  loadEncoder,
  readHead,
  writeToCache,
} from './chat-sentiment-files.js';
import { train } from './train-chat-sentiment.js';
import { trainChinese } from './train-chat-sentiment-zh.js';

async function pinnedFiles(model: ChatSentimentModel): Promise<BuiltFile[]> {
  const manifest = parse(await readFile(model.manifestPath, 'utf8')) as { build?: { files?: BuiltFile[] } };
  return manifest.build?.files ?? [];
}

async function build(model: ChatSentimentModel): Promise<number> {
  const files = await composeChatSentiment(await loadEncoder(model), await readHead(model), model);
  const built = describeFiles(files);
  const pinned = await pinnedFiles(model);
  for (const file of built) {
    const pin = pinned.find((p) => p.file === file.file);
    if (pin === undefined || pin.sha256 !== file.sha256 || pin.size !== file.size) {
      process.stderr.write(
        `models:build-chat: ${model.name} ${file.file} would be ${file.size} bytes, sha256 ${file.sha256}; ` +
          `${model.manifestPath} pins ${pin === undefined ? 'nothing' : `${pin.size} bytes, sha256 ${pin.sha256}`}. ` +
          'Nothing written. After changing the training or the encoder on purpose, run ' +
          `\`${BUILD_CHAT_COMMAND} -- --train\` to rewrite the manifest.\n`,
      );
      return 1;
    }
  }
  const dir = await writeToCache(model.name, files);
  process.stderr.write(`models:build-chat: ${model.name} ready in ${dir} (model.onnx sha256 ${built[0]?.sha256})\n`);
  return 0;
}

async function main(args: string[]): Promise<number> {
  try {
    if (args.includes('--train')) {
      await train();
      await trainChinese();
    }
    let failed = 0;
    for (const model of CHAT_SENTIMENT_MODELS) failed += await build(model);
    return failed > 0 ? 1 : 0;
  } catch (error) {
    if (!isLivepipeError(error)) throw error;
    process.stderr.write(`models:build-chat: ${error.message}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
