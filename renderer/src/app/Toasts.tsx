import { useEffect } from 'react';
import { useToastStore } from '../stores/toastStore';

export function Toasts() {
  const toasts = useToastStore((s) => s.toasts);
  const dismiss = useToastStore((s) => s.toastDismissed);
  useEffect(() => {
    if (toasts.length === 0) return;
    const timer = window.setTimeout(() => dismiss(toasts[0]!.id), 6000);
    return () => window.clearTimeout(timer);
  }, [toasts, dismiss]);
  return (
    <div className="toasts" aria-live="polite">
      {toasts.map((toast) => (
        <div key={toast.id} className={`toast toast-${toast.tone}`} data-testid="toast">
          <strong>{toast.title}</strong>
          <span>{toast.body}</span>
          <button type="button" className="link" aria-label="Dismiss" onClick={() => dismiss(toast.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
