// @vitest-environment node
import { createConnection, sharedConnectionCount } from '@tethered/core'
import { renderToString } from 'react-dom/server'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { WebSocket as WS } from 'ws'
import { type RecordingServer, startServer } from '../../../test/support/recording-server'
import {
  ReadyState,
  useConnection,
  useSocket,
  useWebSocket,
  type WebSocketConstructor,
} from '../src'
import { countingWebSocket } from './support/sockets'

let server: RecordingServer
beforeEach(async () => {
  server = await startServer()
})
afterEach(() => server.close())

type Chat = { in: { joined: { name: string } }; out: { message: { text: string } } }

function Page({ url, WebSocket }: { url: string; WebSocket: WebSocketConstructor }) {
  const raw = useWebSocket(url, { WebSocket, onOpen: () => {} })
  const shared = useWebSocket(url, { WebSocket, share: true })
  const typed = useSocket<Chat>(url, { WebSocket, share: true, types: ['joined'] })
  return (
    <p>
      {raw.readyState}|{shared.readyState}|{typed.readyState}|{String(typed.lastMessage)}|
      {String(raw.lastMessage)}
    </p>
  )
}

it('renders on the server: UNINSTANTIATED, no window, nothing opened', async () => {
  expect(typeof window).toBe('undefined')
  const { WebSocket, made } = countingWebSocket()
  const html = renderToString(<Page url={server.url()} WebSocket={WebSocket} />)
  const u = ReadyState.UNINSTANTIATED
  expect(html.replace(/<!-- -->/g, '')).toBe(`<p>${u}|${u}|${u}|null|null</p>`)
  expect(made).toHaveLength(0)
  expect(sharedConnectionCount()).toBe(0)
  // Anything opened during rendering would have reached the server by the time a later socket has.
  const probe = new WS(server.url())
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the probe did not open within 3 s')), 3_000)
    probe.once('open', () => {
      clearTimeout(timer)
      resolve()
    })
  })
  probe.close()
  expect(server.sockets).toHaveLength(1)
})

// A connection that stopped with an error (its WebSocket constructor throws).
const failing = function failing() {
  throw new Error('server rendering must not open a socket')
} as unknown as WebSocketConstructor
const stoppedConnection = createConnection('ws://127.0.0.1:9/', { WebSocket: failing })

function ConnectionStatus() {
  const { readyState, status } = useConnection(stoppedConnection)
  return (
    <p>
      {readyState}|{status}
    </p>
  )
}

it('useConnection renders the idle snapshot on the server, whatever the connection is doing', () => {
  expect(stoppedConnection.getSnapshot().status).toBe('stopped')
  const html = renderToString(<ConnectionStatus />)
  expect(html.replace(/<!-- -->/g, '')).toBe(`<p>${ReadyState.UNINSTANTIATED}|idle</p>`)
  stoppedConnection.dispose()
})
