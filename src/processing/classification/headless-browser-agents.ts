/**
 * Tokens of headless and scripted browsers. Their user agents otherwise look like a browser, and
 * they are the usual tool of click fraud, so they count as evasive (fraud reason `headless_browser`)
 * even though the token gives them away.
 */
export const HEADLESS_BROWSER_PATTERN: RegExp =
  /Headless|PhantomJS|SlimerJS|HtmlUnit|Puppeteer|Playwright|Selenium|WebDriver|Cypress\/|jsdom\/|Nightmare\//i;

/** Whether `userAgent` names a headless or scripted browser. */
export function isHeadlessBrowserAgent(userAgent: string): boolean {
  return HEADLESS_BROWSER_PATTERN.test(userAgent);
}
