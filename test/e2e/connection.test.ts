import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type E2E, expectEnabled, expectTone, FRAMEWORKS, screenshot, startE2E } from './support'

let e2e: E2E

beforeAll(async () => {
  e2e = await startE2E()
})

afterAll(async () => {
  await e2e?.close()
})

describe('index', () => {
  it('links every page in both frameworks', async () => {
    const page = await e2e.open('/')
    await page.getByRole('heading', { name: /tethered to a live WebSocket/ }).waitFor()
    const links = await page
      .locator('.home-links a')
      .evaluateAll((els) => els.map((el) => el.getAttribute('href')))
    expect(links).toEqual(
      e2e.playground.pages.map((p) => new URL(p.url).pathname).sort(sortLikeIndex),
    )
    await screenshot(page, 'index')
    expect(e2e.errors).toEqual([])
  })
})

// The index lists page by page, React then Vue; the playground lists framework by framework.
function sortLikeIndex(a: string, b: string): number {
  const [, fa = '', pa = ''] = a.split('/')
  const [, fb = '', pb = ''] = b.split('/')
  const order = ['connection', 'chat', 'dashboard', 'faults']
  return order.indexOf(pa) - order.indexOf(pb) || fa.localeCompare(fb)
}

describe.each(FRAMEWORKS)('connection panel (%s)', (framework) => {
  it('enables Connect, Send and Close by status: connect → open → close', async () => {
    const page = await e2e.open(`/${framework}/connection`)
    const connect = page.getByRole('button', { name: 'Connect' })
    const send = page.getByRole('button', { name: 'Send' })
    const close = page.getByRole('button', { name: 'Close' })
    await page.getByTestId('framework').waitFor()
    expect(await page.getByTestId('framework').textContent()).toBe(`@tethered/${framework}`)

    // Nothing open yet: only Connect.
    await expectTone(page, 'idle')
    await expectEnabled(connect, true)
    await expectEnabled(send, false)
    await expectEnabled(close, false)

    await connect.click()
    await expectTone(page, 'open')
    await expectEnabled(connect, false)
    await expectEnabled(send, true)
    await expectEnabled(close, true)
    expect(await page.getByTestId('inspect-readyState').textContent()).toBe('1 · OPEN')

    // Blank text cannot be sent: Send says so instead of doing nothing.
    await page.getByLabel('Message', { exact: true }).fill('   ')
    await expectEnabled(send, false)

    // Send: the server's echo lands in the log.
    await page.getByLabel('Message', { exact: true }).fill(`ping from ${framework}`)
    await expectEnabled(send, true)
    await send.click()
    await page.locator('.log-entry[data-dir="in"]', { hasText: `ping from ${framework}` }).waitFor()

    await close.click()
    await expectTone(page, 'stopped')
    expect(await page.getByTestId('status-detail').textContent()).toContain('Closed by you')
    await expectEnabled(connect, true)
    await expectEnabled(send, false)
    await expectEnabled(close, false)
    await page.locator('.log-entry', { hasText: 'close 1000' }).waitFor()

    // And again: Connect works after a manual close.
    await connect.click()
    await expectTone(page, 'open')
    await expectEnabled(close, true)
    await screenshot(page, `${framework}-connection`)
    expect(e2e.errors).toEqual([])
  })
})
