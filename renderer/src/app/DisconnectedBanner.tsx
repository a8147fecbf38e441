import { useEffect, useState } from 'react';
import { retryNow } from '../bridge';
import { useConnectionStore } from '../stores/connectionStore';

export function DisconnectedBanner() {
  const status = useConnectionStore((state) => state.status);
  const problem = useConnectionStore((state) => state.problem);
  const retryAt = useConnectionStore((state) => state.retryAt);
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (status !== 'disconnected') return;
    const timer = window.setInterval(() => setNow(Date.now()), 500);
    return () => window.clearInterval(timer);
  }, [status]);
  if (status !== 'disconnected') return null;
  const seconds = retryAt ? Math.max(0, Math.ceil((retryAt - now) / 1000)) : 0;
  return (
    <div className="banner banner-error" role="alert" data-testid="disconnected-banner">
      <div>
        <strong>Not connected to Haven Core.</strong> {problem}
        <div className="muted">{seconds > 0 ? `Trying again in ${seconds} s.` : 'Trying again…'}</div>
      </div>
      <button type="button" onClick={retryNow}>
        Retry now
      </button>
    </div>
  );
}
