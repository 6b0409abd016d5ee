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
    summary: 'Connect, send and close: buttons follow readyState, with reconnect countdown.',
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

/** Reads `/react/chat` into its parts; unknown pages fall back to the connection panel. */
export function parsePath(pathname: string): { framework: Framework; page: PageId } | null {
  const [, framework, page] = pathname.split('/')
  if (framework !== 'react' && framework !== 'vue') return null
  const known = PAGES.find((p) => p.id === page)
  return { framework, page: known ? known.id : 'connection' }
}

export function pageInfo(id: PageId): PageInfo {
  return PAGES.find((p) => p.id === id) ?? (PAGES[0] as PageInfo)
}
