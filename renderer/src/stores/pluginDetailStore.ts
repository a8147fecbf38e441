import { create } from 'zustand';
import type { PluginConfigView, PluginDetail, PluginHealthReport, PluginLogRecord, PluginTestReport } from '@shared/domain/plugins';
import type { JobSummary } from '@shared/domain/jobs';
import type { ViewRow } from '@shared/sdk/types';

export type TestKind = 'health' | 'discover' | 'archive';

interface PluginDetailState {
  name?: string;
  info?: PluginDetail;
  config?: PluginConfigView;
  readme?: string | null;
  icon?: string | null;
  logs: PluginLogRecord[];
  jobs: JobSummary[];
  error?: string;
  /** A test that is running, and the last result of each kind. */
  testing?: TestKind;
  results: Partial<Record<TestKind, { ok: boolean; report?: PluginTestReport; health?: PluginHealthReport; message?: string }>>;
  /** The action running now, and the last result of each. */
  runningAction?: string;
  actionResults: Record<string, { ok: boolean; message: string }>;
  /** Each open view's last rows (or why they could not be read), by view id. */
  viewRows: Record<string, { rows: ViewRow[]; error?: string }>;
  /** The row action running now (`action:row`), and the last answer of each view. */
  runningRowAction?: string;
  rowActionResults: Record<string, { ok: boolean; message: string }>;
  pluginOpened: (name: string) => void;
  infoReceived: (info: PluginDetail) => void;
  configReceived: (config: PluginConfigView) => void;
  readmeReceived: (readme: string | null, icon: string | null) => void;
  logsReceived: (records: PluginLogRecord[]) => void;
  logRecordReceived: (record: PluginLogRecord) => void;
  jobsReceived: (jobs: JobSummary[]) => void;
  detailFailed: (message: string | undefined) => void;
  testStarted: (kind: TestKind) => void;
  testFinished: (kind: TestKind, result: PluginDetailState['results'][TestKind]) => void;
  actionStarted: (id: string) => void;
  actionFinished: (id: string, result: { ok: boolean; message: string }) => void;
  viewRowsReceived: (view: string, rows: ViewRow[]) => void;
  viewRowsFailed: (view: string, message: string) => void;
  rowActionStarted: (key: string) => void;
  rowActionFinished: (view: string, result: { ok: boolean; message: string }) => void;
}

const MAX_LOG = 1000;

export const usePluginDetailStore = create<PluginDetailState>()((set) => ({
  logs: [],
  jobs: [],
  results: {},
  actionResults: {},
  viewRows: {},
  rowActionResults: {},
  pluginOpened: (name) =>
    set({ name, info: undefined, config: undefined, readme: undefined, icon: undefined, logs: [], jobs: [], error: undefined, results: {}, testing: undefined, runningAction: undefined, actionResults: {}, viewRows: {}, runningRowAction: undefined, rowActionResults: {} }),
  infoReceived: (info) => set({ info }),
  configReceived: (config) => set({ config }),
  readmeReceived: (readme, icon) => set({ readme, icon }),
  logsReceived: (logs) => set({ logs }),
  logRecordReceived: (record) => set((state) => ({ logs: [...state.logs.slice(-(MAX_LOG - 1)), record] })),
  jobsReceived: (jobs) => set({ jobs }),
  detailFailed: (error) => set({ error }),
  testStarted: (testing) => set({ testing }),
  testFinished: (kind, result) => set((state) => ({ testing: undefined, results: { ...state.results, [kind]: result } })),
  actionStarted: (runningAction) => set({ runningAction }),
  actionFinished: (id, result) => set((state) => ({ runningAction: undefined, actionResults: { ...state.actionResults, [id]: result } })),
  viewRowsReceived: (view, rows) =>
    set((state) => {
      const previous = state.viewRows[view];
      // Polling: an unchanged answer changes nothing, so nothing re-renders.
      if (previous && !previous.error && JSON.stringify(previous.rows) === JSON.stringify(rows)) return state;
      return { viewRows: { ...state.viewRows, [view]: { rows } } };
    }),
  viewRowsFailed: (view, error) => set((state) => ({ viewRows: { ...state.viewRows, [view]: { rows: state.viewRows[view]?.rows ?? [], error } } })),
  rowActionStarted: (runningRowAction) => set({ runningRowAction }),
  rowActionFinished: (view, result) => set((state) => ({ runningRowAction: undefined, rowActionResults: { ...state.rowActionResults, [view]: result } })),
}));
