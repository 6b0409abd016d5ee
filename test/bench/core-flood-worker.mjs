// A `ws` server for the core benchmarks, run in a worker thread so that producing the
// messages does not take CPU from the client being measured.
//
// Text `flood:<n>` from a client: the server writes <n> small JSON messages to it. The
// frames are built once per <n> and written in one go, so the server's own cost is a
// memcpy and the client's receive path is what the benchmark measures.
import { parentPort } from 'node:worker_threads'
import { WebSocketServer } from 'ws'

const floods = new Map()

/** `{"type":"tick","seq":<i>,"value":<i % 1000 / 1000>}`: 40 to 50 bytes of JSON text. */
export const message = (i) => JSON.stringify({ type: 'tick', seq: i, value: (i % 1000) / 1000 })

function flood(n) {
  let frames = floods.get(n)
  if (!frames) {
    const parts = []
    for (let i = 0; i < n; i++) {
      const payload = Buffer.from(message(i))
      // An unmasked, final text frame; payloads here are under 126 bytes.
      parts.push(Buffer.from([0x81, payload.length]), payload)
    }
    frames = Buffer.concat(parts)
    floods.set(n, frames)
  }
  return frames
}

const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 })
wss.on('connection', (ws) => {
  ws.on('error', () => {})
  ws.on('message', (data, isBinary) => {
    if (isBinary) return
    const text = data.toString()
    if (text === 'ping') ws.send('pong')
    else if (text.startsWith('flood:')) ws._socket.write(flood(Number(text.slice(6))))
  })
})
wss.on('listening', () => {
  parentPort.postMessage({ port: wss.address().port })
})
parentPort.on('message', (msg) => {
  if (msg === 'clients') parentPort.postMessage({ clients: wss.clients.size })
  if (msg === 'close') {
    for (const ws of wss.clients) ws.terminate()
    wss.close(() => process.exit(0))
  }
})
