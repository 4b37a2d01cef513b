import { Ajv, type AnySchema, type Options, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

/**
 * Request validation with two Ajv instances, chosen by the part of the request being checked.
 *
 * - Bodies are JSON: their types are what the client sent, so they are never coerced. `"301"` is not
 *   a redirect type, `["https://…"]` is not a URL, and `null` is not `false`.
 * - Query strings, path parameters and headers arrive as text: they are coerced (`limit=10` is the
 *   integer 10, a repeated parameter becomes an array).
 *
 * Both keep unknown fields (the schema refuses them; a typo silently dropped is a bug), fill in
 * defaults, stop at the first error, know the `ajv-formats` formats (`date-time`, …) and resolve the
 * shared schemas registered with `app.addSchema` (e.g. `Problem`).
 */
const SHARED_OPTIONS = {
  removeAdditional: false,
  useDefaults: true,
  // `true` lets one request make the validator walk every element of a huge array: a DoS vector.
  allErrors: false,
  // Compiling a route schema must not register its `$id` for later compiles (as Fastify's own compiler).
  addUsedSchema: false,
} as const satisfies Options;

export const BODY_AJV_OPTIONS: Options = { ...SHARED_OPTIONS, coerceTypes: false };
export const TEXT_PARTS_AJV_OPTIONS: Options = { ...SHARED_OPTIONS, coerceTypes: 'array' };

interface RouteSchemaDefinition {
  readonly schema: AnySchema;
  readonly httpPart?: string;
}

type Compile = (route: RouteSchemaDefinition) => ValidateFunction;

/**
 * Fastify's `schemaController.compilersFactory.buildValidator`: called per encapsulation context with
 * the shared schemas visible there; returns the compiler for that context's route schemas.
 */
export function buildValidator(externalSchemas: Readonly<Record<string, unknown>>): Compile {
  const body = newAjv(BODY_AJV_OPTIONS, externalSchemas);
  const textParts = newAjv(TEXT_PARTS_AJV_OPTIONS, externalSchemas);
  return ({ schema, httpPart }) => compile(httpPart === 'body' ? body : textParts, schema);
}

function newAjv(options: Options, externalSchemas: Readonly<Record<string, unknown>>): Ajv {
  const ajv = new Ajv(options);
  // ajv-formats is CommonJS: its function is the module itself, also exported as `default`.
  addFormats.default(ajv);
  for (const schema of Object.values(externalSchemas)) ajv.addSchema(schema as AnySchema);
  return ajv;
}

function compile(ajv: Ajv, schema: AnySchema): ValidateFunction {
  // One Ajv instance cannot compile two schemas with the same `$id`: reuse the one it has.
  if (typeof schema === 'object' && typeof schema.$id === 'string') {
    const known = ajv.getSchema(schema.$id);
    if (known) return known as ValidateFunction;
  }
  return ajv.compile(schema);
}
