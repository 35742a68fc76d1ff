import { INestApplication } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import type {
  OperationObject,
  ParameterObject,
  ResponsesObject,
  SchemaObject,
} from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { declaredFields } from '../api/fields';
import { ErrorResponse } from '../api/schema';
import { listRoutes, type RouteInfo } from './routes';

const ERROR = { 'application/json': { schema: { $ref: '#/components/schemas/ErrorResponse' } } };
const error = (description: string) => ({ description, content: ERROR });

/**
 * The OpenAPI 3 document of the live app: @nestjs/swagger reads the controllers, their DTOs and response
 * decorators; this adds what the guard and the app-wide hooks decide, from the same route table the guard reads:
 * roles (`x-roles`), security, 401/403 on guarded routes, 400 where there is input, 413/415 where there is a body.
 */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('credit-ledger')
    .setDescription(
      'Event-sourced customer credit ledger. Every route except /health, /health/live, /health/ready and the ' +
        'explorer page needs an API key: `Authorization: Bearer <key>` or `X-API-Key`. Errors are ' +
        '`{ statusCode, error, message }` and the message names the field or parameter at fault.',
    )
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'an API key of API_KEYS' }, 'bearer')
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Key' }, 'apiKey')
    .build();
  const doc = SwaggerModule.createDocument(app, config, {
    extraModels: [ErrorResponse],
    operationIdFactory: (controller, method) => `${controller}_${method}`,
  });
  for (const route of listRoutes(app.get(ModulesContainer))) {
    const path = route.path.replace(/:([A-Za-z]+)/g, '{$1}');
    const op = (doc.paths[path] as Record<string, OperationObject> | undefined)?.[route.method.toLowerCase()];
    if (!op) throw new Error(`OpenAPI document has no ${route.method} ${path}`);
    describeAccess(op, route);
    if (route.body) describeBody(doc, op, route.body);
    if (route.query) describeQueryDefaults(op, route.query);
  }
  return doc;
}

function describeAccess(op: OperationObject, route: RouteInfo): void {
  const responses = op.responses as ResponsesObject;
  (op as unknown as Record<string, unknown>)['x-roles'] = route.roles;
  op.security = route.public ? [] : [{ bearer: [] }, { apiKey: [] }];
  if (!route.public) {
    responses['401'] ??= error('no or unknown API key');
    // A read is open to every role: nobody authenticated is refused.
    if (!route.roles.includes('reader'))
      responses['403'] ??= error(`role not allowed; allowed: ${route.roles.join(', ')}`);
  }
  if ((op.parameters?.length ?? 0) > 0 || route.body) {
    responses['400'] ??= error('invalid input; the message names the field or parameter');
  }
}

function describeBody(doc: OpenAPIObject, op: OperationObject, dto: new () => object): void {
  const fields = declaredFields(dto);
  const responses = op.responses as ResponsesObject;
  responses['413'] ??= error('body over 256 KiB');
  responses['415'] ??= error('body not JSON');
  // A body whose fields are all optional may be left out.
  if (op.requestBody && 'content' in op.requestBody) op.requestBody.required = fields.some((f) => f.required);
  const schema = doc.components?.schemas?.[dto.name] as SchemaObject | undefined;
  if (schema) {
    // Unknown fields are refused (400 naming them).
    schema.additionalProperties = false;
    schema.properties ??= {};
  }
}

/** Query defaults are the DTO's initial values, so a default is written once, in the class. */
function describeQueryDefaults(op: OperationObject, dto: new () => object): void {
  const defaults = new dto() as Record<string, unknown>;
  for (const p of (op.parameters ?? []) as ParameterObject[]) {
    const value = defaults[p.name];
    if (p.in === 'query' && value !== undefined && p.schema && !('$ref' in p.schema))
      p.schema.default = value;
  }
}
