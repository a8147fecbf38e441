import { useState } from 'react';
import type { AppSettings, Theme } from '@shared/domain/settings';
import { loadCatalog, updateSettings } from '../bridge';
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

  if (!settings) {
    return (
      <section aria-labelledby="settings-title">
        <h1 id="settings-title">Settings</h1>
        <p className="muted">Loading settings…</p>
      </section>
    );
  }

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

      {info?.host === 'desktop' ? (
        <>
          <fieldset>
            <legend>Notifications</legend>
            <ToggleSetting settings={settings} name="notifications" label="Notify me when jobs finish or fail, streams go live and recordings stop" />
            <ToggleSetting settings={settings} name="doNotDisturb" label="Do not disturb (keep notifications quiet for now)" disabled={!settings.notifications} />
          </fieldset>
          <fieldset>
            <legend>Desktop</legend>
            <ToggleSetting settings={settings} name="closeToTray" label="Keep Haven running in the tray when its window is closed" />
            <ToggleSetting settings={settings} name="startMinimized" label="Start minimised to the tray" />
            <ToggleSetting settings={settings} name="launchAtLogin" label="Launch Haven when I log in" />
            <UpdateFeedSetting value={settings.updateFeedUrl} />
          </fieldset>
        </>
      ) : (
        <fieldset>
          <legend>Notifications</legend>
          <NotificationSetting />
        </fieldset>
      )}

      <fieldset>
        <legend>Plugin folders</legend>
        <p className="muted">
          Haven looks for plugins in its own folder{info ? ` (${info.home}/plugins)` : ''}, among its built-in plugins,
          and in these folders:
        </p>
        <StringListSetting
          values={settings.pluginDirs}
          empty="No extra folders."
          label="Folder to add"
          placeholder="/path/to/plugins"
          addLabel="Add folder"
          onSave={(pluginDirs) => updateSettings({ pluginDirs })}
        />
      </fieldset>

      <fieldset>
        <legend>Plugin catalogs</legend>
        <p className="muted">Catalogs list plugins you can install (Plugins → Available). Haven's own catalog of example plugins is always there; add the address of a catalog index (a JSON file) or a path to one.</p>
        <StringListSetting
          values={settings.catalogs}
          empty="No other catalogs."
          label="Catalog to add"
          placeholder="https://example.com/haven-catalog.json"
          addLabel="Add catalog"
          onSave={async (catalogs) => {
            const saved = await updateSettings({ catalogs });
            if (saved) void loadCatalog();
            return saved;
          }}
        />
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

type ToggleName = 'notifications' | 'doNotDisturb' | 'closeToTray' | 'startMinimized' | 'launchAtLogin';

function ToggleSetting({ settings, name, label, disabled }: { settings: AppSettings; name: ToggleName; label: string; disabled?: boolean }) {
  return (
    <label className="checkbox">
      <input type="checkbox" checked={settings[name]} disabled={disabled} onChange={(event) => void updateSettings({ [name]: event.target.checked })} />
      {label}
    </label>
  );
}

/** The release feed electron-updater reads; empty means Haven never checks for updates. */
function UpdateFeedSetting({ value }: { value: string }) {
  const [draft, setDraft] = useState(value);
  const [lastValue, setLastValue] = useState(value);
  if (value !== lastValue) {
    setLastValue(value);
    setDraft(value);
  }
  const trimmed = draft.trim();
  const invalid = trimmed !== '' && !/^https:\/\/\S+$/i.test(trimmed);
  return (
    <label className="field">
      <span>Update feed (empty: never check for updates)</span>
      <input
        type="url"
        placeholder="https://example.com/haven/releases/"
        value={draft}
        aria-invalid={invalid}
        onChange={(event) => setDraft(event.target.value)}
        onBlur={() => {
          if (!invalid && trimmed !== value) void updateSettings({ updateFeedUrl: trimmed });
        }}
      />
      {invalid && <span className="error-text">An https address of a folder with electron-builder's latest.yml files.</span>}
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

function StringListSetting({
  values,
  empty,
  label,
  placeholder,
  addLabel,
  onSave,
}: {
  values: string[];
  empty: string;
  label: string;
  placeholder: string;
  addLabel: string;
  onSave: (values: string[]) => Promise<boolean>;
}) {
  const [draft, setDraft] = useState('');
  const add = async (): Promise<void> => {
    const value = draft.trim();
    if (!value || values.includes(value)) return;
    if (await onSave([...values, value])) setDraft('');
  };
  return (
    <>
      {values.length === 0 ? (
        <p className="muted">{empty}</p>
      ) : (
        <ul className="plain-list">
          {values.map((value) => (
            <li key={value}>
              <code>{value}</code>
              <button type="button" className="link" onClick={() => void onSave(values.filter((v) => v !== value))}>
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
          void add();
        }}
      >
        <input aria-label={label} placeholder={placeholder} value={draft} onChange={(event) => setDraft(event.target.value)} />
        <button type="submit" disabled={!draft.trim()}>
          {addLabel}
        </button>
      </form>
    </>
  );
}
