import { Controller, Get, Header, Injectable, NotFoundException, Param, Res } from '@nestjs/common';
import {
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiParam,
  ApiProduces,
  ApiTags,
  type OpenAPIObject,
} from '@nestjs/swagger';
import { ErrorResponse } from '../api/schema';
import type { FastifyReply } from 'fastify';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Public, RequireRole } from '../auth/roles';

/** The OpenAPI document, built once the app's routes are known (see startLedgerApp). */
@Injectable()
export class OpenApiDocument {
  private document: OpenAPIObject | null = null;

  set(document: OpenAPIObject): void {
    this.document = document;
  }

  get(): OpenAPIObject {
    if (!this.document) throw new Error('the OpenAPI document is built when the app starts');
    return this.document;
  }
}

const SWAGGER_UI_DIR = path.dirname(require.resolve('swagger-ui-dist/package.json'));

/** Swagger UI's files, served from the swagger-ui-dist package (no other file is reachable). */
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css',
  'swagger-ui-bundle.js': 'application/javascript',
  'favicon-32x32.png': 'image/png',
};

/**
 * The explorer page holds no API information: it asks for an API key, then loads the document from
 * /docs/json with it (sent on every request the explorer makes, kept in this tab's sessionStorage only).
 */
const EXPLORER = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>credit-ledger API</title>
<link rel="icon" href="/docs/assets/favicon-32x32.png">
<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
<style>body{margin:0;font-family:sans-serif}#key{padding:12px 20px;background:#1b1b1b;color:#fff}
#key input{width:24em;margin:0 8px}</style></head>
<body><form id="key"><label>API key<input id="apikey" type="password" autocomplete="off"></label>
<button type="submit">Load the API</button></form><div id="ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script>
const input = document.getElementById('apikey');
input.value = sessionStorage.getItem('credit-ledger-api-key') || '';
function load() {
  const key = input.value.trim();
  sessionStorage.setItem('credit-ledger-api-key', key);
  window.ui = SwaggerUIBundle({
    url: '/docs/json',
    dom_id: '#ui',
    deepLinking: true,
    requestInterceptor: (req) => {
      if (key && !req.headers.Authorization) req.headers.Authorization = 'Bearer ' + key;
      return req;
    },
  });
}
document.getElementById('key').addEventListener('submit', (e) => { e.preventDefault(); load(); });
if (input.value) load();
</script></body></html>
`;

/** The API description: `/docs` (Swagger UI) and `/docs/json` (the OpenAPI document, for API keys only). */
@ApiTags('docs')
@Controller('docs')
export class DocsController {
  constructor(private readonly document: OpenApiDocument) {}

  @Get('json')
  @RequireRole('reader')
  @ApiOkResponse({
    description: 'this OpenAPI document',
    schema: { type: 'object', additionalProperties: true },
  })
  json(): OpenAPIObject {
    return this.document.get();
  }

  @Get()
  @Public()
  @Header('content-type', 'text/html; charset=utf-8')
  @ApiProduces('text/html')
  @ApiOkResponse({ description: 'Swagger UI', content: { 'text/html': { schema: { type: 'string' } } } })
  explorer(): string {
    return EXPLORER;
  }

  @Get('assets/:file')
  @Public()
  @ApiParam({ name: 'file', enum: Object.keys(ASSETS) })
  @ApiProduces(...new Set(Object.values(ASSETS)))
  @ApiOkResponse({ description: 'a file of Swagger UI', schema: { type: 'string', format: 'binary' } })
  @ApiNotFoundResponse({ type: ErrorResponse })
  asset(@Param('file') file: string, @Res({ passthrough: true }) reply: FastifyReply): Buffer {
    const type = Object.prototype.hasOwnProperty.call(ASSETS, file) ? ASSETS[file] : undefined;
    if (!type) throw new NotFoundException(`no asset ${JSON.stringify(file.slice(0, 64))}`);
    void reply.header('content-type', type).header('cache-control', 'public, max-age=86400');
    return readFileSync(path.join(SWAGGER_UI_DIR, file));
  }
}
