import { type ComponentType, StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import type { PageId } from '../shared/pages'
import { ChatPage } from './ChatPage'
import { ConnectionPage } from './ConnectionPage'
import { DashboardPage } from './DashboardPage'
import { FaultsPage } from './FaultsPage'
import { Layout } from './Layout'
import { NotFound } from './NotFound'

const PAGES: Record<PageId, ComponentType> = {
  connection: ConnectionPage,
  chat: ChatPage,
  dashboard: DashboardPage,
  faults: FaultsPage,
}

/** Mounts a page, or the 404 for `null`. */
export function mountReact(el: HTMLElement, page: PageId | null): void {
  const Page = page ? PAGES[page] : null
  // StrictMode on purpose: it mounts twice in development, and still one socket reaches the server.
  createRoot(el).render(
    <StrictMode>
      <Layout framework="react" page={page}>
        {Page ? <Page /> : <NotFound framework="react" />}
      </Layout>
    </StrictMode>,
  )
}
