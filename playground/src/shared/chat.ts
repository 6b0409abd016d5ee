import type { ChatMessage } from './protocol'

export type ChatItem =
  | { kind: 'message'; key: string; at: number; message: ChatMessage }
  | { kind: 'system'; key: string; at: number; text: string }

const LIMIT = 300

/**
 * The chat's message list: live messages, history replies and join/leave notes merged in
 * time order, each message once however often it arrives (live and again in a history
 * reply after a reconnect). A tiny store both frameworks subscribe to.
 */
export class ChatFeed {
  private items: ChatItem[] = []
  private readonly ids = new Set<number>()
  private readonly listeners = new Set<() => void>()
  private notes = 0
  /** When the socket was lost while in the room; `null` while there (or after leaving). */
  private lostAt: number | null = null
  private inRoom = false

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener)
    return () => {
      this.listeners.delete(listener)
    }
  }

  readonly getItems = (): readonly ChatItem[] => this.items

  message(message: ChatMessage): void {
    this.add([message])
  }

  /**
   * A history reply: the messages missed while away slot in where they belong. After a
   * loss it says how long the page was away and how many messages that reply caught up.
   */
  history(messages: readonly ChatMessage[], now: number = Date.now()): number {
    const fresh = this.add(messages)
    if (this.lostAt !== null) {
      const away = Math.max(1, Math.round((now - this.lostAt) / 1000))
      const caught = fresh === 1 ? '1 message' : `${fresh} messages`
      this.lostAt = null
      this.note(`You were away ${away} s · ${caught} caught up`, now)
    }
    return fresh
  }

  /** The socket opened: in the room until it closes. */
  opened(): void {
    this.inRoom = true
  }

  /** The socket closed: if it was in the room, the next history reply is a catch-up. */
  lost(now: number = Date.now()): void {
    if (this.inRoom) this.lostAt ??= now
    this.inRoom = false
  }

  /** Left on purpose: nothing to catch up on. */
  left(): void {
    this.lostAt = null
    this.inRoom = false
    this.note('You left the room')
  }

  /**
   * Someone joined. The server announces a returning page as a new arrival; its own page
   * says "away, caught up" instead (see `history`).
   */
  joined(name: string, me: string | null, at: number): void {
    if (name === me && this.lostAt !== null) return
    this.note(`${name} joined`, at)
  }

  note(text: string, at: number = Date.now()): void {
    this.insert([{ kind: 'system', key: `n${this.notes++}`, at, text }])
  }

  clear(): void {
    this.lostAt = null
    this.inRoom = false
    this.items = []
    this.ids.clear()
    this.emit()
  }

  private add(messages: readonly ChatMessage[]): number {
    const fresh: ChatItem[] = []
    for (const message of messages) {
      if (this.ids.has(message.id)) continue
      this.ids.add(message.id)
      fresh.push({ kind: 'message', key: `m${message.id}`, at: message.at, message })
    }
    if (fresh.length > 0) this.insert(fresh)
    return fresh.length
  }

  private insert(fresh: ChatItem[]): void {
    // Stable: equal times keep their arrival order.
    const next = [...this.items, ...fresh].sort((a, b) => a.at - b.at)
    this.items = next.length > LIMIT ? next.slice(next.length - LIMIT) : next
    this.emit()
  }

  private emit(): void {
    for (const listener of this.listeners) listener()
  }
}
