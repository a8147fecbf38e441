import { create } from 'zustand';
import type { PluginSummary } from '@shared/domain/plugins';

interface PluginsState {
  /** Undefined until Core has sent the first list. */
  plugins?: PluginSummary[];
  rescanning: boolean;
  pluginsReceived: (plugins: PluginSummary[]) => void;
  rescanStarted: () => void;
  rescanFinished: () => void;
}

export const usePluginsStore = create<PluginsState>()((set) => ({
  rescanning: false,
  pluginsReceived: (plugins) => set({ plugins }),
  rescanStarted: () => set({ rescanning: true }),
  rescanFinished: () => set({ rescanning: false }),
}));
