// One instance of `pnpm cluster`, in a process of its own so that it can be SIGKILLed: the
// hub on the Redis adapter, behind a bare HTTP server on 127.0.0.1, port 0. The front
// (cluster.ts) serves the pages and pipes the WebSocket upgrades here; this process reports
// its port to it over IPC. It sends no streams: the front's hub does, to every instance.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { clusterAdapter } from './cluster-adapter'
import { createHub } from './hub'

const name = process.env.TETHERED_INSTANCE
const url = process.env.REDIS_URL
if (!name || !url || !process.send) {
  console.error('playground/server/instance.ts is started by `pnpm cluster` (cluster.ts), with IPC')
  process.exit(2)
}

const hub = createHub({ instance: name, adapter: clusterAdapter(url), streams: false })
const http = createServer((req, res) => {
  if (req.url === '/api/stats') {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' })
    res.end(JSON.stringify(hub.stats()))
    return
  }
  res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Pages are served by the front')
})
http.on('upgrade', (req, socket, head) => {
  socket.on('error', () => socket.destroy())
  if (!hub.upgrade(req, socket, head))
    socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n')
})

let stopping = false
const stop = () => {
  if (stopping) return
  stopping = true
  const force = setTimeout(() => process.exit(1), 3_000)
  force.unref()
  hub.close().then(
    () => process.exit(0),
    () => process.exit(1),
  )
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
// The front is gone (killed, crashed): no instance outlives it.
process.on('disconnect', stop)

http.listen(0, '127.0.0.1', () => {
  process.send?.({ port: (http.address() as AddressInfo).port })
})
