// Nest's default RPC exception filter replaces any error that is not an RpcException with
// { status: 'error', message: 'Internal server error' }, which would hide whether a handler's
// HeraldError is retriable. The transport decides retry / DLQ in one place, so its event
// handlers get this filter: the original error travels on to HeraldKafkaServer untouched.
import { Catch, UseFilters, type RpcExceptionFilter } from '@nestjs/common';
import { MetadataScanner, type ModulesContainer } from '@nestjs/core';
import { PATTERN_HANDLER_METADATA } from '@nestjs/microservices/constants.js';
import { PatternHandler } from '@nestjs/microservices/enums/pattern-handler.enum.js';
import { throwError, type Observable } from 'rxjs';

@Catch()
export class HandlerErrorPassthroughFilter implements RpcExceptionFilter<unknown> {
  catch(exception: unknown): Observable<never> {
    return throwError(() => exception);
  }
}

const passthrough = new HandlerErrorPassthroughFilter();
const routed = new WeakSet<object>();

/**
 * Adds the passthrough filter to every `@EventPattern` method of every controller. Must run
 * before the microservice registers its listeners (it does: the server's constructor calls it).
 */
export function routeHandlerErrorsToTransport(modules: ModulesContainer): void {
  const scanner = new MetadataScanner();
  for (const moduleRef of modules.values()) {
    for (const wrapper of moduleRef.controllers.values()) {
      const prototype = (wrapper.metatype as { prototype?: object } | null)?.prototype;
      if (!prototype) continue;
      for (const name of scanner.getAllMethodNames(prototype)) {
        const method: unknown = (prototype as Record<string, unknown>)[name];
        if (typeof method !== 'function' || routed.has(method)) continue;
        if (Reflect.getMetadata(PATTERN_HANDLER_METADATA, method) !== PatternHandler.EVENT)
          continue;
        UseFilters(passthrough)(prototype, name, { value: method });
        routed.add(method);
      }
    }
  }
}
