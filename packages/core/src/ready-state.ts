// One constant per state, so the engine's comparisons minify to plain numbers.
export const UNINSTANTIATED = -1
export const CONNECTING = 0
export const OPEN = 1
export const CLOSING = 2
export const CLOSED = 3

/** The connection's state, with the browser's numbers plus `UNINSTANTIATED` for "no socket asked for". */
export const ReadyState = { UNINSTANTIATED, CONNECTING, OPEN, CLOSING, CLOSED } as const

export type ReadyState = (typeof ReadyState)[keyof typeof ReadyState]
