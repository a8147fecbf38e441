import { useConnectionStore } from '../stores/connectionStore';

const LABELS = {
  connecting: 'Connecting to Core…',
  connected: 'Connected to Core',
  disconnected: 'Disconnected from Core',
} as const;

export function StatusBar() {
  const status = useConnectionStore((state) => state.status);
  const transport = useConnectionStore((state) => state.transport);
  const info = useConnectionStore((state) => state.info);
  return (
    <footer className="statusbar" role="status" aria-live="polite">
      <span className={`dot dot-${status}`} aria-hidden="true" />
      <span data-testid="connection-status">{LABELS[status]}</span>
      {transport && <span className="muted">via {transport === 'electron' ? 'desktop IPC' : 'WebSocket'}</span>}
      <span className="spacer" />
      {info && (
        <span className="muted" title={info.home}>
          Haven {info.version} · {info.host} · {info.runtime}
        </span>
      )}
    </footer>
  );
}
