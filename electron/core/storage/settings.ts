import Conf from 'conf';
import { AppSettings, type AppSettingsPatch } from '@shared/domain/settings';
import { HavenError } from '@shared/ipc/errors';
import { Emitter, type Disposable } from '@shared/lifecycle';

/** The part of conf / electron-store that Core uses (electron-store is conf under Electron). */
export interface SettingsBackend {
  readonly path: string;
  store: Record<string, unknown>;
}

export function createConfBackend(home: string): SettingsBackend {
  try {
    return new Conf<Record<string, unknown>>({ cwd: home, configName: 'settings', projectName: 'haven', clearInvalidConfig: false });
  } catch (error) {
    throw new HavenError(
      'CONFLICT',
      `settings: ${home}/settings.json cannot be read (${(error as Error).message}). Fix the file or move it away.`,
    );
  }
}

export interface SettingsLogger {
  warn(message: string, fields?: Record<string, unknown>): void;
}

/** App preferences, validated with zod on every read and write. */
export class SettingsService implements Disposable {
  private readonly changed = new Emitter<AppSettings>();
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly backend: SettingsBackend,
    private readonly logger: SettingsLogger,
  ) {}

  get(): AppSettings {
    let raw: Record<string, unknown>;
    try {
      raw = { ...this.backend.store };
    } catch (error) {
      throw new HavenError('CONFLICT', `settings: ${this.backend.path} cannot be read (${(error as Error).message})`);
    }
    const parsed = AppSettings.safeParse(raw);
    if (parsed.success) return parsed.data;
    // A hand-edited bad value falls back to its default; the rest of the file still counts.
    const badKeys = new Set(parsed.error.issues.map((issue) => String(issue.path[0])));
    this.logger.warn('settings: ignoring invalid values', { file: this.backend.path, keys: [...badKeys] });
    return AppSettings.parse(Object.fromEntries(Object.entries(raw).filter(([key]) => !badKeys.has(key))));
  }

  update(patch: AppSettingsPatch): AppSettings {
    const next = AppSettings.parse({ ...this.get(), ...patch });
    this.backend.store = next;
    this.changed.fire(next);
    return next;
  }

  dispose(): void {
    this.changed.dispose();
  }
}
