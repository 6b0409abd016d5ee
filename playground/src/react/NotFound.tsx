import { type Framework, PAGES, pagePath } from '../shared/pages'

export function NotFound(props: { framework: Framework }) {
  return (
    <section className="card not-found" data-testid="not-found">
      <p>
        There is no page at <code>{location.pathname}</code>. These are the ones there are:
      </p>
      <ul className="not-found-links">
        {PAGES.map((p) => (
          <li key={p.id}>
            <a href={pagePath(props.framework, p.id)}>{p.title}</a> — {p.summary}
          </li>
        ))}
      </ul>
    </section>
  )
}
