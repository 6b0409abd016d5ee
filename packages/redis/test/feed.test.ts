// The feed of reliable broadcasts on one instance, with a log the test holds: applied once
// each, in order, gaps read from the log, bounded while waiting.
import { describe, expect, it } from 'vitest'
import { Feed, type FeedEntry, parseEntry } from '../src/feed'

const raw = (seq: number, text = `t${seq}`) => `${seq}\n${JSON.stringify([null, null, null, text])}`

function feed(log: string[], maxPending = 100) {
  const applied: number[] = []
  const lost: number[] = []
  const fetches: number[] = []
  let head = 1
  const f = new Feed(
    {
      fetch: async (from) => {
        fetches.push(from)
        const first = Math.max(from, head)
        return { from: first, entries: log.filter((e) => (parseEntry(e)?.seq ?? 0) >= first) }
      },
      apply: (entry: FeedEntry) => applied.push(entry.seq),
      lost: (n) => lost.push(n),
      report: (error) => {
        throw error
      },
    },
    maxPending,
  )
  return { f, applied, lost, fetches, trim: (to: number) => (head = to) }
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0))

describe('Feed', () => {
  it('applies doorbells in order, each once; a duplicate or an old one is ignored', () => {
    const { f, applied, fetches } = feed([])
    f.offer(raw(1))
    f.offer(raw(2))
    f.offer(raw(2))
    f.offer(raw(1))
    expect(applied).toEqual([1, 2])
    expect(fetches).toEqual([])
  })

  it('a number that skips ahead makes it read the gap from the log, then go on in order', async () => {
    const log = [raw(1), raw(2), raw(3), raw(4)]
    const { f, applied, fetches } = feed(log)
    f.offer(raw(1))
    f.offer(raw(4))
    expect(applied).toEqual([1])
    await settle()
    expect(fetches).toEqual([2])
    expect(applied).toEqual([1, 2, 3, 4])
  })

  it('a poll finds what no doorbell rang for', async () => {
    const { f, applied } = feed([raw(1), raw(2)])
    f.poll()
    await settle()
    expect(applied).toEqual([1, 2])
  })

  it('holds: nothing is applied until released, then all of it in order', () => {
    const { f, applied } = feed([])
    const release = f.hold()
    f.offer(raw(1))
    f.offer(raw(2))
    expect(applied).toEqual([])
    release()
    release()
    expect(applied).toEqual([1, 2])
  })

  it('reports broadcasts the log no longer has, and goes on from what it has', async () => {
    const log = [raw(5), raw(6)]
    const { f, applied, lost, trim } = feed(log)
    trim(5)
    f.offer(raw(6))
    await settle()
    expect(lost).toEqual([4])
    expect(applied).toEqual([5, 6])
  })

  it('keeps at most `maxPending` entries waiting for a gap; past that they are read from the log again', async () => {
    const log = [1, 2, 3, 4, 5].map((n) => raw(n))
    const { f, applied } = feed(log, 2)
    const release = f.hold()
    f.offer(raw(3))
    f.offer(raw(4))
    expect(f.waiting).toBe(2)
    // Full: what waited is dropped, not grown past the bound.
    f.offer(raw(5))
    expect(f.waiting).toBe(1)
    release()
    await settle()
    expect(applied).toEqual([1, 2, 3, 4, 5])
  })

  it('a gap the log cannot fill (a doorbell from before Redis lost its data) is asked about again at the next poll, not in a loop', async () => {
    const { f, applied, fetches } = feed([])
    f.offer(raw(3))
    for (let i = 0; i < 20; i++) await settle()
    expect(fetches).toEqual([1])
    f.poll()
    await settle()
    expect(fetches).toEqual([1, 1])
    expect(applied).toEqual([])
  })

  it('ignores an entry that is not one', () => {
    const { f, applied } = feed([])
    f.offer('nonsense')
    f.offer('1\n{not json')
    expect(applied).toEqual([])
    expect(parseEntry(raw(7, 'x'))).toEqual({
      seq: 7,
      room: null,
      to: null,
      exceptKeys: null,
      text: 'x',
    })
  })
})
