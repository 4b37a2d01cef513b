/**
 * What kind of client produced a click. Everything but `human` is excluded from human click counts.
 *
 * - `human` — a person's browser navigating to the link.
 * - `link_preview` — a chat or social app fetching the link to draw a preview card.
 * - `prefetch` — a browser fetching ahead of the user (speculation rules, `<link rel=prefetch>`,
 *   Safari's top-sites preview) or a HEAD link check.
 * - `security_scanner` — an email or web security product opening the link to inspect it.
 * - `bot` — any other automated client: crawlers, HTTP libraries, headless browsers.
 */
export const TRAFFIC_CLASSES = ['human', 'bot', 'link_preview', 'prefetch', 'security_scanner'] as const;

/** See {@link TRAFFIC_CLASSES}. */
export type TrafficClass = (typeof TRAFFIC_CLASSES)[number];
