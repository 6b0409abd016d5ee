import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type E2E, expectTone, FRAMEWORKS, numberIn, screenshot, startE2E, until } from './support'

/** Display rate plus a margin: renders are batched per animation frame (~60 Hz headless). */
const MAX_RENDERS_PER_SECOND = 65

let e2e: E2E

beforeAll(async () => {
  e2e = await startE2E()
})

afterAll(async () => {
  await e2e?.close()
})

describe.each(FRAMEWORKS)('dashboard (%s)', (framework) => {
  it('updates live, rendering at most once per frame while messages arrive faster', async () => {
    const page = await e2e.open(`/${framework}/dashboard`)
    await expectTone(page, 'open')

    // Values change over time.
    const cpu = page.getByTestId('metric-cpu')
    const first = await until(
      () => cpu.textContent(),
      (text) => text !== null && text !== '—',
      10_000,
      'the first CPU value',
    )
    await until(
      () => cpu.textContent(),
      (text) => text !== first,
      5_000,
      'the CPU value to change',
    )
    const total = page.getByTestId('messages-total')
    const before = await numberIn(total)
    await until(
      () => numberIn(total),
      (n) => n > before + 100,
      5_000,
      'more messages',
    )

    // The rates are sampled once a second: wait for a full second of streaming.
    const messages = await until(
      () => numberIn(page.getByTestId('messages-per-second')),
      (n) => n > 100,
      10_000,
      'messages/s above 100',
    )
    const renders = await numberIn(page.getByTestId('renders-per-second'))
    expect(renders).toBeGreaterThan(0)
    expect(renders).toBeLessThanOrEqual(MAX_RENDERS_PER_SECOND)
    expect(messages).toBeGreaterThan(renders)

    // A few more samples: the bound holds, not just once.
    for (let i = 0; i < 3; i++) {
      const seen = await numberIn(page.getByTestId('messages-total'))
      await until(
        () => numberIn(total),
        (n) => n > seen + 150,
        5_000,
        'another second of data',
      )
      const r = await numberIn(page.getByTestId('renders-per-second'))
      const m = await numberIn(page.getByTestId('messages-per-second'))
      expect(r).toBeLessThanOrEqual(MAX_RENDERS_PER_SECOND)
      expect(m).toBeGreaterThan(r)
    }

    // uPlot drew its three charts.
    expect(await page.locator('.chart canvas').count()).toBe(3)
    await screenshot(page, `${framework}-dashboard`)
    expect(e2e.errors).toEqual([])
  })
})
