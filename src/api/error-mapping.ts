import type { FastifyError } from 'fastify';
import { ClickwireError, type FieldError } from '../kernel/errors.js';
import { isRetryableConflict } from '../kernel/store-conflict.js';

/**
 * Turns whatever a route or Fastify threw into a catalogued error. Unknown errors become
 * `CW_ERR_INTERNAL`; the caller logs those with their detail, which never reaches the client.
 */
export function toClickwireError(error: unknown): { error: ClickwireError; internal: boolean } {
  if (error instanceof ClickwireError) return { error: inRequestTerms(error), internal: false };
  const fastifyError = error as Partial<FastifyError> & { validationContext?: string };
  if (fastifyError.validation) {
    const fields: FieldError[] = fastifyError.validation.map((issue) => {
      const missing = issue.keyword === 'required' ? `/${String(issue.params.missingProperty)}` : '';
      const extra =
        issue.keyword === 'additionalProperties' ? `/${String(issue.params.additionalProperty)}` : '';
      const field = `${fastifyError.validationContext ?? 'body'}${issue.instancePath}${missing}${extra}`;
      const message =
        issue.keyword === 'additionalProperties' ? 'is not a known field' : (issue.message ?? 'is invalid');
      return { field, message };
    });
    const detail = fields.map((f) => `${f.field} ${f.message}`).join('; ');
    return { error: new ClickwireError('CW_ERR_VALIDATION', detail, fields), internal: false };
  }
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { error: new ClickwireError('CW_ERR_MALFORMED_JSON', fastifyError.message), internal: false };
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { error: new ClickwireError('CW_ERR_PAYLOAD_TOO_LARGE'), internal: false };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { error: new ClickwireError('CW_ERR_UNSUPPORTED_MEDIA_TYPE'), internal: false };
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
    case 'FST_ERR_BAD_URL':
      return { error: new ClickwireError('CW_ERR_VALIDATION', fastifyError.message), internal: false };
  }
  if (isRetryableConflict(error)) {
    // Lost a lock conflict with concurrent work more often than the store retries: nothing was changed.
    const conflict = new ClickwireError('CW_ERR_UNAVAILABLE', 'The request met concurrent changes; retry it');
    return { error: conflict, internal: false };
  }
  const status = fastifyError.statusCode;
  if (status !== undefined && status >= 400 && status < 500) {
    return { error: new ClickwireError('CW_ERR_VALIDATION', fastifyError.message), internal: false };
  }
  return { error: new ClickwireError('CW_ERR_INTERNAL', 'Something went wrong on our side'), internal: true };
}

/**
 * Field errors name the part of the request they are about: `body/<pointer>`, `querystring/<name>`,
 * `params/<name>`. Services know nothing of HTTP and point into their input with a JSON pointer
 * (`/destination_url`); their input is the request body, so the API reports `body/destination_url`.
 */
function inRequestTerms(error: ClickwireError): ClickwireError {
  if (!error.fieldErrors.some((f) => f.field.startsWith('/'))) return error;
  let detail = error.detail;
  const fields = error.fieldErrors.map((f) => {
    if (!f.field.startsWith('/')) return f;
    const field = `body${f.field}`;
    // `fieldError` words its detail as "<field>: <message>"; keep that in step with the new name.
    if (detail?.startsWith(`${f.field}: `)) detail = field + detail.slice(f.field.length);
    return { field, message: f.message };
  });
  return new ClickwireError(error.code, detail, fields);
}
