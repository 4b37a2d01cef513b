/**
 * Hosting and cloud networks. A click from one of these comes from a server — a scanner, a
 * scraper, a VPN exit — rather than from a person's access network. On its own that is only a
 * hint (people do browse through VPNs), so it weighs on the score and makes a click suspicious;
 * together with a disguised browser it marks a security scanner.
 *
 * Provenance: autonomous system numbers of well-known public clouds and hosting companies,
 * chosen by hand and checked (2026-11) against the organisation names in the
 * `@ip-location-db/asn` dataset the edge uses, whose names are quoted in the comments.
 *
 * Deliberately NOT listed, because people's own browsing egresses through them:
 * - 13335 Cloudflare (WARP, and one of the iCloud Private Relay egress operators),
 * - 36183 Akamai and 54113 Fastly (iCloud Private Relay egress), 20940 Akamai (CDN),
 * - 62044 Zscaler and 55256 Netskope (corporate secure web gateways proxying employees' browsing).
 *
 * Known compromise: 8075 (Microsoft) and 15169 (Google) also carry those companies' own offices,
 * so their employees' clicks look suspicious — acceptable, since Safe Links and Google's scanners
 * sit in exactly those networks.
 */
export const DATACENTER_ASNS: ReadonlyMap<number, string> = new Map([
  [16509, 'Amazon.com (AWS)'],
  [14618, 'Amazon.com (AWS)'],
  [7224, 'Amazon.com (AWS)'],
  [8987, 'Amazon Data Services Ireland Ltd'],
  [15169, 'Google LLC'],
  [19527, 'Google LLC'],
  [396982, 'Google LLC (Google Cloud)'],
  [8075, 'Microsoft Corporation (Azure, Safe Links)'],
  [14061, 'DigitalOcean'],
  [16276, 'OVH SAS'],
  [24940, 'Hetzner Online GmbH'],
  [213230, 'Hetzner Online GmbH'],
  [212317, 'Hetzner Online GmbH'],
  [63949, 'Akamai Technologies (Linode)'],
  [31898, 'Oracle Corporation (OCI)'],
  [45102, 'Alibaba (US) Technology Co.'],
  [37963, 'Hangzhou Alibaba Advertising Co. (Aliyun)'],
  [132203, 'Shenzhen Tencent Computer Systems (Tencent Cloud)'],
  [45090, 'Shenzhen Tencent Computer Systems (Tencent Cloud)'],
  [20473, 'The Constant Company (Vultr, formerly Choopa)'],
  [12876, 'Scaleway SAS'],
  [60781, 'LeaseWeb Netherlands B.V.'],
  [16265, 'LeaseWeb Network B.V.'],
  [28753, 'Leaseweb Deutschland GmbH'],
  [30633, 'Leaseweb USA'],
  [51167, 'Contabo GmbH'],
  [8560, 'IONOS SE'],
  [47583, 'Hostinger International Limited'],
  [9009, 'M247 Europe SRL'],
  [36351, 'IBM Cloud (SoftLayer)'],
  [36352, 'HostPapa (ColoCrossing)'],
  [54290, 'HostPapa (Hostwinds)'],
  [40676, 'Psychz Networks'],
  [53667, 'FranTech Solutions (BuyVM)'],
  [63018, 'Dedicated.com'],
  [135377, 'UCLOUD Information Technology (HK)'],
]);

/**
 * Words in an autonomous system's organisation name that mark a hosting company, for the long tail
 * not in {@link DATACENTER_ASNS}. Kept narrow on purpose: no bare "cloud" or "network", which many
 * access providers use.
 */
export const DATACENTER_ORG_PATTERN: RegExp =
  /\b(?:hosting|hoster|data ?cent(?:er|re)s?|colocation|vps|dedicated servers?|server ?farm)\b/i;

/** Whether the client network (`asn`, `asnOrg` as the edge recorded them) is a hosting or cloud network. */
export function isDatacenterNetwork(asn: number | null, asnOrg: string | null): boolean {
  if (asn !== null && DATACENTER_ASNS.has(asn)) return true;
  return asnOrg !== null && DATACENTER_ORG_PATTERN.test(asnOrg);
}
