import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App';
import { startBridge } from './bridge';
import { pickConnector } from './ipc/connectors';
import './styles/app.css';

startBridge(pickConnector());

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}
