import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef, useState } from 'react';
import type { LibraryItem } from '@shared/domain/library';
import { deleteLibraryItem, libraryQueryChanged, openLibraryItem, runPipeline, searchLibrary } from '../bridge';
import { useRouteParam } from '../app/routes';
import { EmptyState } from '../components/EmptyState';
import { formatBytes, formatDuration, formatTime } from '../format';
import { RecordingPlayer } from './RecordingPlayer';
import { useConnectionStore } from '../stores/connectionStore';
import { useLibraryStore } from '../stores/libraryStore';
import { usePluginsStore } from '../stores/pluginsStore';

const ROW_HEIGHT = 60;

/** `[match]` from the index's snippet, shown as a highlight. */
function Snippet({ text }: { text: string }) {
  const parts = text.split(/(\[[^\]]*\])/g);
  return (
    <span className="snippet">
      {parts.map((part, i) => (part.startsWith('[') && part.endsWith(']') ? <mark key={i}>{part.slice(1, -1)}</mark> : <span key={i}>{part}</span>))}
    </span>
  );
}

export function LibraryPage() {
  const text = useLibraryStore((s) => s.text);
  const plugin = useLibraryStore((s) => s.plugin);
  const mediaType = useLibraryStore((s) => s.mediaType);
  const sinceDays = useLibraryStore((s) => s.sinceDays);
  const items = useLibraryStore((s) => s.items);
  const total = useLibraryStore((s) => s.total);
  const loaded = useLibraryStore((s) => s.loaded);
  const error = useLibraryStore((s) => s.error);
  const selectedId = useLibraryStore((s) => s.selectedId);
  const select = useLibraryStore((s) => s.itemSelected);
  const plugins = usePluginsStore((s) => s.plugins);
  const connected = useConnectionStore((s) => s.status === 'connected');
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({ count: items.length, getScrollElement: () => scrollRef.current, estimateSize: () => ROW_HEIGHT, overscan: 8 });
  const selected = items.find((item) => item.id === selectedId);

  useEffect(() => {
    if (connected && !loaded) void searchLibrary();
  }, [connected, loaded]);

  // `#/library/<id>` (a notification was clicked) opens that item.
  const param = useRouteParam();
  useEffect(() => {
    const id = Number(param);
    if (connected && param && Number.isSafeInteger(id)) void openLibraryItem(id);
  }, [connected, param]);

  const filtered = Boolean(text.trim() || plugin || mediaType || sinceDays);
  return (
    <section aria-labelledby="library-title" className="library-page">
      <header className="page-header">
        <div>
          <h1 id="library-title">Library</h1>
          {loaded && (
            <p className="muted" data-testid="library-count">
              {total > 10_000 ? 'over 10,000' : total} item{total === 1 ? '' : 's'}
              {filtered ? ' match' : ''}
            </p>
          )}
        </div>
      </header>
      <div className="library-filters">
        <input
          type="search"
          className="grow"
          aria-label="Search the library"
          placeholder="Search titles, descriptions, channels, tags…"
          value={text}
          onChange={(event) => libraryQueryChanged({ text: event.target.value })}
        />
        <select aria-label="Plugin" value={plugin ?? ''} onChange={(event) => libraryQueryChanged({ plugin: event.target.value || undefined })}>
          <option value="">All plugins</option>
          {(plugins ?? []).filter((p) => p.state !== 'invalid').map((p) => (
            <option key={p.name} value={p.name}>
              {p.name}
            </option>
          ))}
        </select>
        <select aria-label="Type" value={mediaType ?? ''} onChange={(event) => libraryQueryChanged({ mediaType: event.target.value || undefined })}>
          <option value="">All types</option>
          <option value="video">Video</option>
          <option value="audio">Audio</option>
          <option value="image">Image</option>
          <option value="file">Other files</option>
        </select>
        <select aria-label="Archived" value={sinceDays ?? ''} onChange={(event) => libraryQueryChanged({ sinceDays: event.target.value ? Number(event.target.value) : undefined })}>
          <option value="">Any time</option>
          <option value="1">Today</option>
          <option value="7">Last 7 days</option>
          <option value="30">Last 30 days</option>
          <option value="365">Last year</option>
        </select>
      </div>
      {error && (
        <div className="banner banner-error" role="alert">
          {error}
        </div>
      )}
      <div className="jobs-body">
        <div className="job-list" ref={scrollRef} data-testid="library-list">
          {loaded && items.length === 0 ? (
            filtered ? (
              <EmptyState title="Nothing matches" testId="library-no-match">
                <p>Try fewer words, or clear the filters.</p>
              </EmptyState>
            ) : (
              <EmptyState title="Your library is empty" testId="library-empty">
                <p>Everything Haven saves is listed here, searchable by title, channel and description. Archive a URL from the Jobs page to start.</p>
              </EmptyState>
            )
          ) : (
            <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
              {virtualizer.getVirtualItems().map((row) => {
                const item = items[row.index]!;
                return (
                  <div key={item.id} className="job-row-slot" style={{ transform: `translateY(${row.start}px)`, height: row.size }}>
                    <ItemRow item={item} selected={item.id === selectedId} onOpen={() => void openLibraryItem(item.id)} />
                  </div>
                );
              })}
            </div>
          )}
          {loaded && total > items.length && (
            <button type="button" className="link load-more" onClick={() => void searchLibrary(true)}>
              Show more ({total - items.length} not loaded)
            </button>
          )}
        </div>
        {selected && <ItemDetail key={selected.id} item={selected} onClose={() => select(undefined)} />}
      </div>
    </section>
  );
}

function ItemRow({ item, selected, onOpen }: { item: LibraryItem; selected: boolean; onOpen: () => void }) {
  return (
    <div
      className={`job-row${selected ? ' selected' : ''}`}
      data-testid="library-item"
      role="button"
      tabIndex={0}
      aria-label={item.title}
      onClick={onOpen}
      onKeyDown={(event) => {
        if (event.key === 'Enter' || event.key === ' ') {
          event.preventDefault();
          onOpen();
        }
      }}
    >
      {item.thumbnailId !== undefined ? (
        <img className="item-thumb" src={`./derived/${item.thumbnailId}`} alt="" data-testid="item-thumbnail" loading="lazy" />
      ) : (
        <div className="item-icon" aria-hidden="true">
          {item.mediaType === 'video' ? '▶' : item.mediaType === 'audio' ? '♪' : '▤'}
        </div>
      )}
      <div className="job-main">
        <div className="job-title">
          <span className="ellipsis" title={item.title}>
            {item.title}
          </span>
          {item.duplicateOf !== undefined && <span className="pill pill-warn">duplicate</span>}
        </div>
        <div className="muted job-sub ellipsis">
          {item.snippet ? (
            <Snippet text={item.snippet} />
          ) : (
            <>
              {item.plugin} · {formatTime(item.createdAt)}
              {item.size !== undefined ? ` · ${formatBytes(item.size)}` : ''}
              {item.duration !== undefined ? ` · ${formatDuration(item.duration)}` : ''}
            </>
          )}
        </div>
      </div>
    </div>
  );
}

const DERIVED_LABELS: Record<string, string> = { thumbnail: 'Thumbnail', preview: 'Preview strip', audio: 'Audio', video: 'Video', subtitle: 'Subtitles', metadata: 'Metadata', feed: 'Feed', other: 'File' };

/** What processors made from the item, and a way to run its source's pipeline on it again. */
function DerivedFiles({ item }: { item: LibraryItem }) {
  const [message, setMessage] = useState<string>();
  const derived = item.derived ?? [];
  const images = derived.filter((file) => file.kind === 'thumbnail' || file.kind === 'preview');
  return (
    <section className="derived" aria-label="Made from this item" data-testid="derived-files">
      <h3>Made from this item</h3>
      {images.map((file) => (
        <img key={file.id} className={file.kind === 'preview' ? 'derived-preview' : 'derived-thumb'} src={`./derived/${file.id}`} alt={`${DERIVED_LABELS[file.kind]} by ${file.plugin}`} />
      ))}
      {derived.length === 0 ? (
        <p className="muted">Nothing yet. Processors (thumbnails, loudness) run after an archive when the source plugin has a pipeline (its page, Pipeline).</p>
      ) : (
        <ul className="plain-list">
          {derived.map((file) => (
            <li key={file.id}>
              <a href={`./derived/${file.id}`} download>
                {file.label ?? DERIVED_LABELS[file.kind]}
              </a>{' '}
              <span className="muted">
                {file.plugin}
                {file.size !== undefined ? ` · ${formatBytes(file.size)}` : ''}
              </span>
            </li>
          ))}
        </ul>
      )}
      <button type="button" className="secondary" onClick={() => void runPipeline(item.id).then((error) => setMessage(error ?? 'Queued: see Jobs.'))}>
        Run the pipeline on this item
      </button>
      {message && (
        <p className="muted" role="status">
          {message}
        </p>
      )}
    </section>
  );
}

function ItemDetail({ item, onClose }: { item: LibraryItem; onClose: () => void }) {
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string>();
  const description = typeof item.metadata.description === 'string' ? item.metadata.description : undefined;
  const canPlay = item.outputPath && item.mime !== 'inode/directory' && (item.mediaType === 'audio' || item.mediaType === 'video');
  return (
    <aside className="detail-panel" aria-label="Item details" data-testid="item-detail">
      <header className="detail-header">
        <h2 className="ellipsis" title={item.title}>
          {item.title}
        </h2>
        <button type="button" className="link" onClick={onClose} aria-label="Close details">
          Close
        </button>
      </header>
      {item.mime === 'inode/directory' && <RecordingPlayer key={item.id} item={item} />}
      {canPlay &&
        (item.mediaType === 'video' ? (
          <video className="player" controls preload="metadata" src={`./files/${item.id}`} />
        ) : (
          <audio className="player" controls preload="metadata" src={`./files/${item.id}`} />
        ))}
      {description && <p className="description">{description}</p>}
      <dl className="facts">
        <dt>Plugin</dt>
        <dd>{item.plugin}</dd>
        <dt>Source</dt>
        <dd className="break">{item.uri}</dd>
        {item.outputPath && (
          <>
            <dt>File</dt>
            <dd className="break">{item.outputPath}</dd>
          </>
        )}
        {item.size !== undefined && (
          <>
            <dt>Size</dt>
            <dd>{formatBytes(item.size)}</dd>
          </>
        )}
        {item.sha256 && (
          <>
            <dt>SHA-256</dt>
            <dd className="break mono">{item.sha256}</dd>
          </>
        )}
        <dt>Archived</dt>
        <dd>{formatTime(item.createdAt)}</dd>
        {item.duplicateOf !== undefined && (
          <>
            <dt>Same content as</dt>
            <dd>item {item.duplicateOf}</dd>
          </>
        )}
      </dl>
      <DerivedFiles item={item} />
      {Object.keys(item.metadata).length > 0 && (
        <details className="metadata">
          <summary>All metadata</summary>
          <pre className="log">{JSON.stringify(item.metadata, null, 2)}</pre>
        </details>
      )}
      <div className="toolbar">
        {item.outputPath && (
          <a className="button" href={`./files/${item.id}?download=1`} download>
            Download
          </a>
        )}
        <button type="button" className="secondary" onClick={() => setConfirming(true)}>
          Delete…
        </button>
      </div>
      {confirming && (
        <div className="confirm" role="alertdialog" aria-label="Delete this item?">
          <p>Delete “{item.title}”?</p>
          <div className="toolbar">
            <button type="button" onClick={() => void deleteLibraryItem(item.id, false).then(setError)}>
              Remove from library only
            </button>
            {item.outputPath && (
              <button type="button" className="danger" onClick={() => void deleteLibraryItem(item.id, true).then(setError)}>
                Remove and delete the file
              </button>
            )}
            <button type="button" className="link" onClick={() => setConfirming(false)}>
              Keep it
            </button>
          </div>
          {error && <p className="error-text">{error}</p>}
        </div>
      )}
    </aside>
  );
}
