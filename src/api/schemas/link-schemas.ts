import { Type } from '@sinclair/typebox';
import { idPattern } from '../../kernel/ids.js';
import { ALIAS_PATTERN } from '../../links/alias.js';
import { DESTINATION_MAX_BYTES } from '../../links/destination-url.js';
import { REDIRECT_TYPES } from '../../links/link.js';
import { LINK_LIMITS } from '../../links/link-input.js';
import { Nullable, Timestamp } from './common.js';

const Alias = Type.String({
  pattern: ALIAS_PATTERN,
  description: 'Slug of the short URL: 1–64 of A–Z a–z 0–9 _ -',
});
// The byte limit is enforced on the normalised URL by the service (422 unsafe-destination, whichever way
// the text is too long); the schema only bounds the raw text, loosely enough not to pre-empt that answer.
const Url = Type.String({
  minLength: 1,
  maxLength: 4 * DESTINATION_MAX_BYTES,
  description: `Absolute http(s) URL, at most ${DESTINATION_MAX_BYTES} bytes once normalised.`,
});
const RedirectType = Type.Union(
  REDIRECT_TYPES.map((status) => Type.Literal(status)),
  { description: 'HTTP status of the redirect; 302 by default.' },
);
const Label = Type.String({ minLength: 1, maxLength: LINK_LIMITS.maxLabelLength });
const Tags = Type.Array(Type.String({ minLength: 1, maxLength: LINK_LIMITS.maxTagLength }), {
  maxItems: LINK_LIMITS.maxTags,
});

export const LinkIdParams = Type.Object({ link_id: Type.String({ pattern: idPattern('link') }) });

export const LinkSchema = Type.Object(
  {
    link_id: Type.String(),
    workspace_id: Type.String(),
    alias: Type.String(),
    domain_id: Nullable(Type.String()),
    short_url: Type.String(),
    destination_url: Type.String(),
    redirect_type: Type.Integer(),
    campaign_id: Nullable(Type.String()),
    channel: Nullable(Type.String()),
    tags: Type.Array(Type.String()),
    expires_at: Nullable(Type.String()),
    disabled: Type.Boolean(),
    forward_query: Type.Boolean(),
    fallback_url: Nullable(Type.String()),
    created_at: Type.String(),
    updated_at: Type.String(),
  },
  { $id: 'Link', title: 'Link' },
);

const editableFields = {
  alias: Alias,
  destination_url: Url,
  domain_id: Nullable(Type.String({ pattern: idPattern('domain') })),
  redirect_type: RedirectType,
  campaign_id: Nullable(Label),
  channel: Nullable(Label),
  tags: Tags,
  expires_at: Nullable(Timestamp),
  disabled: Type.Boolean(),
  forward_query: Type.Boolean(),
  fallback_url: Nullable(Url),
};

export const CreateLinkBody = Type.Object(
  {
    destination_url: Url,
    alias: Type.Optional(Alias),
    domain_id: Type.Optional(editableFields.domain_id),
    redirect_type: Type.Optional(RedirectType),
    campaign_id: Type.Optional(editableFields.campaign_id),
    channel: Type.Optional(editableFields.channel),
    tags: Type.Optional(Tags),
    expires_at: Type.Optional(editableFields.expires_at),
    disabled: Type.Optional(Type.Boolean()),
    forward_query: Type.Optional(Type.Boolean()),
    fallback_url: Type.Optional(editableFields.fallback_url),
  },
  { additionalProperties: false },
);

export const PatchLinkBody = Type.Partial(Type.Object(editableFields), {
  additionalProperties: false,
  minProperties: 1,
});
