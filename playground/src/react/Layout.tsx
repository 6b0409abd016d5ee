import type { ReactNode } from 'react'
import { FRAMEWORKS, type Framework, PAGES, type PageId, pageInfo, pagePath } from '../shared/pages'

export function Layout(props: { framework: Framework; page: PageId; children: ReactNode }) {
  const { framework, page } = props
  const info = pageInfo(page)
  return (
    <div className="app">
      <header className="topbar">
        <a className="brand" href="/">
          <span className="brand-mark" aria-hidden="true" />
          Tethered<span className="brand-sub">playground</span>
        </a>
        <nav className="tabs" aria-label="Pages">
          {PAGES.map((p) => (
            <a
              key={p.id}
              className={p.id === page ? 'tab is-active' : 'tab'}
              href={pagePath(framework, p.id)}
              aria-current={p.id === page ? 'page' : undefined}
            >
              {p.title}
            </a>
          ))}
        </nav>
        <nav className="switch" aria-label="Framework">
          {FRAMEWORKS.map((f) => (
            <a
              key={f.id}
              className={f.id === framework ? 'is-active' : undefined}
              href={pagePath(f.id, page)}
              aria-current={f.id === framework ? 'page' : undefined}
            >
              {f.label}
            </a>
          ))}
        </nav>
      </header>
      <main className="content">
        <div className="page-head">
          <h1>{info.title}</h1>
          <span className="framework-badge" data-testid="framework">
            @tethered/react
          </span>
          <p>{info.summary}</p>
        </div>
        {props.children}
      </main>
    </div>
  )
}
