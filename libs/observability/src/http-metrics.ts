import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { context, trace, type Span } from '@opentelemetry/api';
import type { MetricsRegistry } from './metrics.registry.js';
import { SpanKind, contextFromTraceparent, tracer } from './tracing.js';

const UNTRACED = new Set(['/metrics', '/health/live', '/health/ready']);
const spans = new WeakMap<object, Span>();

const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/**
 * HTTP latency by method, route template (never the raw URL: hook keys are secrets) and status,
 * and a server span per request that continues the caller's `traceparent` when it sends one.
 */
export function instrumentHttp(app: NestFastifyApplication, metrics: MetricsRegistry): void {
  const histogram = metrics.histogram(
    'herald_http_request_duration_seconds',
    'HTTP request latency',
    ['method', 'route', 'status_code'],
    BUCKETS,
  );
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', (request, _reply, done) => {
    const route = request.routeOptions?.url ?? 'unmatched';
    if (UNTRACED.has(route)) return done();
    const incoming = request.headers.traceparent;
    const parent = contextFromTraceparent(typeof incoming === 'string' ? incoming : undefined);
    const span = tracer().startSpan(
      `${request.method} ${route}`,
      {
        kind: SpanKind.SERVER,
        attributes: { 'http.request.method': request.method, 'http.route': route },
      },
      parent,
    );
    spans.set(request, span);
    context.with(trace.setSpan(parent, span), done);
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    const span = spans.get(request);
    span?.setAttribute('http.response.status_code', reply.statusCode);
    span?.end();
    const route = request.routeOptions?.url ?? 'unmatched';
    if (route !== '/metrics') {
      histogram.observe(
        { method: request.method, route, status_code: String(reply.statusCode) },
        reply.elapsedTime / 1000,
      );
    }
    done();
  });
}
