// The overlay stage's public surface: the HTTP + WebSocket server and its wire protocol types.
export { OverlayServer, type OverlayOptions, type OverlayRoute } from './overlay-server.js';
export type { OverlayHooks, OverlayStats, RoomSummary } from './websocket-hub.js';
export { WEBSOCKET_PATH, type OverlayFrame, type OverlayMessage, type OverlaySnapshot } from './protocol.js';
export type { FanoutMessage, OverlayFanout } from './overlay-fanout.js';
export { RedisOverlayFanout, type RedisOverlayFanoutOptions, type RedisFanoutStats } from './redis-fanout.js';
