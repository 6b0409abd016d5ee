export type Framework = 'react' | 'vue'
export type PageId = 'connection' | 'chat' | 'dashboard' | 'faults'

export interface PageInfo {
  id: PageId
  title: string
  /** One line for the navigation and the index. */
  summary: string
}

export const FRAMEWORKS: ReadonlyArray<{ id: Framework; label: string }> = [
  { id: 'react', label: 'React' },
  { id: 'vue', label: 'Vue' },
]

export const PAGES: readonly PageInfo[] = [
  {
    id: 'connection',
    title: 'Connection',
    summary:
      'Connect, send and close: buttons follow the snapshot’s status; a reconnect can be retried now or stopped.',
  },
  {
    id: 'chat',
    title: 'Chat',
    summary: 'A room with history on request; a second tab with your name replaces this one.',
  },
  {
    id: 'dashboard',
    title: 'Dashboard',
    summary: '160 messages per second into live charts, rendered at most once per frame.',
  },
  {
    id: 'faults',
    title: 'Faults',
    summary: 'Cut, black-hole or restart: watch detection, backoff and recovery.',
  },
]

export function pagePath(framework: Framework, page: PageId): string {
  return `/${framework}/${page}`
}

export type Route =
  | { kind: 'home' }
  | { kind: 'page'; framework: Framework; page: PageId }
  /** No such page: `framework` when the path named one, so its 404 keeps that framework. */
  | { kind: 'missing'; framework: Framework | null; path: string }

/** Reads a path: `/`, `/react/chat`, or anything else, which is a 404. */
export function parsePath(pathname: string): Route {
  if (pathname === '/' || pathname === '/index.html') return { kind: 'home' }
  const parts = pathname.split('/')
  const [, framework, page, ...rest] = parts
  const fw = framework === 'react' || framework === 'vue' ? framework : null
  const known = PAGES.find((p) => p.id === page)
  if (fw && known && (rest.length === 0 || (rest.length === 1 && rest[0] === ''))) {
    return { kind: 'page', framework: fw, page: known.id }
  }
  return { kind: 'missing', framework: fw, path: pathname }
}

export function pageInfo(id: PageId): PageInfo {
  return PAGES.find((p) => p.id === id) ?? (PAGES[0] as PageInfo)
}
