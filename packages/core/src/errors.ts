/** What went wrong, as a stable string a program can switch on. */
export type TetheredErrorCode =
  | 'NO_WEBSOCKET'
  | 'INVALID_URL'
  | 'URL_PROVIDER'
  | 'CONNECT_TIMEOUT'
  | 'HEARTBEAT_TIMEOUT'
  | 'SOCKET'
  | 'PARSE'
  | 'SERIALIZE'
  /** The server broke the wire format (reliable delivery): the socket is closed with 1002. */
  | 'PROTOCOL'
  | 'QUEUE_OVERFLOW'
  | 'REQUEST_TIMEOUT'
  | 'REQUEST_FAILED'
  | 'REQUEST_CLOSED'

/** Every error Tethered reports: `snapshot.error`, `onError` and the `error` event carry one. */
export class TetheredError extends Error {
  override name = 'TetheredError'

  constructor(
    readonly code: TetheredErrorCode,
    message: string,
    cause?: unknown,
  ) {
    super(message, { cause })
  }
}

/** `e` as a TetheredError: itself if it is one, else wrapped under `code`. */
export const wrap = (e: unknown, code: TetheredErrorCode, what: string) =>
  e instanceof TetheredError ? e : new TetheredError(code, `${what}: ${String(e)}`, e)
