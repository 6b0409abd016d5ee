// @vitest-environment node
import { renderToString } from 'react-dom/server'
import { afterEach, expect, it, vi } from 'vitest'
import useWebSocket, { ReadyState } from '../../src/compat'

afterEach(() => {
  vi.unstubAllGlobals()
})

function Page() {
  const { readyState, lastMessage, lastJsonMessage } = useWebSocket('ws://localhost:1', {
    share: true,
    heartbeat: true,
  })
  return <p>{`${readyState}|${lastMessage}|${lastJsonMessage}`}</p>
}

it('renders on the server: UNINSTANTIATED, no window, no socket made', () => {
  expect(typeof window).toBe('undefined')
  const made = vi.fn()
  vi.stubGlobal('WebSocket', made)
  expect(renderToString(<Page />)).toBe(`<p>${ReadyState.UNINSTANTIATED}|null|null</p>`)
  expect(made).not.toHaveBeenCalled()
})
