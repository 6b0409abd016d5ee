// The behaviour suite through @tethered/react: each mount is a hook rendered under
// <StrictMode> (mount, unmount, mount again), reporting what every render returned.
//
// IS_REACT_ACT_ENVIRONMENT stays unset (vitest runs without globals, so the testing library
// does not set it): socket events update the store from real I/O, outside act().
import { act, renderHook } from '@testing-library/react'
import {
  type SocketHook,
  useConnection,
  useConnectionSocket,
  useSocket,
  useWebSocket,
} from '@tethered/react'
import { describeBehaviour } from './behaviour'
import {
  type AnyEvents,
  type Binding,
  createProbe,
  type EventApi,
  type EventState,
  type Mounted,
  type Probe,
  type SocketState,
  track,
  type WebSocketApi,
} from './harness'

const initialState = (): SocketState => ({
  readyState: -1,
  lastMessage: null,
  lastJsonMessage: null,
  reconnectAttempt: 0,
  error: null,
  resumed: null,
  status: 'idle',
  stopped: null,
})

const report = (probe: Probe<SocketState>, ws: ReturnType<typeof useWebSocket>) =>
  probe.report({
    readyState: ws.readyState,
    lastMessage: ws.lastMessage,
    lastJsonMessage: ws.lastJsonMessage,
    reconnectAttempt: ws.reconnectAttempt,
    error: ws.error,
    resumed: ws.resumed,
    status: ws.status,
    stopped: ws.stopped,
  })

// The hook's functions are stable: the latest render's are the ones to call.
const methods = (latest: () => ReturnType<typeof useWebSocket>): WebSocketApi => ({
  sendMessage: (data, keep) => latest().sendMessage(data, keep),
  sendJsonMessage: (message, keep) => latest().sendJsonMessage(message, keep),
  open: () => latest().open(),
  close: (code, reason) => latest().close(code, reason),
})

// A typed hook (useSocket, useConnectionSocket) under StrictMode, reporting every render.
function mountEvents(use: () => SocketHook<AnyEvents>): Mounted<EventState, EventApi> {
  const probe = createProbe<EventState>({
    readyState: -1,
    lastMessage: null,
    error: null,
    resumed: null,
  })
  const hook = renderHook(
    () => {
      const socket = use()
      probe.report({
        readyState: socket.readyState,
        lastMessage: socket.lastMessage,
        error: socket.error,
        resumed: socket.resumed,
      })
      return socket
    },
    { reactStrictMode: true },
  )
  return track(
    probe,
    {
      emit: (type, data) => hook.result.current.emit(type, data),
      request: (type, data, opts) => hook.result.current.request(type, data, opts),
    },
    {
      setUrl: () => Promise.reject(new Error('not used')),
      unmount: () => hook.unmount(),
    },
  )
}

const binding: Binding = {
  name: 'react (StrictMode)',
  mountWebSocket(initial, options) {
    const probe = createProbe(initialState())
    const hook = renderHook(
      ({ url }: { url: string | null }) => {
        const ws = useWebSocket(url, options)
        report(probe, ws)
        return ws
      },
      { initialProps: { url: initial }, reactStrictMode: true },
    )
    return track(
      probe,
      methods(() => hook.result.current),
      {
        async setUrl(url) {
          await act(async () => hook.rerender({ url }))
        },
        unmount: () => hook.unmount(),
      },
    )
  },
  mountConnection(connection, options) {
    const probe = createProbe(initialState())
    const hook = renderHook(
      () => {
        const ws = useConnection(connection, options)
        report(probe, ws)
        return ws
      },
      { reactStrictMode: true },
    )
    return track(
      probe,
      methods(() => hook.result.current),
      {
        setUrl: () => Promise.reject(new Error('not used')),
        unmount: () => hook.unmount(),
      },
    )
  },
  mountSocket: (url, options) => mountEvents(() => useSocket<AnyEvents>(url, options)),
  mountConnectionSocket: (connection, options) =>
    mountEvents(() => useConnectionSocket<AnyEvents>(connection, options)),
}

describeBehaviour(binding)
