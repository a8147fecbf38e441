import type { AppSettings } from '@shared/domain/settings';

/**
 * Auto-update through electron-updater: off unless a release feed is configured, and never in
 * an unpackaged (development) app. The feed is a generic provider: a folder of `latest*.yml`
 * files and installers that electron-builder writes.
 */
export interface UpdatePlan {
  feed: { provider: 'generic'; url: string } | undefined;
  /** Hours between checks while Haven runs. */
  intervalHours: number;
}

export function updatePlan(settings: Pick<AppSettings, 'updateFeedUrl'>, packaged: boolean): UpdatePlan {
  const url = settings.updateFeedUrl.trim();
  return { feed: packaged && url ? { provider: 'generic', url } : undefined, intervalHours: 6 };
}
