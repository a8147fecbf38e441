import { useEffect, useRef, useState } from 'react';
import type { ViewInfo, ViewRow } from '@shared/sdk/types';
import { loadViewRows, runViewAction } from '../bridge';
import { EmptyState } from '../components/EmptyState';
import { Modal } from '../app/Modal';
import { formatViewCell } from '../format';
import { usePluginDetailStore } from '../stores/pluginDetailStore';

const REFRESH_MS = 2000;
const NUMERIC = new Set(['number', 'bytes', 'speed', 'ratio', 'duration']);

/** A plugin's live table (BitTorrentPlugin's Seeding): read while it is open, with row actions. */
export function PluginViewPanel({ plugin, view }: { plugin: string; view: ViewInfo }) {
  const state = usePluginDetailStore((s) => s.viewRows[view.id]);
  const running = usePluginDetailStore((s) => s.runningRowAction);
  const answer = usePluginDetailStore((s) => s.rowActionResults[view.id]);
  const [confirming, setConfirming] = useState<{ action: ViewInfo['rowActions'][number]; row: ViewRow }>();
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    void loadViewRows(plugin, view.id);
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') void loadViewRows(plugin, view.id);
    }, REFRESH_MS);
    return () => clearInterval(timer);
  }, [plugin, view.id]);

  const run = async (action: ViewInfo['rowActions'][number], row: ViewRow): Promise<void> => {
    await runViewAction(plugin, view.id, action.id, row.id);
    // The button that had focus may be gone (Stop became Seed again, a row was removed).
    if (!document.activeElement || document.activeElement === document.body) heading.current?.focus();
  };
  const act = (action: ViewInfo['rowActions'][number], row: ViewRow): void => {
    if (running !== undefined) return;
    if (action.confirm) setConfirming({ action, row });
    else void run(action, row);
  };

  return (
    <section className="plugin-view" data-testid={`plugin-view-${view.id}`} aria-labelledby={`view-${view.id}-title`}>
      <h3 id={`view-${view.id}-title`} ref={heading} tabIndex={-1}>
        {view.title}
      </h3>
      {view.description && <p className="muted">{view.description}</p>}
      <p className={answer?.ok === false ? 'error-text' : 'muted'} role="status" data-testid="view-action-result">
        {answer?.message ?? ''}
      </p>
      {state?.error && (
        <div className="banner banner-error" role="alert">
          {view.title} cannot be read: {state.error}. Check the plugin&apos;s Health and Log tabs; Haven asks again every few seconds.
        </div>
      )}
      {!state ? (
        <p className="muted">Loading…</p>
      ) : state.rows.length === 0 ? (
        !state.error && <EmptyState title={`Nothing in ${view.title}`}>{view.empty ?? 'Nothing to show yet.'}</EmptyState>
      ) : (
        <div className="view-table-wrap">
          <table className="view-table">
            <thead>
              <tr>
                {view.columns.map((column) => (
                  <th key={column.id} scope="col" className={NUMERIC.has(column.format) ? 'num' : undefined}>
                    {column.label}
                  </th>
                ))}
                {view.rowActions.length > 0 && (
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                )}
              </tr>
            </thead>
            <tbody>
              {state.rows.map((row) => (
                <tr key={row.id} data-row={row.id}>
                  {view.columns.map((column) => (
                    <td key={column.id} className={NUMERIC.has(column.format) ? 'num' : undefined}>
                      {formatViewCell(row.cells[column.id], column.format)}
                    </td>
                  ))}
                  {view.rowActions.length > 0 && (
                    <td className="row-actions">
                      {view.rowActions
                        .filter((action) => row.actions.includes(action.id))
                        .map((action) => (
                          <button
                            key={action.id}
                            type="button"
                            className={action.danger ? 'secondary danger-text' : 'secondary'}
                            aria-disabled={running !== undefined}
                            aria-label={`${action.label} ${String(row.cells[view.columns[0]!.id] ?? row.id)}`}
                            onClick={() => act(action, row)}
                          >
                            {running === `${action.id}:${row.id}` ? '…' : action.label}
                          </button>
                        ))}
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {confirming && (
        <Modal label={`${confirming.action.label}?`} onEscape={() => setConfirming(undefined)}>
          <h2>
            {confirming.action.label} {String(confirming.row.cells[view.columns[0]!.id] ?? confirming.row.id)}?
          </h2>
          <p>{confirming.action.confirm}</p>
          <div className="toolbar">
            <button
              type="button"
              className={confirming.action.danger ? 'danger' : undefined}
              onClick={() => {
                const { action, row } = confirming;
                setConfirming(undefined);
                void run(action, row);
              }}
            >
              {confirming.action.label}
            </button>
            <button type="button" className="secondary" onClick={() => setConfirming(undefined)}>
              Cancel
            </button>
          </div>
        </Modal>
      )}
    </section>
  );
}
