import { PAGES, type PageId } from './routes';

export function Sidebar({ current }: { current: PageId }) {
  return (
    <nav className="sidebar" aria-label="Main">
      <div className="brand">
        <img src="./favicon.svg" alt="" width={28} height={28} />
        <span>Haven</span>
      </div>
      <ul>
        {PAGES.map((page) => (
          <li key={page.id}>
            <a
              href={`#/${page.id}`}
              className={page.id === current ? 'active' : undefined}
              aria-current={page.id === current ? 'page' : undefined}
              title={`${page.label} (Alt+${page.shortcut})`}
            >
              <span className={`icon icon-${page.id}`} aria-hidden="true" />
              {page.label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
