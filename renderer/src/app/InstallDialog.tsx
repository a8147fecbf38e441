import { useEffect, useRef } from 'react';
import { cancelInstall, confirmInstall } from '../bridge';
import { formatBytes } from '../format';
import { useInstallStore } from '../stores/catalogStore';
import { Modal } from './Modal';
import { navigate } from './routes';
import { carriesFiles, handleDrop } from './dropInstall';

/** Drops anywhere on the window install too (the Plugins page's zone is only the visible one). */
export function useWindowDrop(): void {
  useEffect(() => {
    const over = (event: DragEvent): void => {
      if (carriesFiles(event)) event.preventDefault();
    };
    const drop = (event: DragEvent): void => {
      if (!event.dataTransfer || !carriesFiles(event)) return;
      event.preventDefault();
      void handleDrop(event.dataTransfer);
    };
    window.addEventListener('dragover', over);
    window.addEventListener('drop', drop);
    return () => {
      window.removeEventListener('dragover', over);
      window.removeEventListener('drop', drop);
    };
  }, []);
}

const STATUS_TEXT = { met: 'installed', missing: 'not installed', incompatible: 'wrong version installed', disabled: 'installed but disabled' } as const;

export function InstallDialog() {
  const phase = useInstallStore((s) => s.phase);
  const label = useInstallStore((s) => s.label);
  const preview = useInstallStore((s) => s.preview);
  const error = useInstallStore((s) => s.error);
  const uploaded = useInstallStore((s) => s.uploaded);
  const installedName = useInstallStore((s) => s.installedName);
  const close = cancelInstall;
  const confirmRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (phase === 'preview') confirmRef.current?.focus();
  }, [phase]);
  if (phase === 'closed') return null;
  const m = preview?.manifest;
  const blocked = Boolean(preview?.problems.length);
  return (
    <Modal className="install-dialog" labelledBy="install-title" testId="install-dialog" {...(phase !== 'installing' ? { onEscape: close } : {})}>
        <h2 id="install-title">{m ? `Install ${m.name} ${m.version}?` : phase === 'failed' ? 'Cannot install' : `Checking ${label ?? 'the package'}…`}</h2>
        {phase === 'staging' && (
          <p className="muted">
            {uploaded ? `Sending ${formatBytes(uploaded.done)} of ${formatBytes(uploaded.total)}…` : 'Checking the package: its files, its manifest and what it asks for.'}
          </p>
        )}
        {phase === 'failed' && (
          <p className="error-text" role="alert" data-testid="install-error">
            {error}
          </p>
        )}
        {m && preview && phase !== 'failed' && (
          <>
            <p>
              {m.description}
              {m.author ? <span className="muted"> · by {m.author}</span> : null}
            </p>
            <dl className="facts">
              <dt>Capabilities</dt>
              <dd>{m.capabilities.join(', ') || 'none'}</dd>
              <dt>May reach</dt>
              <dd data-testid="install-network">{m.permissions.network.length ? m.permissions.network.map((h) => (h === '*' ? 'any host' : h)).join(', ') : 'no network hosts'}</dd>
              <dt>May run</dt>
              <dd data-testid="install-binaries">{m.permissions.binaries.join(', ') || 'no programs'}</dd>
              <dt>Folders</dt>
              <dd>{m.permissions.filesystem.join(', ') || 'only its own'}</dd>
              {m.permissions.links ? (
                <>
                  <dt>Links</dt>
                  <dd data-testid="install-links">may link to files it reads, and so change them</dd>
                </>
              ) : null}
              {m.permissions.addons ? (
                <>
                  <dt>Native code</dt>
                  <dd data-testid="install-addons" className="error-text">
                    yes: it loads native addons, which Haven&apos;s sandbox cannot contain
                  </dd>
                </>
              ) : null}
              <dt>Needs</dt>
              <dd>
                {preview.dependencies.length === 0
                  ? 'no other plugins'
                  : preview.dependencies.map((d) => (
                      <span key={d.name} className={d.status === 'met' ? '' : 'error-text'}>
                        {d.name} {d.range}: {STATUS_TEXT[d.status]}{' '}
                      </span>
                    ))}
              </dd>
              <dt>Package</dt>
              <dd>
                {preview.files} files, {formatBytes(preview.unpackedBytes)} <span className="mono">sha256 {preview.sha256.slice(0, 12)}…</span>
              </dd>
              {preview.replaces && (
                <>
                  <dt>Replaces</dt>
                  <dd data-testid="install-replaces">
                    {m.name} {preview.replaces.version} ({preview.replaces.direction}
                    {preview.replaces.origin === 'builtin' ? ', over the built-in version' : ''})
                  </dd>
                </>
              )}
            </dl>
            {preview.problems.map((problem) => (
              <p key={problem} className="error-text" role="alert">
                Cannot install: {problem}
              </p>
            ))}
          </>
        )}
        {phase === 'installed' && (
          <p role="status" data-testid="install-done">
            {installedName} is installed and enabled.
          </p>
        )}
        <div className="toolbar">
          {phase === 'preview' && (
            <button type="button" ref={confirmRef} disabled={blocked} onClick={() => void confirmInstall()}>
              Install
            </button>
          )}
          {phase === 'installing' && (
            <button type="button" disabled>
              Installing…
            </button>
          )}
          {phase === 'installed' && installedName && (
            <button
              type="button"
              onClick={() => {
                close();
                navigate('plugins', installedName);
              }}
            >
              Open {installedName}
            </button>
          )}
          {phase !== 'installing' && (
            <button type="button" className="secondary" onClick={close}>
              {phase === 'installed' ? 'Done' : 'Cancel'}
            </button>
          )}
        </div>
    </Modal>
  );
}
