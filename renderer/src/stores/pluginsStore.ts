import { create } from 'zustand';
import type { PluginSummary } from '@shared/domain/plugins';

interface PluginsState {
  /** Undefined until Core has sent the first list. */
  plugins?: PluginSummary[];
  rescanning: boolean;
  /** Plugins with an enable/disable request in flight. */
  toggling: string[];
  /** The last action Core refused, with its message. */
  actionError?: string;
  pluginsReceived: (plugins: PluginSummary[]) => void;
  toggleStarted: (name: string) => void;
  toggleFinished: (name: string, error?: string) => void;
  actionErrorDismissed: () => void;
  rescanStarted: () => void;
  rescanFinished: () => void;
}

export const usePluginsStore = create<PluginsState>()((set) => ({
  rescanning: false,
  toggling: [],
  pluginsReceived: (plugins) => set({ plugins }),
  toggleStarted: (name) => set((state) => ({ toggling: [...state.toggling, name], actionError: undefined })),
  toggleFinished: (name, error) => set((state) => ({ toggling: state.toggling.filter((n) => n !== name), actionError: error })),
  actionErrorDismissed: () => set({ actionError: undefined }),
  rescanStarted: () => set({ rescanning: true }),
  rescanFinished: () => set({ rescanning: false }),
}));
