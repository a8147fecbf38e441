import { create } from 'zustand';

export interface Toast {
  id: number;
  title: string;
  body: string;
  tone: 'ok' | 'fail';
}

interface ToastState {
  toasts: Toast[];
  toastAdded: (toast: Omit<Toast, 'id'>) => void;
  toastDismissed: (id: number) => void;
}

let nextId = 1;

export const useToastStore = create<ToastState>()((set) => ({
  toasts: [],
  toastAdded: (toast) => set((state) => ({ toasts: [...state.toasts.slice(-3), { ...toast, id: nextId++ }] })),
  toastDismissed: (id) => set((state) => ({ toasts: state.toasts.filter((t) => t.id !== id) })),
}));
