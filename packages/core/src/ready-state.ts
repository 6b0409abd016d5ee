/** The connection's state, with the browser's numbers plus `UNINSTANTIATED` for "no socket asked for". */
export const ReadyState = {
  UNINSTANTIATED: -1,
  CONNECTING: 0,
  OPEN: 1,
  CLOSING: 2,
  CLOSED: 3,
} as const

export type ReadyState = (typeof ReadyState)[keyof typeof ReadyState]
