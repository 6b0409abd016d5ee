import { type Connection, type ConnectionOptions, createConnection } from '@tethered/core'
import { afterEach, beforeEach } from 'vitest'
import { WebSocket } from 'ws'
import { type LocalRecordingServer, startServer } from './recording-server'
import { startTcpProxy, type TcpProxy } from './tcp-proxy'

/**
 * A fresh `ws` server behind a fresh loopback proxy for every test of the file, and the
 * connections a test makes through it disposed after it.
 */
export function proxiedServer() {
  const made: Connection<unknown, string>[] = []
  const env = {
    server: undefined as unknown as LocalRecordingServer,
    proxy: undefined as unknown as TcpProxy,
    /** A connection through the proxy, with `ws` and raw text messages (`parse: false`). */
    connect(options: ConnectionOptions<unknown, string> = {}): Connection<unknown, string> {
      const connection = createConnection<unknown, string>(env.proxy.url(), {
        WebSocket,
        parse: false,
        ...options,
      })
      made.push(connection)
      return connection
    },
  }
  beforeEach(async () => {
    env.server = await startServer({ echo: true })
    env.proxy = await startTcpProxy(env.server.port)
  })
  afterEach(async () => {
    for (const connection of made.splice(0)) connection.dispose()
    await env.proxy.close()
    await env.server.close()
  })
  return env
}
