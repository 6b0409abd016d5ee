import type { Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { HEARTBEAT } from '../../playground/src/shared/protocol'
import {
  type E2E,
  expectEnabled,
  expectTone,
  FRAMEWORKS,
  startE2E,
  statusTone,
  until,
} from './support'

/** Offline, an open socket is probed; with no answer it is dead after `timeout`, plus slack. */
const OFFLINE_NOTICED_MS = HEARTBEAT.interval + HEARTBEAT.timeout + 2_000
/** A restart long enough for several refused attempts. */
const LONG_RESTART_MS = 6_000

let e2e: E2E

beforeAll(async () => {
  e2e = await startE2E()
})

afterEach(async () => {
  await e2e?.closePages()
})

afterAll(async () => {
  await e2e?.close()
})

const detail = (page: Page) => page.getByTestId('status-detail').first().textContent()
const inspect = (page: Page, key: string) => page.getByTestId(`inspect-${key}`).textContent()

async function connected(framework: string): Promise<Page> {
  const page = await e2e.open(`/${framework}/connection`)
  await page.getByRole('button', { name: 'Connect' }).click()
  await expectTone(page, 'open')
  return page
}

describe.each(FRAMEWORKS)('offline (%s)', (framework) => {
  it('says it reconnects when the network returns, and does', async () => {
    const page = await connected(framework)
    await page.context().setOffline(true)
    await expectTone(page, 'offline', OFFLINE_NOTICED_MS)
    expect(await detail(page)).toBe('Reconnects when the network returns')
    expect(await inspect(page, 'status')).toBe('offline')
    // Not "closed, not reconnecting": Connect is not offered, the socket comes back by itself.
    await expectEnabled(page.getByRole('button', { name: 'Connect' }), false)
    await page.context().setOffline(false)
    await expectTone(page, 'open', 5_000)
    expect(e2e.errors).toEqual([])
  })

  it('chat: offline, the room is not claimed empty', async () => {
    const page = await e2e.open(`/${framework}/chat`)
    await page.getByLabel('Your name').fill(`off-${framework}`)
    await page.getByRole('button', { name: 'Join' }).click()
    await expectTone(page, 'open')
    await page.getByTestId('people').waitFor()
    await page.context().setOffline(true)
    await expectTone(page, 'offline', OFFLINE_NOTICED_MS)
    await page.getByTestId('people-unknown').waitFor()
    expect(await page.getByText('Nobody yet').count()).toBe(0)
    expect(await page.locator('#people-title').textContent()).toBe('In the room')
    await page.context().setOffline(false)
    await expectTone(page, 'open', 5_000)
    await page.getByTestId('people').waitFor()
    expect(e2e.errors).toEqual([])
  })
})

describe.each(FRAMEWORKS)('a reconnect can be retried now or stopped (%s)', (framework) => {
  it('Retry now starts an attempt at once; Stop cancels the reconnect for good', async () => {
    const page = await connected(framework)
    await e2e.playground.hub.restart(LONG_RESTART_MS)
    // Refused attempts back off: wait for the second retry.
    await until(
      async () => [await inspect(page, 'reconnectAttempt'), await inspect(page, 'status')],
      ([attempt, status]) => Number(attempt) >= 2 && status === 'reconnecting',
      8_000,
      'the second retry to be scheduled',
    )
    expect(await detail(page)).toMatch(/^in \d+ s · attempt \d+$/)
    // Connect does not double as "retry now": the status line has both actions.
    await expectEnabled(page.getByRole('button', { name: 'Connect' }), false)
    await page.getByRole('button', { name: 'Retry now' }).click()
    // open() resets the count and tries at once; refused again, it is retry 1 now.
    await until(
      () => inspect(page, 'reconnectAttempt'),
      (attempt) => Number(attempt) <= 1,
      1_500,
      'the attempt count to start over',
    )

    await expectTone(page, 'reconnecting', 5_000)
    await page.getByRole('button', { name: 'Stop' }).click()
    await expectTone(page, 'stopped', 1_000)
    expect(await detail(page)).toContain('Closed by you')
    expect(await inspect(page, 'stopped')).toMatch(/^manual/)
    await until(
      async () => e2e.playground.hub.stats().restarting,
      (restarting) => !restarting,
      LONG_RESTART_MS + 1_000,
      'the server to accept again',
    )
    const connections = e2e.playground.hub.stats().connectionsTotal
    // The server is back; a stopped page stays stopped.
    await page.waitForTimeout(2_500)
    await expectTone(page, 'stopped', 100)
    expect(e2e.playground.hub.stats().connectionsTotal).toBe(connections)
    await page.getByRole('button', { name: 'Connect' }).click()
    await expectTone(page, 'open')
    expect(e2e.errors).toEqual([])
  })
})

describe.each(FRAMEWORKS)('chat after a reconnect (%s)', (framework) => {
  it('notes the time away and the messages caught up, without a second join of its own', async () => {
    const name = `dave-${framework}`
    const page = await e2e.open(`/${framework}/chat`)
    await page.getByLabel('Your name').fill(name)
    await page.getByRole('button', { name: 'Join' }).click()
    await expectTone(page, 'open')
    const joins = page.getByTestId('chat-note').filter({ hasText: `${name} joined` })
    await joins.first().waitFor()
    await e2e.playground.hub.restart(1_000)
    await until(
      () => statusTone(page),
      (tone) => tone !== 'open' && tone !== 'quiet',
      3_000,
      'the loss to show',
    )
    await expectTone(page, 'open', 10_000)
    const away = page.getByTestId('chat-note').filter({ hasText: /^You were away \d+ s · / })
    await away.waitFor()
    expect(await away.textContent()).toMatch(/· \d+ messages? caught up$/)
    expect(await joins.count()).toBe(1)
    expect(e2e.errors).toEqual([])
  })
})
