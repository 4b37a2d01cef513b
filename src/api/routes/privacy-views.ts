import type { ErasureRequest } from '../../privacy/erasure-request.js';
import { privacyModeOf } from '../../privacy/privacy-settings.js';
import type { RetentionNotice, WorkspaceSettings } from '../../privacy/workspace-settings-service.js';

const iso = (ms: number) => new Date(ms).toISOString();

export function workspaceSettingsView({ workspace, privacy }: WorkspaceSettings) {
  const options = privacy.privacy;
  return {
    workspace_id: workspace.workspaceId,
    uniqueness_rule: workspace.uniquenessRule,
    timezone: workspace.timezone,
    retention: {
      raw_clicks_days: privacy.retention.rawClickDays,
      events_days: privacy.retention.eventDays,
      rollups_days: privacy.retention.rollupDays,
    },
    privacy: {
      ip_hash: options.ipHash,
      ip_prefix: options.ipPrefix,
      country: options.country,
      asn: options.asn,
      referrer: options.referrer,
      language: options.language,
      user_agent: options.userAgent,
    },
    privacy_mode: privacyModeOf(options),
  };
}

export function retentionNoticeView(notice: RetentionNotice) {
  return {
    raw_clicks_days: notice.rawClickDays,
    raw_clicks_from: iso(notice.rawClicksFrom),
    range_within_raw_retention: notice.rangeWithinRawRetention,
  };
}

export function erasureReceiptView(request: ErasureRequest) {
  const { selector, counts } = request;
  return {
    erasure_request_id: request.requestId,
    status: request.status,
    selector:
      selector.kind === 'visitor'
        ? { kind: selector.kind, with_user_agent: selector.withUserAgent }
        : selector.kind === 'link'
          ? { kind: selector.kind, link_id: selector.linkId }
          : { kind: selector.kind, occurred_after: iso(selector.from), occurred_before: iso(selector.until) },
    requested_at: iso(request.requestedAt),
    finished_at: request.finishedAt === null ? null : iso(request.finishedAt),
    counts: {
      clicks_erased: counts.clicksErased,
      raw_clicks_erased: counts.rawClicksErased,
      events_purged: counts.eventsPurged,
      delivery_bodies_purged: counts.deliveryBodiesPurged,
      rollup_clicks_subtracted: counts.rollupClicksSubtracted,
      salt_days: counts.saltDays,
    },
    error: request.error,
    href: `/v1/privacy/erasure-requests/${request.requestId}`,
  };
}
