import { EmptyState } from '../components/EmptyState';

export function LibraryPage() {
  return (
    <section aria-labelledby="library-title">
      <header className="page-header">
        <h1 id="library-title">Library</h1>
      </header>
      <EmptyState title="Your library is empty" testId="library-empty">
        <p>Everything Haven saves is listed here, searchable by title, channel and description.</p>
      </EmptyState>
    </section>
  );
}
