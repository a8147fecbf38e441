import { create } from 'zustand';
import type { AvailablePlugin, PackagePreview } from '@shared/domain/packages';

interface CatalogState {
  available?: AvailablePlugin[];
  problems: { catalog: string; error: string }[];
  loading: boolean;
  catalogLoaded: (available: AvailablePlugin[], problems: { catalog: string; error: string }[]) => void;
  catalogLoading: () => void;
}

export const useCatalogStore = create<CatalogState>()((set) => ({
  problems: [],
  loading: false,
  catalogLoading: () => set({ loading: true }),
  catalogLoaded: (available, problems) => set({ available, problems, loading: false }),
}));

export type InstallPhase = 'closed' | 'staging' | 'preview' | 'installing' | 'installed' | 'failed';

export interface InstallState {
  phase: InstallPhase;
  /** Counts install attempts; a result for an earlier one (the dialog was closed, or another drop came) is dropped. */
  attempt: number;
  /** What is being installed, for the dialog's title while it is checked. */
  label?: string;
  uploaded?: { done: number; total: number };
  preview?: PackagePreview;
  error?: string;
  installedName?: string;
  installStarted: (label: string) => void;
  uploadProgressed: (done: number, total: number) => void;
  previewReceived: (preview: PackagePreview) => void;
  installConfirmed: () => void;
  installSucceeded: (name: string) => void;
  installFailed: (message: string) => void;
  installClosed: () => void;
}

export const useInstallStore = create<InstallState>()((set) => ({
  phase: 'closed',
  attempt: 0,
  installStarted: (label) => set((state) => ({ phase: 'staging', attempt: state.attempt + 1, label, preview: undefined, error: undefined, uploaded: undefined, installedName: undefined })),
  uploadProgressed: (done, total) => set({ uploaded: { done, total } }),
  previewReceived: (preview) => set({ phase: 'preview', preview }),
  installConfirmed: () => set({ phase: 'installing' }),
  installSucceeded: (installedName) => set({ phase: 'installed', installedName }),
  installFailed: (error) => set({ phase: 'failed', error }),
  installClosed: () => set((state) => ({ phase: 'closed', attempt: state.attempt + 1, preview: undefined, error: undefined, label: undefined, uploaded: undefined })),
}));
