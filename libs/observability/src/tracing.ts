// OpenTelemetry tracing with the W3C trace context carried in Kafka's `traceparent` header, so
// one trace runs from a hook call through every service to the provider call. The transport
// makes each batch's context active and the publisher stamps the active context on what it
// publishes: service code does not have to thread trace ids by hand.
import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  context,
  propagation,
  trace,
  type Context,
  type Span,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  NodeTracerProvider,
  SimpleSpanProcessor,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';

const TRACER = 'herald';
let registered = false;

export interface TracingOptions {
  /** Where spans go; by default OTLP/HTTP when OTEL_EXPORTER_OTLP_ENDPOINT is set, else nowhere. */
  exporter?: SpanExporter;
  /** Export each span at once (tests) instead of in batches. */
  immediate?: boolean;
}

/**
 * Registers the process's tracer provider, context manager and W3C propagator, once. Without an
 * exporter, spans are still created (so context flows through Kafka) but not exported.
 */
export function setupTracing(serviceName: string, options: TracingOptions = {}): boolean {
  if (registered) return false;
  registered = true;
  const exporter =
    options.exporter ??
    (process.env.OTEL_EXPORTER_OTLP_ENDPOINT ? new OTLPTraceExporter() : undefined);
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({
      [ATTR_SERVICE_NAME]: process.env.OTEL_SERVICE_NAME ?? serviceName,
    }),
    spanProcessors: exporter
      ? [options.immediate ? new SimpleSpanProcessor(exporter) : new BatchSpanProcessor(exporter)]
      : [],
  });
  provider.register({ propagator: new W3CTraceContextPropagator() });
  return true;
}

export function tracer() {
  return trace.getTracer(TRACER);
}

/** The `traceparent` of the active span, to stamp on an outgoing event. */
export function activeTraceparent(): string | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent;
}

export function contextFromTraceparent(
  traceparent: string | undefined,
  parent: Context = ROOT_CONTEXT,
): Context {
  return traceparent ? propagation.extract(parent, { traceparent }) : parent;
}

/** Runs `fn` inside a new span (child of `parent`), ending it with the outcome. */
export async function inSpan<T>(
  name: string,
  options: {
    kind?: SpanKind;
    parent?: Context;
    attributes?: Record<string, string | number>;
    links?: Context[];
  },
  fn: (span: Span) => Promise<T>,
): Promise<T> {
  const parent = options.parent ?? context.active();
  const links = (options.links ?? [])
    .map((c) => trace.getSpanContext(c))
    .filter((s) => s !== undefined)
    .map((s) => ({ context: s }));
  const span = tracer().startSpan(
    name,
    { kind: options.kind ?? SpanKind.INTERNAL, attributes: options.attributes, links },
    parent,
  );
  try {
    return await context.with(trace.setSpan(parent, span), () => fn(span));
  } catch (error) {
    span.recordException(error as Error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
    throw error;
  } finally {
    span.end();
  }
}

export { SpanKind };
