// biome-ignore assist/source/organizeImports: bundlers lay the modules out in this order, and heartbeat first gzips the hooks' bundles 1–3 B smaller than the sorted order (`pnpm size`)
export { HEARTBEAT_DEFAULTS } from './heartbeat'
export {
  assertClientClose,
  CloseCode,
  isCloseReason,
  isServerCloseCode,
} from './close'
export {
  DEFAULT_ENVELOPE_KEYS,
  decodeEnvelope,
  type Envelope,
  type EnvelopeKeys,
  type ErrorPayload,
  encodeEnvelope,
  resolveEnvelopeKeys,
} from './envelope'
export type * from './event-map'
export {
  encodeAck,
  encodeData,
  encodeHello,
  encodeWelcome,
  type Frame,
  type FrameKind,
  type Hello,
  type MalformedFrame,
  parseFrame,
  RELIABLE,
  type Welcome,
} from './reliable'
export { PROTOCOL_VERSION } from './version'
