import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { HEARTBEAT } from '../../playground/src/shared/protocol'
import {
  type E2E,
  expectTone,
  FRAMEWORKS,
  flowing,
  numberIn,
  screenshot,
  startE2E,
  until,
} from './support'

/**
 * The bounds the page is held to. A cut is seen at once (the TCP connection closes); the
 * first retry waits up to 1 s (full jitter). A black-hole can only be found by the
 * heartbeat: `interval` of silence, then `timeout` for the probe — plus slack for timers.
 */
const CUT_DETECTED_MS = 2_000
const BLACKHOLE_DETECTED_MS = HEARTBEAT.interval + HEARTBEAT.timeout + 1_500
const RECOVERED_MS = 4_000
const RESTART_RECOVERED_MS = 15_000

let e2e: E2E

beforeAll(async () => {
  e2e = await startE2E()
})

afterAll(async () => {
  await e2e?.close()
})

const entries = (page: Page, kind: string) => page.locator(`.timeline-entry[data-kind="${kind}"]`)

async function count(page: Page, kind: string): Promise<number> {
  return entries(page, kind).count()
}

/** Waits until the timeline has more than `before` entries of `kind`; returns ms waited. */
async function nextEntry(
  page: Page,
  kind: string,
  before: number,
  timeout: number,
): Promise<number> {
  const start = performance.now()
  await until(
    () => count(page, kind),
    (n) => n > before,
    timeout,
    `a new "${kind}" timeline entry`,
  )
  return performance.now() - start
}

/** The tick counter moves: data really arrives. */
async function ticking(page: Page): Promise<void> {
  const seq = await numberIn(page.getByTestId('last-seq'))
  await until(
    () => numberIn(page.getByTestId('last-seq')),
    (n) => n > seq + 3,
    3_000,
    'ticks',
  )
}

describe.each(FRAMEWORKS)('fault controls (%s)', (framework) => {
  let page: Page

  beforeAll(async () => {
    page = await e2e.open(`/${framework}/faults`)
    await expectTone(page, 'open')
    await flowing(page, 5_000)
  })

  // Streaming pages left open slow down the ones opened next.
  afterAll(() => e2e.closePages())

  it('one process: no instance to name and no kill (that is `pnpm cluster`)', async () => {
    await expect(page.getByRole('button', { name: 'Cut connection' }).isEnabled()).resolves.toBe(
      true,
    )
    expect(await page.getByRole('button', { name: 'Kill this instance' }).count()).toBe(0)
    expect(await page.getByTestId('instance').count()).toBe(0)
  })

  it('cut: the loss shows at once, the page reconnects and data flows again', async () => {
    const lost = await count(page, 'lost')
    const flows = await count(page, 'flowing')
    await page.getByRole('button', { name: 'Cut connection' }).click()

    const detected = await nextEntry(page, 'lost', lost, CUT_DETECTED_MS)
    expect(await entries(page, 'lost').first().textContent()).toContain('1006')
    const recovered = await nextEntry(page, 'flowing', flows, RECOVERED_MS)
    await flowing(page, 1_000)
    await ticking(page)
    await expectTone(page, 'open')
    console.log(
      `${framework} cut: detected in ${Math.round(detected)} ms, data again ${Math.round(recovered)} ms later`,
    )
    expect(e2e.errors).toEqual([])
  })

  it('black-hole: only the heartbeat can tell; the page finds it, reconnects and data flows again', async () => {
    const lost = await count(page, 'lost')
    const flows = await count(page, 'flowing')
    await page.getByRole('button', { name: /^Black-hole/ }).click()

    // The socket stays open but silent: the page first shows the stall…
    await until(
      () => page.getByTestId('flow').getAttribute('data-state'),
      (state) => state === 'stalled',
      2_000,
      'the stall to show',
    )
    // …then the heartbeat declares it dead.
    const detected = await nextEntry(page, 'lost', lost, BLACKHOLE_DETECTED_MS)
    const entry = await entries(page, 'lost').first().textContent()
    expect(entry).toContain('Dead connection detected')
    expect(entry).toContain('Heartbeat')
    // Not before the heartbeat could have fired: the close was found by it, not by TCP.
    expect(detected).toBeGreaterThan(HEARTBEAT.interval)

    const recovered = await nextEntry(page, 'flowing', flows, RECOVERED_MS)
    await flowing(page, 1_000)
    await ticking(page)
    await screenshot(page, `${framework}-faults`)
    console.log(
      `${framework} black-hole: detected in ${Math.round(detected)} ms, data again ${Math.round(recovered)} ms later`,
    )
    expect(e2e.errors).toEqual([])
  })

  it('black-hole: the status says open, silent, and the probe waiting, not "Connected"', async () => {
    const lost = await count(page, 'lost')
    await page.getByRole('button', { name: /^Black-hole/ }).click()
    await expectTone(page, 'quiet', 2_000)
    await until(
      () => page.getByTestId('status-detail').textContent(),
      (text) => text?.includes('heartbeat probe waiting for its answer') === true,
      HEARTBEAT.interval + 1_000,
      'the probe to show',
    )
    expect(await page.getByTestId('inspect-status').textContent()).toBe('open')
    // A cut asked for while black-holed never reaches the server: the loss is not put down to it.
    await page.getByRole('button', { name: 'Cut connection' }).click()
    await nextEntry(page, 'lost', lost, BLACKHOLE_DETECTED_MS)
    const entry = await entries(page, 'lost').first().textContent()
    expect(entry).toContain('Dead connection detected')
    expect(entry).toContain('after the black-hole request')
    expect(entry).not.toContain('cut request')
    await flowing(page, RECOVERED_MS)
    expect(e2e.errors).toEqual([])
  })

  it('Clear empties the timeline; new events still arrive', async () => {
    await page.getByRole('button', { name: 'Clear' }).click()
    expect(await page.locator('.timeline-entry').count()).toBe(0)
    await page.getByTestId('timeline').getByText('Nothing since the last clear.').waitFor()
    await page.getByRole('button', { name: 'Cut connection' }).click()
    await nextEntry(page, 'lost', 0, CUT_DETECTED_MS)
    // The earlier faults came within `stableAfter` of each other, so flap damping has grown
    // the backoff: the bound is the wait the page announced, not the first retry's.
    await nextEntry(page, 'retry', 0, CUT_DETECTED_MS)
    // A wait too short for any render to see shows as "started", with no figure.
    const wait = /in ([\d.]+) s/.exec((await entries(page, 'retry').first().textContent()) ?? '')
    await flowing(page, Number(wait?.[1] ?? 0) * 1000 + RECOVERED_MS)
    expect(e2e.errors).toEqual([])
  })
})

describe.each(FRAMEWORKS)('reliable delivery (%s)', (framework) => {
  let page: Page

  beforeAll(async () => {
    page = await e2e.open(`/${framework}/faults`)
    await flowing(page, 5_000)
    await page.getByLabel('Reliable delivery').check()
    await until(
      async () => e2e.playground.hub.stats().reliable,
      (n) => n >= 1,
      5_000,
      'a reliable client',
    )
    await flowing(page, 5_000)
    await ticking(page)
  })

  afterAll(() => e2e.closePages())

  const missed = () => numberIn(page.getByTestId('missed'))

  it('cut: the session resumes and the server replays what was sent meanwhile: no tick missed', async () => {
    const flows = await count(page, 'flowing')
    await page.getByRole('button', { name: 'Cut connection' }).click()
    await nextEntry(page, 'flowing', flows, RECOVERED_MS + CUT_DETECTED_MS)
    await ticking(page)
    expect(await page.getByTestId('session').getAttribute('data-resumed')).toBe('true')
    expect(await entries(page, 'flowing').first().textContent()).toContain('no tick missed')
    expect(await missed()).toBe(0)
  })

  it('black-hole: what the server held back arrives after the resume: no tick missed', async () => {
    const lost = await count(page, 'lost')
    const flows = await count(page, 'flowing')
    await page.getByRole('button', { name: /^Black-hole/ }).click()
    await nextEntry(page, 'lost', lost, BLACKHOLE_DETECTED_MS)
    await nextEntry(page, 'flowing', flows, RECOVERED_MS)
    await ticking(page)
    expect(await page.getByTestId('session').getAttribute('data-resumed')).toBe('true')
    expect(await missed()).toBe(0)
    await screenshot(page, `${framework}-faults-reliable`)
    expect(e2e.errors).toEqual([])
  })
})

describe('restart', () => {
  it('closes every page with 1012, refuses for a while, and they all come back', async () => {
    const react = await e2e.open('/react/faults')
    const vue = await e2e.open('/vue/faults')
    for (const page of [react, vue]) await flowing(page, 5_000)
    const flows = [await count(react, 'flowing'), await count(vue, 'flowing')]

    const t0 = performance.now()
    const mark = (what: string) =>
      console.log(`restart: ${what} ${Math.round(performance.now() - t0)} ms after the click`)
    await react.getByRole('button', { name: 'Restart server' }).click()
    for (const page of [react, vue]) {
      await until(
        () => page.locator('.timeline-entry[data-kind="lost"]').first().textContent(),
        (text) => text?.includes('1012') === true,
        3_000,
        'close 1012 on the timeline',
      )
    }
    await until(
      async () => e2e.playground.hub.stats().restarting,
      (r) => r,
      2_000,
      'the refusal window',
    )
    // Retries back off while the server refuses; the first one is on the timeline too.
    await nextEntry(react, 'retry', 0, 3_000)
    await nextEntry(react, 'flowing', flows[0] ?? 0, RESTART_RECOVERED_MS)
    await nextEntry(vue, 'flowing', flows[1] ?? 0, RESTART_RECOVERED_MS)
    mark('both pages have data again')
    for (const page of [react, vue]) {
      await flowing(page, 1_000)
      await ticking(page)
    }
    // A refused handshake reads as what a browser can know, not as "1006 abnormal closure".
    for (const page of [react, vue]) {
      // The first retry comes before the refusal window ends: it is refused.
      expect(await count(page, 'failed')).toBeGreaterThan(0)
      for (const text of await entries(page, 'failed').allTextContents()) {
        expect(text).toContain('refused or unreachable')
        expect(text).not.toContain('abnormal')
      }
      await page.locator('.timeline-entry[data-kind="retry"]', { hasText: 'Retry 1 ' }).waitFor()
    }
    await screenshot(vue, 'vue-faults-restart')
    expect(e2e.errors).toEqual([])
  })
})
