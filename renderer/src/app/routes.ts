import { useSyncExternalStore } from 'react';

export const PAGES = [
  { id: 'plugins', label: 'Plugins', shortcut: '1' },
  { id: 'jobs', label: 'Jobs', shortcut: '2' },
  { id: 'library', label: 'Library', shortcut: '3' },
  { id: 'settings', label: 'Settings', shortcut: '4' },
] as const;

export type PageId = (typeof PAGES)[number]['id'];

function currentPage(): PageId {
  const id = window.location.hash.replace(/^#\/?/, '').split('/')[0];
  return PAGES.find((page) => page.id === id)?.id ?? 'plugins';
}

/** The part after the page: `#/plugins/youtube` → `youtube`. */
function currentParam(): string | undefined {
  const rest = window.location.hash.replace(/^#\/?/, '').split('/').slice(1).join('/');
  if (!rest) return undefined;
  try {
    return decodeURIComponent(rest);
  } catch {
    return rest; // a malformed %-escape: use the text as it is
  }
}

function subscribe(callback: () => void): () => void {
  window.addEventListener('hashchange', callback);
  return () => window.removeEventListener('hashchange', callback);
}

/** Hash routes (`#/jobs`) work the same over HTTP and the desktop app's own scheme. */
export function usePage(): PageId {
  return useSyncExternalStore(subscribe, currentPage);
}

export function useRouteParam(): string | undefined {
  return useSyncExternalStore(subscribe, currentParam);
}

export function navigate(page: PageId, param?: string): void {
  window.location.hash = param ? `#/${page}/${encodeURIComponent(param)}` : `#/${page}`;
}
