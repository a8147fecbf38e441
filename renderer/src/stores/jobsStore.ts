import { create } from 'zustand';
import type { JobCounts, JobDetail, JobState, JobSummary } from '@shared/domain/jobs';
import type { ProgressUpdate } from '@shared/sdk/types';

export type JobTab = 'active' | 'failed' | 'completed' | 'skipped' | 'cancelled' | 'all';

export const TAB_STATES: Record<JobTab, JobState[] | undefined> = {
  active: ['running', 'queued', 'paused'],
  failed: ['failed'],
  completed: ['completed'],
  skipped: ['skipped'],
  cancelled: ['cancelled'],
  all: undefined,
};

function inTab(tab: JobTab, job: JobSummary): boolean {
  const states = TAB_STATES[tab];
  return !states || states.includes(job.state);
}

interface JobsState {
  tab: JobTab;
  /** The current tab's jobs, in order. */
  ids: string[];
  byId: Record<string, JobSummary>;
  total: number;
  loaded: boolean;
  counts?: JobCounts;
  /** Live progress per running job (kept apart so a progress tick re-renders one row). */
  progress: Record<string, ProgressUpdate>;
  selectedId?: string;
  detail?: JobDetail;
  actionError?: string;
  tabSelected: (tab: JobTab) => void;
  jobsLoaded: (jobs: JobSummary[], total: number, append: boolean) => void;
  jobUpdated: (job: JobSummary) => void;
  jobProgressReceived: (jobId: string, progress: ProgressUpdate) => void;
  countsReceived: (counts: JobCounts) => void;
  jobSelected: (id: string | undefined) => void;
  detailReceived: (detail: JobDetail) => void;
  actionFailed: (message: string | undefined) => void;
}

export const useJobsStore = create<JobsState>()((set) => ({
  tab: 'active',
  ids: [],
  byId: {},
  total: 0,
  loaded: false,
  progress: {},
  tabSelected: (tab) => set({ tab, ids: [], byId: {}, total: 0, loaded: false }),
  jobsLoaded: (jobs, total, append) =>
    set((state) => {
      const byId = append ? { ...state.byId } : {};
      const ids: string[] = append ? [...state.ids] : [];
      for (const job of jobs) {
        // An event that arrived while this page was loading is newer than the page.
        const known = state.byId[job.id];
        const latest = known && known.updatedAt > job.updatedAt ? known : job;
        byId[job.id] = latest;
        if (inTab(state.tab, latest) && !ids.includes(job.id)) ids.push(job.id);
      }
      return { byId, ids, total, loaded: true };
    }),
  jobUpdated: (job) =>
    set((state) => {
      const byId = { ...state.byId, [job.id]: job };
      const listed = state.ids.includes(job.id);
      const belongs = inTab(state.tab, job);
      let { ids, total } = state;
      if (belongs && !listed && state.loaded) {
        // Running jobs go on top; others are added at the end only when the end is loaded, so
        // "Show more" does not skip anything.
        if (job.state === 'running') ids = [job.id, ...ids];
        else if (ids.length >= state.total) ids = [...ids, job.id];
        total++;
      } else if (!belongs && listed) {
        ids = ids.filter((id) => id !== job.id);
        total = Math.max(0, total - 1);
      }
      const progress = job.state === 'running' ? state.progress : omit(state.progress, job.id);
      const detail = state.detail?.id === job.id ? { ...state.detail, ...job } : state.detail;
      return { byId, ids, total, progress, detail };
    }),
  jobProgressReceived: (jobId, progress) => set((state) => ({ progress: { ...state.progress, [jobId]: progress } })),
  countsReceived: (counts) => set({ counts }),
  jobSelected: (id) => set({ selectedId: id, detail: undefined }),
  detailReceived: (detail) => set((state) => (state.selectedId === detail.id ? { detail } : {})),
  actionFailed: (message) => set({ actionError: message }),
}));

function omit<T>(record: Record<string, T>, key: string): Record<string, T> {
  if (!(key in record)) return record;
  const { [key]: _removed, ...rest } = record;
  return rest;
}
