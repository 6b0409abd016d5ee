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

  /** A history reply: the messages missed while away slot in where they belong. */
  history(messages: readonly ChatMessage[]): void {
    this.add(messages)
  }

  note(text: string, at: number = Date.now()): void {
    this.insert([{ kind: 'system', key: `n${this.notes++}`, at, text }])
  }

  clear(): void {
    this.items = []
    this.ids.clear()
    this.emit()
  }

  private add(messages: readonly ChatMessage[]): void {
    const fresh: ChatItem[] = []
    for (const message of messages) {
      if (this.ids.has(message.id)) continue
      this.ids.add(message.id)
      fresh.push({ kind: 'message', key: `m${message.id}`, at: message.at, message })
    }
    if (fresh.length > 0) this.insert(fresh)
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
