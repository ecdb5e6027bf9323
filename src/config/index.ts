// The config area's public surface: load a pipeline file, its types, its errors.
export { loadPipeline, parsePipeline, type ParseOptions } from './load-pipeline.js';
export { ConfigError, formatConfigIssue, type ConfigIssue } from './config-error.js';
export { parseDuration } from './duration.js';
export * from './schema.js';
