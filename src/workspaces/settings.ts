// A workspace's own settings (SPEC §14): how long its rows are kept. Only an ADMIN changes them.
import { type Principal, assertCan } from '../auth/principal.ts';
import { minimumRetentionDays } from '../platform/config.ts';
import type { Config } from '../platform/config.ts';
import { badInput, notFound } from '../platform/errors.ts';
import type { Services } from '../platform/services.ts';
import type { WorkspaceRecord } from './workspaces.ts';

export const MAX_RETENTION_DAYS = 3650;

/**
 * Days a workspace's rows are kept: its own setting, else RETENTION_DAYS; never less than the
 * replay window, whose answers name the first request's delivery and session (a setting saved
 * under a shorter window than the current one is raised to it).
 */
export function effectiveRetentionDays(config: Pick<Config, 'retentionDays' | 'replayWindowHours'>, override: number | null): number {
  return Math.max(override ?? config.retentionDays, minimumRetentionDays(config.replayWindowHours));
}

export interface WorkspaceSettingsInput {
  /** Absent: unchanged; null: back to RETENTION_DAYS. */
  retentionDays?: number | null;
}

export async function updateWorkspaceSettings(services: Pick<Services, 'db' | 'config'>, principal: Principal | undefined, input: WorkspaceSettingsInput): Promise<WorkspaceRecord> {
  const { workspaceId } = assertCan(principal, 'manage');
  const days = input.retentionDays;
  if (days !== undefined && days !== null) {
    const min = minimumRetentionDays(services.config.replayWindowHours);
    if (!Number.isInteger(days) || days < min || days > MAX_RETENTION_DAYS) {
      throw badInput('retentionDays', `must be a whole number of days from ${min} (the replay window, REPLAY_WINDOW_HOURS=${services.config.replayWindowHours}) to ${MAX_RETENTION_DAYS}, or null for the gateway's default (${services.config.retentionDays})`);
    }
  }
  if (days === undefined) {
    const workspace = await services.db.workspace.findUnique({ where: { id: workspaceId } });
    if (!workspace) throw notFound('workspace', workspaceId);
    return workspace;
  }
  return services.db.workspace.update({ where: { id: workspaceId }, data: { retentionDays: days } });
}
