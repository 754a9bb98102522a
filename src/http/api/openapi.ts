/** Builds the OpenAPI 3.1 document from the routes declared on the router. */
import { z } from 'zod';
import type { ApiRouter } from './router.ts';
import { API_PREFIX } from './router.ts';

const ERROR_SCHEMA = {
  type: 'object',
  properties: { errors: { type: 'array', items: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } }, required: ['code', 'message'] } } },
  required: ['errors'],
};

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const s = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  delete s.$schema;
  return s;
}

export function buildOpenApi(router: ApiRouter, version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of router.routes) {
    const path = `${API_PREFIX}${r.path}`.replace(/:([A-Za-z_]+)/g, '{$1}');
    const parameters: Record<string, unknown>[] = [];
    for (const [where, schema] of [['path', r.params], ['query', r.query]] as const) {
      if (!schema) continue;
      const js = jsonSchema(schema, 'input') as { properties?: Record<string, Record<string, unknown>>; required?: string[] };
      for (const [name, prop] of Object.entries(js.properties ?? {})) {
        parameters.push({ name, in: where, required: where === 'path' || (js.required ?? []).includes(name), schema: prop, ...(prop.description ? { description: prop.description } : {}) });
      }
    }
    const responses: Record<string, unknown> = {
      [String(r.status)]: r.response
        ? { description: 'success', content: { [r.responseType ?? 'application/json']: { schema: jsonSchema(r.response, 'output') } }, ...(r.paged ? { headers: { 'X-Total-Count': { schema: { type: 'integer' } }, Link: { schema: { type: 'string' } } } } : {}) }
        : { description: 'success' },
      '400': { description: 'invalid request', content: { 'application/json': { schema: ERROR_SCHEMA } } },
    };
    if (r.auth !== 'none') {
      responses['401'] = { description: 'not signed in', content: { 'application/json': { schema: ERROR_SCHEMA } } };
      responses['403'] = { description: 'not allowed', content: { 'application/json': { schema: ERROR_SCHEMA } } };
    }
    if (r.path.includes(':')) responses['404'] = { description: 'not found', content: { 'application/json': { schema: ERROR_SCHEMA } } };
    // Every other refusal or failure (409, 412, 429, 503, and 500 when unexpected) has the same body: src/http/api/errors.ts.
    responses.default = { description: 'any other error (409, 412, 429, 503; 500 when unexpected)', content: { 'application/json': { schema: ERROR_SCHEMA } } };
    const op: Record<string, unknown> = {
      summary: r.summary,
      tags: [r.tag],
      operationId: `${r.method.toLowerCase()}${r.path.replace(/[/:{}-]+(\w)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
      parameters,
      responses,
      ...(r.auth === 'none' ? { security: [] } : {}),
      'x-berth-auth': r.auth,
    };
    const content: Record<string, unknown> = {};
    if (r.body) content['application/json'] = { schema: jsonSchema(r.body, 'input') };
    for (const type of r.rawBody ?? []) content[type] = { schema: { type: 'string', format: 'binary' } };
    if (Object.keys(content).length > 0) op.requestBody = { required: true, content };
    (paths[path] ??= {})[r.method.toLowerCase()] = op;
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Berth API', version, description: 'Management API of Berth. Errors are {"errors":[{"code","message"}]}. Lists take page, page_size (max 100), q (k=v, k=~v) and sort (f1,-f2) and answer with X-Total-Count and Link.' },
    servers: [{ url: '/' }],
    components: {
      securitySchemes: {
        basic: { type: 'http', scheme: 'basic', description: 'user name and password, user name and personal API token, or robot name and secret' },
        token: { type: 'http', scheme: 'bearer', description: 'personal API token (berth_pat_…)' },
      },
    },
    security: [{ basic: [] }, { token: [] }],
    paths,
  };
}
