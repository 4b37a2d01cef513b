/**
 * User agents of link-preview fetchers: the servers (or, for iMessage, Signal and Viber, the
 * sender's phone) that fetch a link to draw a card when it is pasted into a chat or a post.
 *
 * Patterns match the fetcher's own token, never the app's in-app browser: LINE's browser says
 * `Line/14.x` (its fetcher says `line-poker`), Snapchat's says `Snapchat/12.x` (its fetcher says
 * `Snap URL Preview Service`), Pinterest's says `[Pinterest/iOS]` (its fetcher `Pinterest/0.2`).
 *
 * Sources: each platform's crawler documentation where one exists (Meta, X, Slack, LinkedIn,
 * Pinterest, Snap, Microsoft), and user agents observed in public server logs and bot lists
 * (monperrus/crawler-user-agents, isbot's fixtures) for the rest.
 */
export interface LinkPreviewAgent {
  /** The product, for people reading the list. */
  readonly fetcher: string;
  readonly pattern: RegExp;
}

/** Known link-preview fetchers. Checked before security scanners and generic bots. */
export const LINK_PREVIEW_AGENTS: readonly LinkPreviewAgent[] = [
  // iMessage sends "… Safari/601.2.4 facebookexternalhit/1.1 Facebot Twitterbot/1.0" from the
  // sender's device; LINE sends "facebookexternalhit/1.1;line-poker/1.0". Both land here.
  {
    fetcher: 'Facebook / Instagram / Threads / iMessage / LINE',
    pattern: /facebookexternalhit|\bFacebot\b/i,
  },
  { fetcher: 'X (Twitter)', pattern: /Twitterbot/i },
  { fetcher: 'Slack', pattern: /Slackbot|Slack-ImgProxy/i },
  // Signal also fetches previews as "WhatsApp/2" on purpose, which is what we want.
  { fetcher: 'WhatsApp / Signal', pattern: /WhatsApp/i },
  { fetcher: 'Telegram', pattern: /TelegramBot/i },
  { fetcher: 'Discord', pattern: /Discordbot/i },
  { fetcher: 'LinkedIn', pattern: /LinkedInBot/i },
  { fetcher: 'Skype / Teams', pattern: /SkypeUriPreview/i },
  { fetcher: 'Microsoft Teams / Outlook / Bing previews', pattern: /MicrosoftPreview|BingPreview/i },
  { fetcher: 'LINE', pattern: /line-poker/i },
  { fetcher: 'Mastodon and other http.rb fediverse servers', pattern: /^http\.rb\/|\bMastodon\//i },
  { fetcher: 'Pleroma / Akkoma', pattern: /^(?:Pleroma|Akkoma) \d/i },
  { fetcher: 'Misskey', pattern: /^Misskey\//i },
  { fetcher: 'GoToSocial', pattern: /^gotosocial\//i },
  { fetcher: 'Friendica', pattern: /^Friendica\b/i },
  { fetcher: 'Bluesky', pattern: /Bluesky Cardyb/i },
  { fetcher: 'Matrix (Synapse)', pattern: /^Synapse \(bot;/i },
  { fetcher: 'Mattermost', pattern: /Mattermost-Bot/i },
  { fetcher: 'Pinterest', pattern: /Pinterest(?:bot)?\/\d/i },
  { fetcher: 'Embedly', pattern: /Embedly/i },
  { fetcher: 'Iframely', pattern: /Iframely/i },
  { fetcher: 'Google link snippets', pattern: /Google-PageRenderer/i },
  { fetcher: 'Reddit', pattern: /redditbot/i },
  { fetcher: 'Snapchat', pattern: /Snap URL Preview Service/i },
  // The Viber app fetches previews natively ("Viber/20.9.0.8 CFNetwork/… Darwin/…"); a Viber
  // in-app browser would start with "Mozilla/", so only a leading token counts.
  { fetcher: 'Viber', pattern: /^Viber\/|ViberBot/i },
  { fetcher: 'VK', pattern: /vkShare/i },
  { fetcher: 'KakaoTalk', pattern: /kakaotalk-scrap/i },
];

/** Whether `userAgent` belongs to a link-preview fetcher. */
export function isLinkPreviewAgent(userAgent: string): boolean {
  for (const agent of LINK_PREVIEW_AGENTS) {
    if (agent.pattern.test(userAgent)) return true;
  }
  return false;
}
