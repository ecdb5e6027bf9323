// The one rule for a Redis URL, shared by the config schema, the distributed pool and workers, and
// the overlay fan-out: everything here that connects to Redis.

export const REDIS_URL = /^rediss?:\/\/[^\s]+$/;

export const REDIS_URL_RULE = 'a Redis URL such as redis://127.0.0.1:6379';
