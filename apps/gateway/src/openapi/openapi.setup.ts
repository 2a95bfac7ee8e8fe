import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

/** The OpenAPI document at /docs (UI) and /docs-json (raw), built from the controllers' decorators. */
export function setupOpenApi(app: NestFastifyApplication): void {
  const config = new DocumentBuilder()
    .setTitle('Herald')
    .setDescription(
      'Broadcasts for chatbot platforms: the on-demand hook, Chatfuel-style V1/V2, CSML-style broadcasts, and the admin API. ' +
        'A 2xx means the request is durably in Kafka. Errors of the non-Chatfuel APIs share one body: {error: {code, message, field?, fix?, correlationId}}.',
    )
    .setVersion('1')
    .addBearerAuth()
    .addApiKey({ type: 'apiKey', in: 'header', name: 'x-api-key' }, 'x-api-key')
    .build();
  SwaggerModule.setup('docs', app, () => SwaggerModule.createDocument(app, config), {
    jsonDocumentUrl: 'docs-json',
  });
}
