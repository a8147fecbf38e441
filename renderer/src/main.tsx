import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App';
import { installFromPath } from './app/dropInstall';
import { startBridge } from './bridge';
import { pickConnector } from './ipc/connectors';
import './styles/app.css';

startBridge(pickConnector());
window.havenDesktop?.onOpenPackage?.((path) => void installFromPath(path));

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}
