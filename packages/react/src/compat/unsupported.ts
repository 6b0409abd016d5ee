import { unsupported } from './use-web-socket'

// react-use-websocket's socket.io and EventSource hooks have no counterpart here: a clear
// error at the first render, never a hook that quietly does something else.

/** Not supported: throws. socket.io speaks its own protocol over the socket. */
export function useSocketIO(..._args: unknown[]): never {
  throw unsupported('useSocketIO')
}

/** Not supported: throws. An EventSource is not a WebSocket. */
export function useEventSource(..._args: unknown[]): never {
  throw unsupported('useEventSource')
}
