// The behaviour suite through @tethered/react: each mount is a hook rendered under
// <StrictMode> (mount, unmount, mount again), reporting what every render returned.
//
// IS_REACT_ACT_ENVIRONMENT stays unset (vitest runs without globals, so the testing library
// does not set it): socket events update the store from real I/O, outside act().
import { act, renderHook } from '@testing-library/react'
import { useSocket, useWebSocket } from '@tethered/react'
import {
  type AnyEvents,
  type Binding,
  createProbe,
  describeBehaviour,
  type EventState,
  type SocketState,
  track,
} from './scenarios'

const binding: Binding = {
  name: 'react (StrictMode)',
  mountWebSocket(initial, options) {
    const probe = createProbe<SocketState>({
      readyState: -1,
      lastMessage: null,
      lastJsonMessage: null,
      reconnectAttempt: 0,
      error: null,
      resumed: null,
      status: 'idle',
      stopped: null,
    })
    const hook = renderHook(
      ({ url }: { url: string | null }) => {
        const ws = useWebSocket(url, options)
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
        return ws
      },
      { initialProps: { url: initial }, reactStrictMode: true },
    )
    // The hook's functions are stable: the latest render's are the ones to call.
    const latest = () => hook.result.current
    return track(
      probe,
      {
        sendMessage: (data, keep) => latest().sendMessage(data, keep),
        sendJsonMessage: (message, keep) => latest().sendJsonMessage(message, keep),
        open: () => latest().open(),
        close: (code, reason) => latest().close(code, reason),
      },
      {
        async setUrl(url) {
          await act(async () => hook.rerender({ url }))
        },
        unmount: () => hook.unmount(),
      },
    )
  },
  mountSocket(url, options) {
    const probe = createProbe<EventState>({
      readyState: -1,
      lastMessage: null,
      error: null,
      resumed: null,
    })
    const hook = renderHook(
      () => {
        const socket = useSocket<AnyEvents>(url, options)
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
  },
}

describeBehaviour(binding)
