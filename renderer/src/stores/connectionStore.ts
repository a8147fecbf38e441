import { create } from 'zustand';
import type { AppInfo } from '@shared/ipc/contract';

export type ConnectionStatus = 'connecting' | 'connected' | 'disconnected';

interface ConnectionState {
  status: ConnectionStatus;
  transport?: 'electron' | 'websocket';
  info?: AppInfo;
  /** Why the connection is down, and what to do about it. */
  problem?: string;
  retryAt?: number;
  connectionAttempted: (transport: 'electron' | 'websocket') => void;
  connectionOpened: (info: AppInfo) => void;
  connectionLost: (problem: string, retryAt: number) => void;
}

export const useConnectionStore = create<ConnectionState>()((set) => ({
  status: 'connecting',
  connectionAttempted: (transport) => set({ status: 'connecting', transport }),
  connectionOpened: (info) => set({ status: 'connected', info, problem: undefined, retryAt: undefined }),
  connectionLost: (problem, retryAt) => set({ status: 'disconnected', problem, retryAt }),
}));
