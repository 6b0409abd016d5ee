import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type E2E, expectTone, screenshot, startE2E, until } from './support'

let e2e: E2E

beforeAll(async () => {
  e2e = await startE2E()
})

afterAll(async () => {
  await e2e?.close()
})

async function join(page: Page, name: string): Promise<void> {
  await page.getByLabel('Your name').fill(name)
  await page.getByRole('button', { name: 'Join' }).click()
  await page.getByTestId('chat-name').filter({ hasText: name }).waitFor()
  await expectTone(page, 'open')
}

async function say(page: Page, text: string): Promise<void> {
  await page.getByLabel('Chat message').fill(text)
  await page.getByRole('button', { name: 'Send' }).click()
}

const message = (page: Page, text: string) =>
  page.getByTestId('chat-message').filter({ hasText: text })
const note = (page: Page, text: string) => page.getByTestId('chat-note').filter({ hasText: text })

describe('chat', () => {
  it('lets a React page and a Vue page talk, with joins, leaves and history', async () => {
    const ada = await e2e.open('/react/chat')
    await join(ada, 'ada')
    await say(ada, 'first, before bob')
    await message(ada, 'first, before bob').waitFor()

    const bob = await e2e.open('/vue/chat')
    await join(bob, 'bob')
    // Bob was not there: he gets it from `request('history')`.
    await message(bob, 'first, before bob').waitFor()
    await note(ada, 'bob joined').waitFor()

    await say(ada, 'hello bob, from React')
    await message(bob, 'hello bob, from React').waitFor()
    await say(bob, 'hi ada, from Vue')
    await message(ada, 'hi ada, from Vue').waitFor()
    expect(await ada.getByTestId('people').textContent()).toMatch(/ada.*bob/)

    await screenshot(ada, 'react-chat')
    await screenshot(bob, 'vue-chat')

    await bob.getByRole('button', { name: 'Leave' }).click()
    await note(ada, 'bob left').waitFor()
    expect(e2e.errors).toEqual([])
  })

  it.each([
    ['react', 'vue'],
    ['vue', 'react'],
  ] as const)(
    'a duplicate name replaces the older %s tab, which says why and stays closed',
    async (older, newer) => {
      const name = `cleo-${older}`
      const first = await e2e.open(`/${older}/chat`)
      await join(first, name)
      expect(e2e.playground.hub.connectionsFor(name)).toBe(1)

      const second = await e2e.open(`/${newer}/chat`)
      await join(second, name)

      const notice = first.getByTestId('replaced')
      await notice.waitFor()
      expect(await notice.textContent()).toContain('4409')
      expect(await notice.textContent()).toContain('another tab')
      // The close-code policy stops here: no retry is scheduled.
      await expectTone(first, 'stopped')
      expect(await first.getByTestId('status-detail').textContent()).toContain('4409')

      // The new tab keeps the name and works; the old one never came back.
      const text = `only the new ${newer} tab has ${name}`
      await say(second, text)
      await message(second, text).waitFor()
      await until(
        async () => e2e.playground.hub.stats().chat,
        (names) => names.includes(name),
        5_000,
        'the name should stay in the room',
      )
      await expectTone(first, 'stopped')
      expect(await message(first, text).count()).toBe(0)
      expect(e2e.playground.hub.connectionsFor(name)).toBe(2)
      await screenshot(first, `${older}-chat-replaced`)
      expect(e2e.errors).toEqual([])
    },
  )
})
