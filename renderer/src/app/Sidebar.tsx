import { useJobsStore } from '../stores/jobsStore';
import { PAGES, type PageId } from './routes';

export function Sidebar({ current }: { current: PageId }) {
  const active = useJobsStore((s) => (s.counts ? s.counts.running + s.counts.queued : 0));
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
              {page.id === 'jobs' && active > 0 && (
                <span className="nav-badge" data-testid="active-jobs-badge" aria-label={`${active} active`}>
                  {active}
                </span>
              )}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
