// The one rule for a Redis URL, shared by the config schema and the pools and workers that connect.

export const REDIS_URL = /^rediss?:\/\/[^\s]+$/;

export const REDIS_URL_RULE = 'a Redis URL such as redis://127.0.0.1:6379';
