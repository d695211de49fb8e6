// Schedule -> drive items stuck past RECONCILE_STUCK_AFTER_SECONDS on (re-query the service, re-emit events).
import type { ScheduledEvent } from 'aws-lambda';
import { configOf, RECONCILE_STUCK_AFTER_SECONDS, VOD_PUBLISH_POLICY } from '#lib/config';
import { eventHandler, logger } from '#lib/http';
import { reconcile, reconcileDeps, type ReconcileReport } from '#lib/pipeline';

const cfg = configOf([RECONCILE_STUCK_AFTER_SECONDS, VOD_PUBLISH_POLICY]);
const deps = reconcileDeps();

export const handler = eventHandler(async (event: ScheduledEvent): Promise<ReconcileReport> => {
  // the scheduled time, not the wall clock, so a delayed or retried run judges the same items
  const now = event.time ? new Date(event.time) : new Date();
  const report = await reconcile(deps, { now: Number.isNaN(now.getTime()) ? new Date() : now, stuckAfterSeconds: cfg.reconcileStuckAfterSeconds, policy: cfg.publishPolicy });
  logger.info('reconcile done', { examined: report.examined, actions: report.actions, errors: report.errors.length });
  if (report.errors.length > 0) throw new Error(`reconcile: ${report.errors.length} item(s) failed: ${report.errors.map((e) => e.itemId).join(', ')}`);
  return report;
});
