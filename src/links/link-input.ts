import type { RedirectType } from './link.js';

/** Limits shared by the API schema and the service's own checks. */
export const LINK_LIMITS = {
  maxTags: 20,
  maxTagLength: 64,
  maxLabelLength: 128,
} as const;

/** What a caller may set when creating a link; omitted fields take their defaults. */
export interface NewLinkInput {
  readonly alias?: string;
  readonly destinationUrl: string;
  readonly domainId?: string | null;
  readonly redirectType?: RedirectType;
  readonly campaignId?: string | null;
  readonly channel?: string | null;
  readonly tags?: readonly string[];
  readonly expiresAt?: number | null;
  readonly disabled?: boolean;
  readonly forwardQuery?: boolean;
  readonly fallbackUrl?: string | null;
}

/** A partial update: present fields replace, `null` clears a nullable field. */
export type LinkPatch = Partial<NewLinkInput>;
