/**
 * react-use-websocket's enum, reverse mapping included (`ReadyState[readyState]` is the
 * name): the same numbers as `@tethered/core`'s `ReadyState`.
 */
export enum ReadyState {
  UNINSTANTIATED = -1,
  CONNECTING = 0,
  OPEN = 1,
  CLOSING = 2,
  CLOSED = 3,
}
