import { useEffect, useSyncExternalStore } from 'react';
import { useSettingsStore } from '../stores/settingsStore';

const query = window.matchMedia('(prefers-color-scheme: dark)');

function subscribe(callback: () => void): () => void {
  query.addEventListener('change', callback);
  return () => query.removeEventListener('change', callback);
}

/** Applies the chosen theme (or the system's) to the document. */
export function useTheme(): void {
  const choice = useSettingsStore((state) => state.settings?.theme ?? 'system');
  const systemDark = useSyncExternalStore(subscribe, () => query.matches);
  const theme = choice === 'system' ? (systemDark ? 'dark' : 'light') : choice;
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);
}
