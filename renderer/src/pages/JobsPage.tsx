import { EmptyState } from '../components/EmptyState';

export function JobsPage() {
  return (
    <section aria-labelledby="jobs-title">
      <header className="page-header">
        <h1 id="jobs-title">Jobs</h1>
      </header>
      <EmptyState title="No jobs yet" testId="jobs-empty">
        <p>When a plugin archives, records or discovers something, its job appears here with live progress.</p>
      </EmptyState>
    </section>
  );
}
