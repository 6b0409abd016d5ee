// `pnpm cluster`: the playground as three instances on Redis behind a round-robin front. The
// front is one HTTP server on one port: it serves the pages (Vite, as `npm start` does), pipes
// every WebSocket upgrade for the hub's paths to the next live instance, answers
// /api/cluster, and runs the one hub that sends the streams (to every instance's members,
// through Redis). Each instance is a process of its own (instance.ts), so it can be killed.
import { type ChildProcess, spawn } from 'node:child_process'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { connect, type Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import { fileURLToPath } from 'node:url'
import { CLUSTER_API, type KillAck, RELIABLE_PATH, SOCKET_PATH } from '../src/shared/protocol'
import { clusterAdapter } from './cluster-adapter'
import type { HubStats } from './hub'
import { type Playground, type PlaygroundOptions, startPlayground } from './index'
import { type RedisServer, startRedis } from './redis-server'

export interface ClusterOptions
  extends Pick<PlaygroundOptions, 'host' | 'port' | 'logLevel' | 'watch' | 'cacheDir'> {
  /** Instance names. @default ['a', 'b', 'c'] */
  instances?: readonly string[]
  /** How long after a kill the instance is started again, ms. @default 3000 */
  respawnAfter?: number
  /** Bound on an instance's start (each compiles the sources with tsx first), ms. @default 60000 */
  startTimeout?: number
}

export type InstanceState = 'starting' | 'up' | 'down'

export interface InstanceInfo {
  name: string
  state: InstanceState
  port: number | null
  pid: number | null
  /** Connections it was handed by the front. */
  routed: number
  /** How it ended last, e.g. 'SIGKILL'. */
  lastExit: string | null
}

export interface Cluster {
  playground: Playground
  redis: RedisServer
  instances(): InstanceInfo[]
  /** SIGKILLs an instance; it is started again `respawnAfter` ms later. */
  kill(name: string): KillAck
  /** Resolves once every instance named is up (after a kill, its successor). */
  ready(timeout?: number): Promise<void>
  close(): Promise<void>
}

const playgroundRoot = fileURLToPath(new URL('..', import.meta.url))
const entry = fileURLToPath(new URL('./instance.ts', import.meta.url))

interface Instance extends InstanceInfo {
  process: ChildProcess | null
  started: Promise<void> | null
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' })
  res.end(JSON.stringify(body))
}

/** The upgrade request as it arrived, Host and Origin untouched: the instance checks them. */
function rawRequest(req: IncomingMessage): string {
  let head = `${req.method} ${req.url} HTTP/${req.httpVersion}\r\n`
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    head += `${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}\r\n`
  }
  return `${head}\r\n`
}

export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const names = options.instances ?? ['a', 'b', 'c']
  const respawnAfter = options.respawnAfter ?? 3_000
  const startTimeout = options.startTimeout ?? 60_000
  const redis = await startRedis({ withParent: true })
  const instances: Instance[] = names.map((name) => ({
    name,
    state: 'down',
    port: null,
    pid: null,
    routed: 0,
    lastExit: null,
    process: null,
    started: null,
  }))
  const sockets = new Set<Duplex>()
  const timers = new Set<ReturnType<typeof setTimeout>>()
  let closing = false
  let next = 0

  function launch(instance: Instance): Promise<void> {
    const child = spawn(
      process.execPath,
      ['--conditions=@tethered/source', '--import', 'tsx', entry],
      {
        cwd: playgroundRoot,
        env: { ...process.env, TETHERED_INSTANCE: instance.name, REDIS_URL: redis.url },
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      },
    )
    Object.assign(instance, {
      process: child,
      pid: child.pid ?? null,
      state: 'starting',
      port: null,
    })
    instance.started = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL')
        reject(new Error(`instance ${instance.name} did not start within ${startTimeout} ms`))
      }, startTimeout)
      child.once('message', (message: { port?: number }) => {
        clearTimeout(timer)
        if (instance.process !== child) return
        instance.port = message.port ?? null
        instance.state = 'up'
        resolve()
      })
      child.once('exit', (code, signal) => {
        clearTimeout(timer)
        reject(new Error(`instance ${instance.name} exited with ${signal ?? code} while starting`))
      })
    })
    instance.started.catch(() => {})
    child.once('exit', (code, signal) => {
      if (instance.process !== child) return
      Object.assign(instance, { state: 'down', port: null, pid: null, process: null })
      instance.lastExit = signal ?? `exit ${code}`
      if (closing) return
      const timer = setTimeout(() => {
        timers.delete(timer)
        if (!closing && instance.state === 'down') void launch(instance).catch(() => {})
      }, respawnAfter)
      timers.add(timer)
    })
    return instance.started
  }

  /** Pipes an upgrade to the next live instance; one that refuses (just killed) is skipped. */
  function route(req: IncomingMessage, socket: Duplex, head: Buffer, tries = 0): void {
    const live = instances.filter((i) => i.state === 'up' && i.port !== null)
    if (live.length === 0 || tries >= live.length) {
      socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nRetry-After: 1\r\n\r\n')
      return
    }
    const instance = live[next++ % live.length] as Instance
    const upstream: Socket = connect(instance.port as number, '127.0.0.1')
    let connected = false
    upstream.once('connect', () => {
      connected = true
      instance.routed++
      sockets.add(upstream)
      sockets.add(socket)
      upstream.write(rawRequest(req))
      if (head.length > 0) upstream.write(head)
      socket.pipe(upstream)
      upstream.pipe(socket)
      socket.on('close', () => {
        sockets.delete(socket)
        upstream.destroy()
      })
    })
    upstream.on('error', () => {
      if (!connected) route(req, socket, head, tries + 1)
      else socket.destroy()
    })
    upstream.on('close', () => {
      sockets.delete(upstream)
      if (!connected) return
      socket.destroy()
    })
  }

  function kill(name: string): KillAck {
    const instance = instances.find((i) => i.name === name)
    if (!instance) {
      throw new Error(`No instance "${name}": the instances are ${names.join(', ')}`)
    }
    if (instance.state !== 'up' || !instance.pid) {
      throw new Error(`Instance ${name} is ${instance.state}: wait until it is up again`)
    }
    process.kill(instance.pid, 'SIGKILL')
    return {
      kind: 'kill',
      message: `Instance ${name} (pid ${instance.pid}) is killed with SIGKILL: no closing handshake, its sessions are left in Redis. It starts again in ${respawnAfter / 1000} s.`,
      duration: respawnAfter,
    }
  }

  const info = (): InstanceInfo[] =>
    instances.map(({ name, state, port, pid, routed, lastExit }) => ({
      name,
      state,
      port,
      pid,
      routed,
      lastExit,
    }))

  async function describe(): Promise<Array<InstanceInfo & { stats: HubStats | null }>> {
    return Promise.all(
      info().map(async (i) => {
        if (i.state !== 'up') return { ...i, stats: null }
        const stats = await fetch(`http://127.0.0.1:${i.port}/api/stats`, {
          signal: AbortSignal.timeout(1_000),
        }).then(
          (r) => r.json() as Promise<HubStats>,
          () => null,
        )
        return { ...i, stats }
      }),
    )
  }

  function request(req: IncomingMessage, res: ServerResponse): boolean {
    const url = new URL(req.url ?? '/', 'http://front')
    if (url.pathname === CLUSTER_API && req.method === 'GET') {
      void describe().then((list) =>
        json(res, 200, { redis: { url: redis.url, pid: redis.pid }, instances: list }),
      )
      return true
    }
    if (url.pathname === `${CLUSTER_API}/kill`) {
      if (req.method !== 'POST') {
        json(res, 405, { error: 'Kill with POST /api/cluster/kill?instance=<name>' })
        return true
      }
      const name = url.searchParams.get('instance') ?? ''
      try {
        json(res, 200, kill(name))
      } catch (error) {
        json(res, name && names.includes(name) ? 409 : 404, { error: (error as Error).message })
      }
      return true
    }
    return false
  }

  function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const path = (req.url ?? '').split('?')[0]
    if (path !== SOCKET_PATH && path !== RELIABLE_PATH) return false
    route(req, socket, head)
    return true
  }

  async function stopInstances(): Promise<void> {
    await Promise.all(
      instances.map(
        (i) =>
          new Promise<void>((resolve) => {
            const child = i.process
            if (!child || child.exitCode !== null || child.signalCode !== null) return resolve()
            const force = setTimeout(() => child.kill('SIGKILL'), 3_000)
            child.once('exit', () => {
              clearTimeout(force)
              resolve()
            })
            child.kill('SIGTERM')
          }),
      ),
    )
  }

  let playground: Playground
  try {
    await Promise.all(instances.map((i) => launch(i)))
    playground = await startPlayground({
      ...options,
      adapter: clusterAdapter(redis.url),
      routes: { request, upgrade },
    })
  } catch (error) {
    closing = true
    await stopInstances()
    await redis.stop()
    throw error
  }

  let closed: Promise<void> | undefined
  return {
    playground,
    redis,
    instances: info,
    kill,
    async ready(timeout = startTimeout) {
      const deadline = performance.now() + timeout
      for (const instance of instances) {
        while (instance.state !== 'up') {
          if (performance.now() > deadline) {
            throw new Error(`instance ${instance.name} not up within ${timeout} ms`)
          }
          await (instance.started ?? Promise.resolve()).catch(() => {})
          await new Promise((resolve) => setTimeout(resolve, 50))
        }
      }
    },
    close() {
      closed ??= (async () => {
        closing = true
        for (const timer of timers) clearTimeout(timer)
        for (const socket of sockets) socket.destroy()
        await stopInstances()
        await playground.close()
        await redis.stop()
      })()
      return closed
    },
  }
}
