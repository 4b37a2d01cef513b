import type { ProcessedClick } from '../processing/processed-click.js';
import type { ClickFilter } from './click-filter.js';

/**
 * Whether a click passes a filter, decided in memory the way the click store decides it in SQL —
 * for streams, which read a workspace's new clicks once and hand each reader the ones it asked for.
 * `tag` needs the links' current tags, which a click does not carry: a filter with one never
 * reaches here (the stream does not take `tag`).
 */
export function matchesClickFilter(filter: ClickFilter, click: ProcessedClick): boolean {
  if (filter.tag !== null) throw new Error('a tag filter cannot be decided from the click alone');
  return (
    (filter.linkId === null || click.linkId === filter.linkId) &&
    (filter.campaignId === null || click.campaignId === filter.campaignId) &&
    (filter.occurredFrom === null || click.occurredAt >= filter.occurredFrom) &&
    (filter.occurredUntil === null || click.occurredAt < filter.occurredUntil) &&
    (filter.country === null || click.country === filter.country) &&
    (filter.deviceType === null || click.deviceType === filter.deviceType) &&
    (filter.referrerCategory === null || click.referrerCategory === filter.referrerCategory) &&
    (filter.trafficClass === null || click.trafficClass === filter.trafficClass) &&
    (filter.isUnique === null || click.isUnique === filter.isUnique) &&
    (filter.isSuspicious === null || click.isSuspicious === filter.isSuspicious) &&
    (filter.simulated === null || click.simulated === filter.simulated)
  );
}
