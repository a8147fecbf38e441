import { useState } from 'react';
import type { Theme } from '@shared/domain/settings';
import { updateSettings } from '../bridge';
import { useConnectionStore } from '../stores/connectionStore';
import { useSettingsStore } from '../stores/settingsStore';

const THEMES: { value: Theme; label: string }[] = [
  { value: 'system', label: 'System' },
  { value: 'light', label: 'Light' },
  { value: 'dark', label: 'Dark' },
];

export function SettingsPage() {
  const settings = useSettingsStore((state) => state.settings);
  const saveError = useSettingsStore((state) => state.saveError);
  const info = useConnectionStore((state) => state.info);
  const [newDir, setNewDir] = useState('');

  if (!settings) {
    return (
      <section aria-labelledby="settings-title">
        <h1 id="settings-title">Settings</h1>
        <p className="muted">Loading settings…</p>
      </section>
    );
  }

  const addDir = async (): Promise<void> => {
    const dir = newDir.trim();
    if (!dir || settings.pluginDirs.includes(dir)) return;
    if (await updateSettings({ pluginDirs: [...settings.pluginDirs, dir] })) setNewDir('');
  };

  return (
    <section aria-labelledby="settings-title" className="settings">
      <header className="page-header">
        <h1 id="settings-title">Settings</h1>
      </header>
      {saveError && (
        <div className="banner banner-error" role="alert">
          {saveError}
        </div>
      )}

      <fieldset>
        <legend>Appearance</legend>
        <div className="segmented" role="radiogroup" aria-label="Theme">
          {THEMES.map((theme) => (
            <label key={theme.value} className={settings.theme === theme.value ? 'selected' : undefined}>
              <input
                type="radio"
                name="theme"
                value={theme.value}
                checked={settings.theme === theme.value}
                onChange={() => void updateSettings({ theme: theme.value })}
              />
              {theme.label}
            </label>
          ))}
        </div>
      </fieldset>

      <fieldset>
        <legend>Jobs</legend>
        <NumberSetting
          label="Jobs running at once"
          value={settings.maxConcurrentJobs}
          onSave={(value) => updateSettings({ maxConcurrentJobs: value })}
        />
        <NumberSetting
          label="Jobs per plugin at once"
          value={settings.maxConcurrentJobsPerPlugin}
          onSave={(value) => updateSettings({ maxConcurrentJobsPerPlugin: value })}
        />
      </fieldset>

      <fieldset>
        <legend>Notifications</legend>
        <NotificationSetting />
      </fieldset>

      <fieldset>
        <legend>Plugin folders</legend>
        <p className="muted">
          Haven looks for plugins in its own folder{info ? ` (${info.home}/plugins)` : ''}, among its built-in plugins,
          and in these folders:
        </p>
        {settings.pluginDirs.length === 0 ? (
          <p className="muted">No extra folders.</p>
        ) : (
          <ul className="plain-list">
            {settings.pluginDirs.map((dir) => (
              <li key={dir}>
                <code>{dir}</code>
                <button
                  type="button"
                  className="link"
                  onClick={() => void updateSettings({ pluginDirs: settings.pluginDirs.filter((d) => d !== dir) })}
                >
                  Remove
                </button>
              </li>
            ))}
          </ul>
        )}
        <form
          className="inline-form"
          onSubmit={(event) => {
            event.preventDefault();
            void addDir();
          }}
        >
          <input
            aria-label="Folder to add"
            placeholder="/path/to/plugins"
            value={newDir}
            onChange={(event) => setNewDir(event.target.value)}
          />
          <button type="submit" disabled={!newDir.trim()}>
            Add folder
          </button>
        </form>
      </fieldset>
    </section>
  );
}

function NumberSetting({
  label,
  value,
  onSave,
}: {
  label: string;
  value: number;
  onSave: (value: number) => Promise<boolean>;
}) {
  const [draft, setDraft] = useState(String(value));
  const [lastValue, setLastValue] = useState(value);
  if (value !== lastValue) {
    setLastValue(value);
    setDraft(String(value));
  }
  const parsed = Number(draft);
  const invalid = !/^\d+$/.test(draft) || parsed < 1 || parsed > 64;
  return (
    <label className="field">
      <span>{label}</span>
      <input
        type="number"
        min={1}
        max={64}
        value={draft}
        aria-invalid={invalid}
        onChange={(event) => setDraft(event.target.value)}
        onBlur={() => {
          if (!invalid && parsed !== value) void onSave(parsed);
        }}
      />
      {invalid && <span className="error-text">A whole number from 1 to 64.</span>}
    </label>
  );
}

function NotificationSetting() {
  const supported = 'Notification' in window;
  const [permission, setPermission] = useState(supported ? Notification.permission : 'denied');
  if (!supported) return <p className="muted">This browser cannot show notifications.</p>;
  if (permission === 'granted') return <p className="muted">Haven tells you when jobs finish or fail while its window is in the background.</p>;
  if (permission === 'denied') return <p className="muted">Notifications are blocked for this page; allow them in the browser's site settings.</p>;
  return (
    <button type="button" onClick={() => void Notification.requestPermission().then(setPermission)}>
      Notify me when jobs finish
    </button>
  );
}
