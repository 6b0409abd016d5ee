// A real redis-server (Debian's, /usr/bin/redis-server): on a free port on 127.0.0.1, nothing
// saved to disk, stopped by its PID. Nothing downloads a Redis build. The Redis tests start
// one per test file (test/support/redis-server.ts), `pnpm cluster` one for the playground.
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createServer, Socket } from 'node:net'

export const REDIS_SERVER = process.env.REDIS_SERVER ?? '/usr/bin/redis-server'

export interface RedisServer {
  readonly port: number
  readonly url: string
  readonly pid: number
  /** Stops it (SIGKILL: its data is gone) and starts a new one on the same port. */
  restart(): Promise<void>
  stop(): Promise<void>
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

/** Resolves once `port` answers PING with PONG, within `timeout` ms. */
async function answers(port: number, timeout: number): Promise<void> {
  const deadline = performance.now() + timeout
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = new Socket()
      socket.setTimeout(200)
      socket.once('error', () => resolve(false))
      socket.once('timeout', () => {
        socket.destroy()
        resolve(false)
      })
      socket.connect(port, '127.0.0.1', () => socket.write('PING\r\n'))
      socket.once('data', (data) => {
        socket.destroy()
        resolve(data.toString().startsWith('+PONG'))
      })
    })
    if (ok) return
    if (performance.now() > deadline) {
      throw new Error(`redis-server on port ${port} did not answer within ${timeout} ms`)
    }
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

const SETPRIV = '/usr/bin/setpriv'

export interface RedisOptions {
  /**
   * Stop it when the process that started it dies, even by SIGKILL (Linux's parent-death
   * signal, set by util-linux's setpriv where it exists): `pnpm cluster` leaves no
   * redis-server behind whichever way it ends. @default false
   */
  withParent?: boolean
}

function launch(port: number, options: RedisOptions): ChildProcess {
  if (!existsSync(REDIS_SERVER)) {
    throw new Error(
      `No ${REDIS_SERVER}: the Redis tests and \`pnpm cluster\` need Debian's redis-server. Install it: apt-get install -y redis-server`,
    )
  }
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']
  // setpriv execs redis-server in place: the PID stays the one to stop.
  if (options.withParent && existsSync(SETPRIV)) {
    return spawn(SETPRIV, ['--pdeathsig', 'KILL', REDIS_SERVER, ...args], { stdio: 'ignore' })
  }
  return spawn(REDIS_SERVER, args, { stdio: 'ignore' })
}

function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    child.once('exit', () => resolve())
    if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL')
  })
}

export async function startRedis(options: RedisOptions = {}): Promise<RedisServer> {
  const port = await freePort()
  let child = launch(port, options)
  await answers(port, 5_000)
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    get pid() {
      return child.pid ?? -1
    },
    async restart() {
      await kill(child)
      child = launch(port, options)
      await answers(port, 5_000)
    },
    stop: () => kill(child),
  }
}
