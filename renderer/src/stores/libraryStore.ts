import { create } from 'zustand';
import type { LibraryItem } from '@shared/domain/library';

interface LibraryState {
  text: string;
  plugin?: string;
  mediaType?: string;
  /** Archived within this many days. */
  sinceDays?: number;
  items: LibraryItem[];
  total: number;
  loading: boolean;
  loaded: boolean;
  selectedId?: number;
  error?: string;
  queryChanged: (query: { text?: string; plugin?: string | undefined; mediaType?: string | undefined; sinceDays?: number | undefined }) => void;
  searchStarted: () => void;
  resultsReceived: (items: LibraryItem[], total: number, append: boolean) => void;
  searchFailed: (message: string) => void;
  itemSelected: (id: number | undefined) => void;
  /** An item opened by its id (clicked, or a notification): its full record, shown even when the list lacks it. */
  itemOpened: (item: LibraryItem) => void;
  /** A fresh copy of an item (after a change): replaces the list's copy, selection unchanged. */
  itemRefreshed: (item: LibraryItem) => void;
  itemRemoved: (id: number) => void;
}

export const useLibraryStore = create<LibraryState>()((set) => ({
  text: '',
  items: [],
  total: 0,
  loading: false,
  loaded: false,
  queryChanged: (query) => set((state) => ({ ...state, ...query })),
  searchStarted: () => set({ loading: true, error: undefined }),
  resultsReceived: (items, total, append) => set((state) => ({ items: append ? [...state.items, ...items] : items, total, loading: false, loaded: true })),
  searchFailed: (message) => set({ loading: false, error: message }),
  itemSelected: (id) => set({ selectedId: id }),
  itemOpened: (item) =>
    set((state) => ({
      selectedId: item.id,
      // The full item (with what processors made) replaces the list's copy.
      items: state.items.some((known) => known.id === item.id) ? state.items.map((known) => (known.id === item.id ? { ...item, ...(known.snippet ? { snippet: known.snippet } : {}) } : known)) : [item, ...state.items],
    })),
  itemRefreshed: (item) => set((state) => ({ items: state.items.map((known) => (known.id === item.id ? { ...item, ...(known.snippet ? { snippet: known.snippet } : {}) } : known)) })),
  itemRemoved: (id) => set((state) => ({ items: state.items.filter((item) => item.id !== id), total: Math.max(0, state.total - 1), selectedId: state.selectedId === id ? undefined : state.selectedId })),
}));
