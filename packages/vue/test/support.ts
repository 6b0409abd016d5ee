import { mount, type VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, expect, type MockInstance, vi } from 'vitest'
import { type EffectScope, effectScope, h, nextTick, onUpdated, watch } from 'vue'
import type { WebSocket as WsSocket } from 'ws'
import {
  type RecordingServer,
  startServer as startTestServer,
} from '../../../test/support/recording-server'

export { WebSocket } from 'ws'

/** Every wait in these tests is bounded by this, and named when it runs out. */
export const TIMEOUT = 3_000

const timedOut = (label: string) => new Error(`Timed out after ${TIMEOUT} ms waiting for ${label}`)

/** Resolves once `check()` is true, re-checking whenever the reactive state it reads changes. */
export function until(check: () => boolean, label: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let done = false
    let stop: (() => void) | undefined
    const timer = setTimeout(() => {
      stop?.()
      reject(timedOut(label))
    }, TIMEOUT)
    const finish = (ok: boolean) => {
      if (!ok || done) return
      done = true
      clearTimeout(timer)
      stop?.()
      resolve()
    }
    stop = watch(check, finish, { flush: 'sync' })
    finish(check())
  })
}

export type { RecordingServer }

export interface ServerOptions {
  /** Answer a text `ping` with `pong`. @default true */
  pong?: boolean
  /** Called for every text message (probes left out). */
  onMessage?: (socket: WsSocket, text: string) => void
}

const servers: RecordingServer[] = []

/** The behaviour suite's `ws` server (127.0.0.1, port 0), closed after the test. */
export async function startServer(options: ServerOptions = {}): Promise<RecordingServer> {
  const server = await startTestServer({
    ...(options.onMessage ? { onMessage: options.onMessage } : {}),
    ...(options.pong === false ? { pong: () => false } : {}),
  })
  servers.push(server)
  return server
}

const wrappers: VueWrapper[] = []
const scopes: EffectScope[] = []
let warnSpy: MockInstance<typeof console.warn>

/** Vue warnings the test expected; any other fails the test. */
export function takeWarnings(): string[] {
  const calls = warnSpy.mock.calls.map((args) => args.map(String).join(' '))
  warnSpy.mockClear()
  return calls
}

beforeEach(() => {
  warnSpy = vi.spyOn(console, 'warn').mockImplementation(() => {})
})

afterEach(async () => {
  for (const wrapper of wrappers.splice(0)) wrapper.unmount()
  for (const scope of scopes.splice(0)) scope.stop()
  await Promise.all(servers.splice(0).map((s) => s.close()))
  const unexpected = takeWarnings()
  warnSpy.mockRestore()
  expect(unexpected).toEqual([])
})

export interface Mounted<T> {
  /** What setup returned. */
  api: T
  /** Times the component updated (re-rendered after mount). */
  updates(): number
  wrapper: VueWrapper
  unmount(): void
}

/**
 * Mounts a component whose setup runs `setup` and whose template shows what `view` reads,
 * so every ref `view` touches updates the component. Unmounted after the test.
 */
export function mountSetup<T>(setup: () => T, view: (api: T) => unknown = () => null): Mounted<T> {
  let api!: T
  let updates = 0
  const wrapper = mount({
    setup() {
      api = setup()
      onUpdated(() => updates++)
      return () => h('pre', JSON.stringify(view(api)) ?? '')
    },
  })
  wrappers.push(wrapper)
  return {
    api,
    updates: () => updates,
    wrapper,
    unmount() {
      const i = wrappers.indexOf(wrapper)
      if (i >= 0) wrappers.splice(i, 1)
      wrapper.unmount()
    },
  }
}

/** Runs `fn` in a bare effectScope, stopped after the test unless the test stops it first. */
export function inScope<T>(fn: () => T): { api: T; scope: EffectScope } {
  const scope = effectScope()
  scopes.push(scope)
  const api = scope.run(fn) as T
  return { api, scope }
}

export { nextTick }
