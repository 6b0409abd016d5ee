/**
 * Default text heartbeat: the client sends `message`, the server answers `returnMessage`.
 * Both ends default to these, so a client and a server left at their defaults agree.
 */
export const HEARTBEAT_DEFAULTS = {
  message: 'ping',
  returnMessage: 'pong',
  interval: 25_000,
  timeout: 10_000,
} as const
