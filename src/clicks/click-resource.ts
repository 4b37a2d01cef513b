import { clickPayload } from '../processing/click-payload.js';
import type { ProcessedClick } from '../processing/processed-click.js';

/**
 * A click as the API returns it: exactly the `data.click` of its events, plus the ids that place
 * it (workspace, link, campaign) — which the events carry in `workspace_id` and `data.link`.
 */
export function clickResource(click: ProcessedClick) {
  const { click_id, ...payload } = clickPayload(click);
  return {
    click_id,
    workspace_id: click.workspaceId,
    link_id: click.linkId,
    campaign_id: click.campaignId,
    ...payload,
  };
}

export type ClickResource = ReturnType<typeof clickResource>;
