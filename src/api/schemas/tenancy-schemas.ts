import { Type } from '@sinclair/typebox';
import { HOSTNAME_PATTERN } from '../../domains/domain.js';
import { idPattern } from '../../kernel/ids.js';
import { UNIQUENESS_RULES } from '../../processing/uniqueness/uniqueness-rule.js';
import { SCOPES } from '../../tenancy/scopes.js';

const Name = Type.String({ minLength: 1, maxLength: 128 });
const ScopeName = Type.Union(
  SCOPES.map((scope) => Type.Literal(scope)),
  { description: '`admin` includes every other scope.' },
);

export const ApiKeySchema = Type.Object(
  {
    key_id: Type.String(),
    workspace_id: Type.String(),
    name: Type.String(),
    scopes: Type.Array(Type.String()),
    key_hint: Type.String({ description: 'Last four characters of the key.' }),
    created_at: Type.String(),
    last_used_at: Type.Union([Type.String(), Type.Null()]),
  },
  { $id: 'ApiKey', title: 'ApiKey' },
);

export const CreatedApiKeySchema = Type.Object(
  {
    ...ApiKeySchema.properties,
    key: Type.String({ description: 'The key itself. Shown this once; only its hash is stored.' }),
  },
  { $id: 'CreatedApiKey', title: 'CreatedApiKey' },
);

export const CreateApiKeyBody = Type.Object(
  { name: Name, scopes: Type.Array(ScopeName, { minItems: 1, maxItems: SCOPES.length, uniqueItems: true }) },
  { additionalProperties: false },
);

export const ApiKeyIdParams = Type.Object({ key_id: Type.String({ pattern: idPattern('apiKey') }) });

export const WorkspaceSchema = Type.Object(
  {
    workspace_id: Type.String(),
    name: Type.String(),
    created_at: Type.String(),
    uniqueness_rule: Type.String({ description: '`link_visitor_24h` (default) or `link_visitor_day`.' }),
    timezone: Type.String({ description: 'IANA zone of calendar days (uniqueness, daily analytics).' }),
  },
  { $id: 'Workspace', title: 'Workspace' },
);

export const WorkspaceSettingsBody = Type.Object(
  {
    uniqueness_rule: Type.Optional(
      Type.Union(
        UNIQUENESS_RULES.map((rule) => Type.Literal(rule)),
        { description: 'How `is_unique` is decided for new clicks.' },
      ),
    ),
    timezone: Type.Optional(
      Type.String({ minLength: 1, maxLength: 64, description: 'IANA time zone, e.g. Europe/Berlin.' }),
    ),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const CreateWorkspaceBody = Type.Object({ name: Name }, { additionalProperties: false });

export const DomainSchema = Type.Object(
  {
    domain_id: Type.String(),
    workspace_id: Type.String(),
    hostname: Type.String(),
    created_at: Type.String(),
  },
  { $id: 'Domain', title: 'Domain' },
);

export const CreateDomainBody = Type.Object(
  {
    hostname: Type.String({ pattern: HOSTNAME_PATTERN, maxLength: 253, description: 'Lower-case hostname.' }),
  },
  { additionalProperties: false },
);

export const DomainIdParams = Type.Object({ domain_id: Type.String({ pattern: idPattern('domain') }) });
