import { FRAMEWORKS, PAGES, pagePath } from '../shared/pages'

const ICONS: Record<string, string> = {
  connection: '⇄',
  chat: '✉',
  dashboard: '◔',
  faults: '⚡',
}

/** The index: every page, each in React and in Vue. Static markup, no user input. */
export function renderHome(el: HTMLElement): void {
  document.title = 'Tethered playground'
  const cards = PAGES.map(
    (page) => `
      <article class="card home-card">
        <div class="home-icon" aria-hidden="true">${ICONS[page.id] ?? '•'}</div>
        <h2>${page.title}</h2>
        <p>${page.summary}</p>
        <div class="home-links">
          ${FRAMEWORKS.map(
            (f) => `<a class="btn btn-secondary" href="${pagePath(f.id, page.id)}">${f.label}</a>`,
          ).join('')}
        </div>
      </article>`,
  ).join('')

  el.innerHTML = `
    <div class="app">
      <header class="topbar">
        <a class="brand" href="/"><span class="brand-mark" aria-hidden="true"></span>Tethered<span class="brand-sub">playground</span></a>
      </header>
      <main class="content">
        <section class="hero">
          <h1>UI components tethered to a live WebSocket</h1>
          <p>Each page exists twice, once with <code>@tethered/react</code> and once with
          <code>@tethered/vue</code>, against the same <code>@tethered/server</code> backend on this
          origin at <code>/ws</code>. Open two tabs to chat with yourself; use the fault page to break
          the connection and watch it come back.</p>
        </section>
        <section class="home-grid">${cards}</section>
      </main>
    </div>`
}
