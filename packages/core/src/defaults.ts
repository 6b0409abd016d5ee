// The engine's defaults and timings, each stated once (the options' `@default`s in types.ts
// repeat them for the docs). Constants exported from a module of their own are written as
// plain numbers where they are used by the bundler, so a name costs nothing in the bundle.

/** `queueSize`: messages kept while not open (or unacknowledged, with reliable delivery). */
export const QUEUE_SIZE = 1_000

/** `stableAfter`: how long a connection must stay open before the backoff starts over. */
export const STABLE_AFTER = 5_000

/** `connectTimeout`: how long CONNECTING may take before the attempt has failed. */
export const CONNECT_TIMEOUT = 10_000

/** How long a manual close waits for the closing handshake before it lets the socket go. */
export const CLOSE_GRACE = 3_000

/** A heartbeat timer this late was held back by a throttled tab or a sleeping machine. */
export const LATE = 1_000

/** The default backoff: its ceiling, and its first step's. */
export const BACKOFF_CAP = 30_000
export const BACKOFF_BASE = 1_000
