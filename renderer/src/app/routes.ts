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

function subscribe(callback: () => void): () => void {
  window.addEventListener('hashchange', callback);
  return () => window.removeEventListener('hashchange', callback);
}

/** Hash routes (`#/jobs`) work the same over HTTP and the desktop app's own scheme. */
export function usePage(): PageId {
  return useSyncExternalStore(subscribe, currentPage);
}

export function navigate(page: PageId): void {
  window.location.hash = `#/${page}`;
}
