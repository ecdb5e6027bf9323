// The aggregate stage's public surface: windowed engagement counters, hype meter, poll tallies.
export { EngagementAggregator, type HypeReading } from './engagement-aggregator.js';
export { SlidingWindowCounter } from './sliding-window-counter.js';
export { PollTally, type PollSnapshot } from './poll-tally.js';
export { hypeLevel } from './hype-meter.js';
