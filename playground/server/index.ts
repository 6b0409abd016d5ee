import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Duplex } from 'node:stream'
import { fileURLToPath } from 'node:url'
import react from '@vitejs/plugin-react'
import vue from '@vitejs/plugin-vue'
import { createServer as createViteServer, defaultClientConditions, type LogLevel } from 'vite'
import { FRAMEWORKS, PAGES, pagePath, parsePath } from '../src/shared/pages'
import { SOCKET_PATH } from '../src/shared/protocol'
import { createHub, type Hub, type HubOptions } from './hub'

export interface PlaygroundOptions extends HubOptions {
  /** @default '127.0.0.1' */
  host?: string
  /** 0 picks a free port. @default 5173 */
  port?: number
  /** Vite's log level. @default 'info' */
  logLevel?: LogLevel
  /** Watch the sources for hot reload. Tests turn it off. @default true */
  watch?: boolean
  /** Vite's dependency cache, relative to the playground. Tests use their own. @default 'node_modules/.vite' */
  cacheDir?: string
  /**
   * Requests and upgrades this server answers before the hub and Vite (each returns true
   * when it took one): `pnpm cluster`'s front sends the sockets to the instances with them.
   */
  routes?: PlaygroundRoutes
}

export interface PlaygroundRoutes {
  request?(req: IncomingMessage, res: ServerResponse): boolean
  upgrade?(req: IncomingMessage, socket: Duplex, head: Buffer): boolean
}

export interface PageLink {
  framework: string
  page: string
  title: string
  url: string
}

export interface Playground {
  /** The index page, e.g. http://127.0.0.1:5173/ */
  url: string
  /** The WebSocket endpoint, e.g. ws://127.0.0.1:5173/ws */
  socketUrl: string
  port: number
  pages: PageLink[]
  hub: Hub
  close(): Promise<void>
}

const root = fileURLToPath(new URL('..', import.meta.url))

function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => {
      server.off('listening', onListening)
      reject(error)
    }
    const onListening = () => {
      server.off('error', onError)
      resolve(server.address() as AddressInfo)
    }
    server.once('error', onError)
    server.once('listening', onListening)
    server.listen(port, host)
  })
}

/** A browser asking for a document at a path that is none of the pages (not a module or asset). */
function isMissingPage(req: IncomingMessage): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false
  if (!(req.headers.accept ?? '').includes('text/html')) return false
  const path = (req.url ?? '/').split('?')[0] ?? '/'
  if (path.startsWith('/@') || path.startsWith('/node_modules/') || path.startsWith('/src/')) {
    return false
  }
  return parsePath(path).kind === 'missing'
}

/**
 * One Node process, one port: the Vite app (in middleware mode, HMR on the same server)
 * and the WebSocket endpoint at `/ws`, served by `@tethered/server`.
 */
export async function startPlayground(options: PlaygroundOptions = {}): Promise<Playground> {
  const host = options.host ?? '127.0.0.1'
  const hub = createHub(options)
  const http = createHttpServer()
  const vite = await createViteServer({
    configFile: false,
    root,
    appType: 'spa',
    logLevel: options.logLevel ?? 'info',
    clearScreen: false,
    ...(options.cacheDir ? { cacheDir: options.cacheDir } : {}),
    plugins: [react(), vue()],
    resolve: {
      // The workspace packages' TypeScript sources: no build needed.
      conditions: ['@tethered/source', ...defaultClientConditions],
      dedupe: ['react', 'react-dom', 'vue'],
    },
    optimizeDeps: {
      // Pre-bundled at start, so the first page load never triggers a re-optimisation reload.
      include: ['react', 'react-dom/client', 'react/jsx-dev-runtime', 'vue', 'uplot'],
    },
    server: {
      middlewareMode: true,
      hmr: { server: http },
      ...(options.watch === false ? { watch: null } : {}),
    },
  })

  http.on('request', (req, res) => {
    if (options.routes?.request?.(req, res)) return
    if (req.url === '/api/stats') {
      const body = JSON.stringify(hub.stats())
      res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' })
      res.end(body)
      return
    }
    if (isMissingPage(req)) {
      // Vite answers every path with the app (which shows its 404 page) and status 200;
      // a path that is no page is answered 404, so a link checker or a crawler sees it too.
      Object.defineProperty(res, 'statusCode', { get: () => 404, set: () => {} })
    }
    vite.middlewares(req, res)
  })
  // Our socket path goes to the hub; anything else (Vite's HMR socket) is left to Vite.
  http.on('upgrade', (req, socket, head) => {
    socket.on('error', () => socket.destroy())
    if (options.routes?.upgrade?.(req, socket, head)) return
    hub.upgrade(req, socket, head)
  })

  let address: AddressInfo
  try {
    address = await listen(http, options.port ?? 5173, host)
  } catch (error) {
    await vite.close()
    await hub.close()
    throw error
  }
  const origin = `http://${host}:${address.port}`
  const pages: PageLink[] = []
  for (const framework of FRAMEWORKS) {
    for (const page of PAGES) {
      pages.push({
        framework: framework.label,
        page: page.id,
        title: page.title,
        url: `${origin}${pagePath(framework.id, page.id)}`,
      })
    }
  }

  let closing: Promise<void> | undefined
  return {
    url: `${origin}/`,
    socketUrl: `ws://${host}:${address.port}${SOCKET_PATH}`,
    port: address.port,
    pages,
    hub,
    close() {
      closing ??= (async () => {
        await hub.close()
        await vite.close()
        await new Promise<void>((resolve) => {
          http.close(() => resolve())
          http.closeAllConnections()
        })
      })()
      return closing
    },
  }
}
