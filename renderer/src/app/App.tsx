import { useEffect } from 'react';
import { JobsPage } from '../pages/JobsPage';
import { LibraryPage } from '../pages/LibraryPage';
import { PluginDetailPage } from '../pages/PluginDetailPage';
import { PluginsPage } from '../pages/PluginsPage';
import { SettingsPage } from '../pages/SettingsPage';
import { DisconnectedBanner } from './DisconnectedBanner';
import { InstallDialog, useWindowDrop } from './InstallDialog';
import { PAGES, navigate, usePage, useRouteParam } from './routes';
import { Sidebar } from './Sidebar';
import { StatusBar } from './StatusBar';
import { Toasts } from './Toasts';
import { useTheme } from './useTheme';

const PAGE_COMPONENTS = {
  plugins: PluginsPage,
  jobs: JobsPage,
  library: LibraryPage,
  settings: SettingsPage,
} as const;

export function App() {
  const page = usePage();
  const param = useRouteParam();
  useTheme();
  useWindowDrop();

  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      if (!event.altKey || event.ctrlKey || event.metaKey) return;
      const target = PAGES.find((candidate) => candidate.shortcut === event.key);
      if (target) {
        event.preventDefault();
        navigate(target.id);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const Page = PAGE_COMPONENTS[page];
  return (
    <div className="shell">
      <button type="button" className="skip-link" onClick={() => document.getElementById('main')?.focus()}>
        Skip to content
      </button>
      <Sidebar current={page} />
      <main id="main" tabIndex={-1}>
        <DisconnectedBanner />
        {page === 'plugins' && param ? <PluginRoute param={param} /> : <Page />}
      </main>
      <StatusBar />
      <Toasts />
      <InstallDialog />
    </div>
  );
}

/** `#/plugins/youtube/settings/cookies_file`: a plugin's page, a tab, and a field to point at. */
function PluginRoute({ param }: { param: string }) {
  const [pluginId = '', tab, field] = param.split('/');
  return <PluginDetailPage key={pluginId} pluginId={pluginId} {...(tab ? { initialTab: tab } : {})} {...(field ? { focusField: field } : {})} />;
}
