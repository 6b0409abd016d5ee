import { createServer, type Server as HttpServer } from 'node:http'
import { SocketServerError } from './errors'

/**
 * The server of the `port` option: plain HTTP requests get 426, and connections have
 * `headersTimeout` to send their request. `ready` settles once it listens; failures of the
 * listening socket go to `report`.
 */
export function listen(
  options: { port: number | undefined; host: string | undefined; headersTimeout: number },
  report: (error: SocketServerError) => void,
): { server: HttpServer; ready: Promise<void> } {
  const timeout = options.headersTimeout
  const server = createServer(
    {
      headersTimeout: timeout,
      requestTimeout: timeout,
      // Node checks these timeouts only this often (30 s by default).
      connectionsCheckingInterval: Math.min(1_000, timeout),
    },
    (_req, res) => {
      const body = 'Upgrade Required: this is a WebSocket endpoint'
      res.writeHead(426, {
        'Content-Type': 'text/plain; charset=utf-8',
        'Content-Length': Buffer.byteLength(body),
        Upgrade: 'websocket',
      })
      res.end(body)
    },
  )
  const ready = new Promise<void>((resolve, reject) => {
    const onError = (error: Error) => {
      server.off('listening', onListening)
      report(
        new SocketServerError(
          'LISTEN_ERROR',
          `cannot listen on ${options.host ?? '*'}:${String(options.port)}: ${error.message}`,
          { cause: error },
        ),
      )
      reject(error)
    }
    const onListening = () => {
      server.off('error', onError)
      // Accept failures (EMFILE…) surface as 'error' on the server: unheard, they would
      // crash the process.
      server.on('error', (error) =>
        report(
          new SocketServerError('LISTEN_ERROR', `listening socket error: ${error.message}`, {
            cause: error,
          }),
        ),
      )
      resolve()
    }
    server.once('error', onError)
    server.once('listening', onListening)
  })
  // Callers that never await `ready` still hear of a failed listen through 'error'.
  ready.catch(() => {})
  return { server, ready }
}
