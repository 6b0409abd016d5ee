import { usageError } from './errors'

/** Room name → members. Empty rooms are deleted, so the map only grows with live rooms. */
export class Rooms<C> {
  private readonly rooms = new Map<string, Set<C>>()

  join(room: string, member: C): void {
    let members = this.rooms.get(room)
    if (!members) {
      members = new Set()
      this.rooms.set(room, members)
    }
    members.add(member)
  }

  leave(room: string, member: C): void {
    const members = this.rooms.get(room)
    if (!members) return
    members.delete(member)
    if (members.size === 0) this.rooms.delete(room)
  }

  members(room: string): ReadonlySet<C> {
    return this.rooms.get(room) ?? NO_MEMBERS
  }
}

/** The members of a room nobody is in, and the rooms of a client in none. */
export const NO_MEMBERS: ReadonlySet<never> = new Set()

export function assertRoomName(where: string, room: unknown): asserts room is string {
  if (typeof room !== 'string' || room.length === 0) {
    throw usageError(
      where,
      `a room name must be a non-empty string, got ${JSON.stringify(room) ?? String(room)}`,
      "Pass e.g. 'lobby'.",
    )
  }
}
