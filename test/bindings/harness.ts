// What the behaviour scenarios are written against: a mounted component seen from the outside
// (its rendered state, its methods), the `Binding` each framework supplies, and `rendered`,
// the bounded wait on what a component rendered.
import {
  type Connection,
  type ConnectionObserverOptions,
  type ConnectionSocketObserverOptions,
  type ConnectionStatus,
  type ObserverOptions,
  ReadyState,
  type RequestOptions,
  type SocketObserverOptions,
  type StopInfo,
  type TetheredError,
} from '@tethered/core'
import type { RecordingServer, ServerOptions } from '../support/recording-server'
import { environment, type ReliableServer } from './environment'
import { TIMEOUT } from './timeout'

/** What a `useWebSocket` component rendered. */
export interface SocketState {
  readyState: number
  lastMessage: MessageEvent | null
  lastJsonMessage: unknown
  reconnectAttempt: number
  error: TetheredError | null
  resumed: boolean | null
  status: ConnectionStatus
  stopped: StopInfo | null
}

/** What a `useSocket` component rendered. */
export interface EventState {
  readyState: number
  lastMessage: { type: string; data: unknown } | null
  error: TetheredError | null
  resumed: boolean | null
}

export interface WebSocketApi {
  sendMessage(data: string, keep?: boolean): boolean
  sendJsonMessage(message: unknown, keep?: boolean): boolean
  open(): void
  close(code?: number, reason?: string): void
}

export interface EventApi {
  emit(type: string, data?: unknown): boolean
  request(type: string, data: unknown, options?: RequestOptions): Promise<unknown>
}

/** Loose events, so one scenario can drive both frameworks' typed `useSocket`. */
export type AnyEvents = {
  in: Record<string, unknown>
  out: Record<string, unknown>
  requests: Record<string, { data: unknown; reply: unknown }>
}

/** A mounted component, seen from the outside. */
export interface Mounted<S, A> {
  /** The newest rendered state. */
  readonly state: S
  /** Renders so far (React StrictMode renders twice). */
  readonly renders: number
  readonly api: A
  /** Re-renders the component with a new url. */
  setUrl(url: string | null): Promise<void>
  unmount(): void
}

export interface Binding {
  name: string
  mountWebSocket(
    url: string | null,
    options: ObserverOptions<unknown, unknown>,
  ): Mounted<SocketState, WebSocketApi>
  mountSocket(url: string, options: SocketObserverOptions<AnyEvents>): Mounted<EventState, EventApi>
  /** `useConnectionSocket` on a connection made outside the component. */
  mountConnectionSocket(
    connection: Connection<unknown, unknown>,
    options: ConnectionSocketObserverOptions<AnyEvents>,
  ): Mounted<EventState, EventApi>
  /** `useConnection` on a connection made outside the component. */
  mountConnection(
    connection: Connection<unknown, unknown>,
    options: ConnectionObserverOptions<unknown>,
  ): Mounted<SocketState, WebSocketApi>
}

type Listener = () => void

/** What an adapter reports each render to; the scenarios wait on it. */
export interface Probe<S> {
  report(state: S): void
  readonly state: S
  readonly renders: number
  onRender(listener: Listener): () => void
}

export function createProbe<S>(initial: S): Probe<S> {
  let state = initial
  let renders = 0
  const listeners = new Set<Listener>()
  return {
    report(next) {
      state = next
      renders++
      for (const listener of listeners) listener()
    },
    get state() {
      return state
    },
    get renders() {
      return renders
    },
    onRender(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
  }
}

const probes = new WeakMap<object, Probe<unknown>>()
export const mounted = new Set<{ unmount(): void }>()

/**
 * Adapters build what they mount with this: the scenarios read `probe`, and whatever is
 * still mounted is unmounted after each scenario.
 */
export function track<S, A>(
  probe: Probe<S>,
  api: A,
  control: { setUrl(url: string | null): Promise<void>; unmount(): void },
): Mounted<S, A> {
  let live = true
  const m: Mounted<S, A> = {
    get state() {
      return probe.state
    },
    get renders() {
      return probe.renders
    },
    api,
    setUrl: control.setUrl,
    unmount() {
      if (!live) return
      live = false
      mounted.delete(m)
      control.unmount()
    },
  }
  probes.set(m, probe as Probe<unknown>)
  mounted.add(m)
  return m
}

const describeState = (state: unknown) =>
  JSON.stringify(state, (key, value) =>
    key === 'lastMessage' &&
    value &&
    typeof value === 'object' &&
    'data' in value &&
    !('type' in value)
      ? `MessageEvent(${String((value as MessageEvent).data)})`
      : key === 'error' && value
        ? (value as TetheredError).code
        : value,
  )

/** Resolves with the rendered state once `check` holds for it, re-checked at every render. */
export function rendered<S>(
  m: Mounted<S, unknown>,
  check: (s: S) => boolean,
  label: string,
): Promise<S> {
  const probe = probes.get(m) as Probe<S> | undefined
  if (!probe) throw new Error('not mounted through track()')
  return new Promise((resolve, reject) => {
    const test = () => {
      if (!check(probe.state)) return false
      clearTimeout(timer)
      off()
      // In a browser run the servers' state is a copy: bring it up to what the page has seen.
      const state = probe.state
      environment.settle().then(() => resolve(state), reject)
      return true
    }
    const timer = setTimeout(() => {
      off()
      reject(
        new Error(
          `Timed out after ${TIMEOUT} ms waiting for ${label}; last rendered: ${describeState(probe.state)}`,
        ),
      )
    }, TIMEOUT)
    const off = probe.onRender(test)
    test()
  })
}

export const isOpen = (s: { readyState: number }) => s.readyState === ReadyState.OPEN
export const base = { WebSocket: environment.WebSocket, reconnectInterval: 10 } as const
export type Msg = { type: string; n: number }
export const json = (s: { lastJsonMessage: unknown }) => s.lastJsonMessage as Msg | null

/**
 * A server's `onMessage` that answers an `echo` request with its own data, as a
 * @tethered/server request handler would. In a browser run it is sent to Node as source, so
 * it uses no outer variable.
 */
export const answerEcho: NonNullable<ServerOptions['onMessage']> = (socket, text) => {
  const { type, id, data } = JSON.parse(text) as { type: string; id?: number; data?: unknown }
  if (type === 'echo') socket.send(JSON.stringify({ type, id, data }))
}

export interface Context {
  binding: Binding
  /** A connection made outside components, as an app's module would; disposed after the scenario. */
  connection: (
    url: string,
    options?: ObserverOptions<unknown, unknown>,
  ) => Connection<unknown, unknown>
  server: (options?: ServerOptions) => Promise<RecordingServer>
  /** A @tethered/server with reliable delivery on 127.0.0.1 (port 0, or the one given). */
  reliableServer: (port?: number) => Promise<{ server: ReliableServer; url: string }>
}

export interface Scenario {
  name: string
  run(ctx: Context): Promise<void>
}
