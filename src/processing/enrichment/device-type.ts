import type { DeviceType } from './enrichment.js';

/**
 * How ua-parser-js 1.x device types map onto ours. The design has no TV or console bucket:
 * smart TVs and consoles count as `desktop` — a large, non-handheld screen, which is what the
 * mobile/desktop split is used to tell apart — and embedded devices (car head units, appliances)
 * as `unknown`.
 */
export const DEVICE_TYPE_BY_PARSER_TYPE: Readonly<Record<string, DeviceType>> = {
  mobile: 'mobile',
  wearable: 'mobile',
  tablet: 'tablet',
  smarttv: 'desktop',
  console: 'desktop',
  embedded: 'unknown',
};

/**
 * Operating systems (lower case, as ua-parser-js names them) that only run on computers, so a user
 * agent naming one and no device is a desktop. ua-parser-js reports no device for desktops.
 */
export const DESKTOP_OPERATING_SYSTEMS: ReadonlySet<string> = new Set([
  'windows',
  'mac os',
  'macos',
  'chromium os',
  'chrome os',
  'linux',
  'ubuntu',
  'kubuntu',
  'xubuntu',
  'lubuntu',
  'debian',
  'fedora',
  'suse',
  'opensuse',
  'gentoo',
  'arch',
  'slackware',
  'mandriva',
  'centos',
  'red hat',
  'redhat',
  'mint',
  'mageia',
  'vectorlinux',
  'pclinuxos',
  'zenwalk',
  'linpus',
  'raspbian',
  'deepin',
  'manjaro',
  'elementary os',
  'sabayon',
  'linspire',
  'gnu',
  'hurd',
  'freebsd',
  'netbsd',
  'openbsd',
  'pc-bsd',
  'ghostbsd',
  'dragonfly',
  'solaris',
  'opensolaris',
  'haiku',
  'unix',
  'aix',
  'beos',
  'os/2',
  'amigaos',
  'morphos',
  'hp-ux',
  'serenityos',
]);

/**
 * The device type of a (non-bot) client from what ua-parser-js found: its device type when it has
 * one; otherwise `desktop` for a desktop operating system, and for Android — whose tablets leave
 * the `Mobile` token out of the user agent — `mobile` or `tablet` by that token.
 */
export function deviceTypeFrom(
  parserType: string | undefined,
  osName: string | undefined,
  userAgent: string,
): DeviceType {
  if (parserType !== undefined) return DEVICE_TYPE_BY_PARSER_TYPE[parserType] ?? 'unknown';
  if (osName === undefined) return 'unknown';
  const os = osName.toLowerCase();
  if (DESKTOP_OPERATING_SYSTEMS.has(os)) return 'desktop';
  if (os === 'android') return /\bMobile\b/.test(userAgent) ? 'mobile' : 'tablet';
  return 'unknown';
}
