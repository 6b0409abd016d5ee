import { TetheredError } from './errors'
import type { NodeSocket } from './node-socket'
import type { ConnectionOptions, WebSocketConstructor } from './types'

/**
 * A socket on `input`, with the options' query parameters, protocols and constructor. The
 * url is validated, http(s) turned into ws(s) and the query parameters appended.
 */
export const openSocket = (
  input: string | URL,
  o: Pick<ConnectionOptions, 'queryParams' | 'protocols' | 'WebSocket'>,
) => {
  let url: URL | undefined
  try {
    url = new URL(input, globalThis.location?.href)
  } catch {}
  if (!url || !/^(http|ws)s?:$/.test(url.protocol)) {
    throw new TetheredError('INVALID_URL', `Invalid url "${input}": use ws:, wss:, http: or https:`)
  }
  url.protocol = url.protocol.replace('http', 'ws')
  for (const [key, value] of Object.entries(o.queryParams ?? {})) {
    // `set` turns numbers and booleans into their text.
    if (value != null) url.searchParams.set(key, value as string)
  }
  const Ctor = o.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket
  if (!Ctor) {
    throw new TetheredError('NO_WEBSOCKET', 'No WebSocket: pass one, e.g. { WebSocket } from "ws"')
  }
  return new Ctor(url.href, o.protocols) as NodeSocket
}
