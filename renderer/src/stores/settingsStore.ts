import { create } from 'zustand';
import type { AppSettings } from '@shared/domain/settings';

interface SettingsState {
  settings?: AppSettings;
  /** The last save Core refused, with its message. */
  saveError?: string;
  settingsReceived: (settings: AppSettings) => void;
  settingsSaveFailed: (message: string) => void;
  settingsSaveSucceeded: () => void;
}

export const useSettingsStore = create<SettingsState>()((set) => ({
  settingsReceived: (settings) => set({ settings }),
  settingsSaveFailed: (message) => set({ saveError: message }),
  settingsSaveSucceeded: () => set({ saveError: undefined }),
}));
