import { type Component, createApp, h } from 'vue'
import type { PageId } from '../shared/pages'
import ChatPage from './ChatPage.vue'
import ConnectionPage from './ConnectionPage.vue'
import DashboardPage from './DashboardPage.vue'
import FaultsPage from './FaultsPage.vue'
import Layout from './Layout.vue'
import NotFound from './NotFound.vue'

const PAGES: Record<PageId, Component> = {
  connection: ConnectionPage,
  chat: ChatPage,
  dashboard: DashboardPage,
  faults: FaultsPage,
}

/** Mounts a page, or the 404 for `null`. */
export function mountVue(el: HTMLElement, page: PageId | null): void {
  createApp({
    render: () =>
      h(Layout, { framework: 'vue', page }, () =>
        page ? h(PAGES[page]) : h(NotFound, { framework: 'vue' }),
      ),
  }).mount(el)
}
