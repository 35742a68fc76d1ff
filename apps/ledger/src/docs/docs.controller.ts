import { Controller, Get, Header } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { RequireRole } from '../auth/roles';
import { REASON_RULE, type FieldKind } from '../control/body';
import { listRoutes, type RouteInfo } from './routes';

const FIELD_SCHEMAS: Record<FieldKind, Record<string, unknown>> = {
  id: { type: 'string', pattern: '^[A-Za-z0-9._:/-]{1,128}$' },
  amount: {
    type: 'string',
    pattern: '^\\d{1,20}(\\.\\d{1,6})?$',
    description: "decimal major units, at most the customer's currency digits",
  },
  reason: { type: 'string', minLength: 1, maxLength: 512, description: REASON_RULE },
  instant: { type: 'string', format: 'date-time', description: 'ISO-8601 date or timestamp with zone' },
  policy: { type: 'object', description: 'a whole grading policy (see GET /policy)' },
};

/** OpenAPI 3.0 from the live route table: paths, roles (x-roles), declared bodies; 401/403 on every guarded one. */
export function openApiDocument(routes: RouteInfo[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const path = r.path.replace(/:([A-Za-z]+)/g, '{$1}');
    const params = [...r.path.matchAll(/:([A-Za-z]+)/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: FIELD_SCHEMAS.id,
    }));
    const op: Record<string, unknown> = {
      operationId: `${r.controller}.${r.handler}`,
      tags: [r.path.split('/')[1] ?? ''],
      parameters: params,
      'x-roles': r.roles,
      security: r.public ? [] : [{ bearer: [] }, { apiKey: [] }],
      responses: {
        '2XX': { description: 'success (JSON; reports also text/csv with Accept: text/csv)' },
        '400': { description: 'invalid input; the message names the field' },
        ...(r.public
          ? {}
          : { '401': { description: 'no or unknown API key' }, '403': { description: 'role not allowed' } }),
      },
    };
    if (r.body) {
      op.requestBody = {
        required: Object.values(r.body).some((f) => f.required),
        content: {
          'application/json': {
            schema: {
              type: 'object',
              additionalProperties: false,
              required: Object.entries(r.body)
                .filter(([, f]) => f.required)
                .map(([k]) => k),
              properties: Object.fromEntries(
                Object.entries(r.body).map(([k, f]) => [k, FIELD_SCHEMAS[f.kind]]),
              ),
            },
          },
        },
      };
    }
    (paths[path] ??= {})[r.method.toLowerCase()] = op;
  }
  return {
    openapi: '3.0.3',
    info: { title: 'credit-ledger', version: '1', description: 'Event-sourced customer credit ledger' },
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer' },
        apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
      },
    },
    paths,
  };
}

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The API description: `/docs` (a plain HTML table, no external assets) and `/docs/json` (OpenAPI 3.0). */
@Controller('docs')
@RequireRole('reader')
export class DocsController {
  constructor(private readonly modules: ModulesContainer) {}

  @Get('json')
  json() {
    return openApiDocument(listRoutes(this.modules));
  }

  @Get()
  @Header('content-type', 'text/html; charset=utf-8')
  html(): string {
    const rows = listRoutes(this.modules)
      .map(
        (r) =>
          `<tr><td>${r.method}</td><td><code>${esc(r.path)}</code></td><td>${esc(r.public ? 'public' : r.roles.join(', '))}</td>` +
          `<td>${esc(
            r.body
              ? Object.entries(r.body)
                  .map(([k, f]) => `${k}${f.required ? '' : '?'}: ${f.kind}`)
                  .join(', ')
              : '',
          )}</td></tr>`,
      )
      .join('\n');
    return (
      '<!doctype html><html><head><meta charset="utf-8"><title>credit-ledger API</title></head><body>' +
      '<h1>credit-ledger API</h1><p>OpenAPI 3.0: <a href="/docs/json">/docs/json</a>. ' +
      'Send <code>Authorization: Bearer &lt;api key&gt;</code>.</p>' +
      `<table border="1" cellpadding="4"><tr><th>method</th><th>path</th><th>roles</th><th>body</th></tr>\n${rows}</table></body></html>`
    );
  }
}
