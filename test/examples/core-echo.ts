// A tour of @tethered/core against a local echo server: typed JSON, the queue, a dropped
// connection that comes back by itself, and a manual close. Run: npm start
import type { AddressInfo } from 'node:net'
import { createConnection, ReadyState } from '@tethered/core'
import { WebSocket, WebSocketServer } from 'ws'

type In = { echo: string }
type Out = { echo: string }

const server = new WebSocketServer({ host: '127.0.0.1', port: 0 })
server.on('connection', (socket) => {
  socket.on('message', (data) => {
    // Answer the client heartbeat like @tethered/server does; echo the rest.
    socket.send(data.toString() === 'ping' ? 'pong' : data.toString())
  })
})
await new Promise((resolve) => server.once('listening', resolve))
const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`
console.log(`echo server on ${url}`)

const names = Object.fromEntries(Object.entries(ReadyState).map(([k, v]) => [v, k]))
const connection = createConnection<In, Out>(url, {
  WebSocket, // Node 20 has no global WebSocket
  heartbeat: { interval: 1_000, timeout: 500 },
  reconnectInterval: 300,
  onOpen: () => console.log('open'),
  onClose: ({ code }) => console.log(`closed (code ${code})`),
})
connection.on('reconnecting', ({ attempt, delay }) =>
  console.log(`reconnecting: attempt ${attempt} in ${delay} ms`),
)
connection.subscribe(() => {
  const { readyState, lastJsonMessage } = connection.getSnapshot()
  console.log(`state ${names[readyState]}, last message ${JSON.stringify(lastJsonMessage)}`)
})

connection.sendJsonMessage({ echo: 'queued before open, sent on open' })

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
await wait(500)
connection.sendJsonMessage({ echo: 'hello' })
await wait(300)
console.log('server drops every client…')
for (const client of server.clients) client.terminate()
await wait(1_500)
connection.sendJsonMessage({ echo: 'back again' })
await wait(300)
connection.close()
await wait(100)
connection.dispose()
server.close()
console.log('done')
