/**
 * User-agent tokens of email and web security products that open links to inspect them
 * ("Safe Links"-style time-of-click and delivery-time scanning).
 *
 * Most of these products disguise themselves as a browser, so a user agent match is the rare easy
 * case; the disguised ones are caught by the network and header heuristics in `classifyClick`.
 * Tokens are vendor and product names that never appear in a consumer browser's user agent.
 * Sources: vendor documentation and the user agents email-marketing platforms report filtering
 * (e.g. "Barracuda Sentinel (EE)").
 */
export interface SecurityScannerAgent {
  /** The vendor, for people reading the list. */
  readonly vendor: string;
  readonly pattern: RegExp;
}

/** Known self-identifying security scanners. */
export const SECURITY_SCANNER_AGENTS: readonly SecurityScannerAgent[] = [
  { vendor: 'Microsoft Defender for Office 365 (Safe Links)', pattern: /SafeLinks|Defender for Office/i },
  { vendor: 'Proofpoint', pattern: /proofpoint/i },
  { vendor: 'Mimecast', pattern: /mimecast/i },
  { vendor: 'Barracuda', pattern: /barracuda/i },
  { vendor: 'Symantec / Broadcom', pattern: /symantec|broadcom|messagelabs/i },
  { vendor: 'Cisco Secure Email (IronPort)', pattern: /ironport|Cisco ?Secure ?Email/i },
  { vendor: 'Trend Micro', pattern: /trend ?micro/i },
  { vendor: 'Sophos', pattern: /sophos/i },
  { vendor: 'FireEye / Trellix', pattern: /fireeye|trellix/i },
  { vendor: 'Zscaler', pattern: /zscaler/i },
  { vendor: 'Forcepoint', pattern: /forcepoint|websense/i },
  { vendor: 'Fortinet', pattern: /fortinet|fortiguard|fortimail/i },
  { vendor: 'Palo Alto Networks', pattern: /palo ?alto ?networks/i },
  { vendor: 'Check Point / Avanan', pattern: /check ?point|avanan/i },
  { vendor: 'Vade', pattern: /vade ?secure|vaderetro/i },
  { vendor: 'Hornetsecurity', pattern: /hornet ?security/i },
  { vendor: 'Libraesva', pattern: /libraesva/i },
  { vendor: 'Cloudmark', pattern: /cloudmark/i },
  { vendor: 'Bitdefender', pattern: /bitdefender/i },
  { vendor: 'Kaspersky', pattern: /kaspersky/i },
  { vendor: 'VirusTotal / urlscan.io', pattern: /virustotal|urlscan/i },
];

/** Whether `userAgent` names a security scanner. */
export function isSecurityScannerAgent(userAgent: string): boolean {
  for (const agent of SECURITY_SCANNER_AGENTS) {
    if (agent.pattern.test(userAgent)) return true;
  }
  return false;
}
