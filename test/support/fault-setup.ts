import type { Connection } from '@tethered/core'
import { afterEach, beforeEach } from 'vitest'
import { startTcpProxy, type TcpProxy } from './tcp-proxy'
import { type PongServer, startPongServer } from './ws-server'

/**
 * A fresh `ws` server behind a fresh loopback proxy for every test of the file, and the
 * connections a test tracks disposed after it.
 */
export function proxiedServer() {
  const made: Connection<unknown, string>[] = []
  const env = {
    server: undefined as unknown as PongServer,
    proxy: undefined as unknown as TcpProxy,
    track<C extends Connection<unknown, string>>(connection: C): C {
      made.push(connection)
      return connection
    },
  }
  beforeEach(async () => {
    env.server = await startPongServer()
    env.proxy = await startTcpProxy(env.server.port)
  })
  afterEach(async () => {
    for (const connection of made.splice(0)) connection.dispose()
    await env.proxy.close()
    await env.server.close()
  })
  return env
}
