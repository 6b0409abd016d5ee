import { readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { renderHook } from '@testing-library/react'
import { describe, expect, it, vi } from 'vitest'
import { reached } from '../../../../test/support/reached'
import useWebSocketDefault, {
  ReadyState,
  useEventSource,
  useSocketIO,
  useWebSocket,
} from '../../src/compat'

const src = resolve(dirname(fileURLToPath(import.meta.url)), '../../src')

describe('the compat entry', () => {
  it('is never pulled in by the main entry, and pulls in nothing of it', () => {
    const main = [...reached(resolve(src, 'index.ts'))]
    expect(main.filter((f) => f.includes('/compat/'))).toEqual([])
    const compat = [...reached(resolve(src, 'compat/index.ts'))]
    expect(compat.filter((f) => !f.includes('/compat/'))).toEqual([])
  })

  it('has its own export path', () => {
    const pkg = JSON.parse(readFileSync(resolve(src, '../package.json'), 'utf8'))
    expect(pkg.exports['./compat']['@tethered/source']).toBe('./src/compat/index.ts')
  })

  it('exports useWebSocket as default and by name, and react-use-websocket’s ReadyState enum', () => {
    expect(useWebSocketDefault).toBe(useWebSocket)
    expect([ReadyState.UNINSTANTIATED, ReadyState.CONNECTING, ReadyState.OPEN]).toEqual([-1, 0, 1])
    expect([ReadyState.CLOSING, ReadyState.CLOSED, ReadyState[1]]).toEqual([2, 3, 'OPEN'])
  })
})

describe('what it leaves out throws, naming it', () => {
  it('useSocketIO and useEventSource', () => {
    expect(() => useSocketIO('ws://x')).toThrow(
      'useSocketIO: not in @tethered/react/compat; keep react-use-websocket for it',
    )
    expect(() => useEventSource('http://x')).toThrow(/^useEventSource: not in/)
  })

  it('the fromSocketIO and eventSourceOptions options, at the first render', () => {
    // React logs the error a render throws; the throw is what is checked.
    vi.spyOn(console, 'error').mockImplementation(() => {})
    expect(() => renderHook(() => useWebSocket('ws://x', { fromSocketIO: true }))).toThrow(
      /^fromSocketIO: not in @tethered\/react\/compat/,
    )
    expect(() =>
      renderHook(() => useWebSocket('ws://x', { eventSourceOptions: { withCredentials: true } })),
    ).toThrow(/^eventSourceOptions: not in/)
    vi.mocked(console.error).mockReset()
  })
})
