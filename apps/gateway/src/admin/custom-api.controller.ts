// POST /admin/custom-api/check: fetches the first pages of a "From API" endpoint (seed 004) and
// says what to fix: the console's "alert with information to fix your API".
import {
  Body,
  Controller,
  HttpCode,
  Post,
  UseGuards,
  type OnApplicationShutdown,
} from '@nestjs/common';
import {
  CustomApiClient,
  CustomApiConfig,
  customApiOptions,
  endpointProblem,
  type CheckReport,
} from '@herald/custom-api';
import { HeraldError } from '@herald/errors';
import { loadConfig } from '@herald/runtime';
import { AdminGuard } from './admin.guard.js';

const PAGES_CHECKED = 3;
const MAX_HEADERS = 50;

interface CheckRequest {
  endpoint: string;
  headers: Record<string, string>;
}

function parseCheck(body: unknown): CheckRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw HeraldError.invalid('body', 'The body must be a JSON object {"endpoint", "headers"}.');
  }
  const { endpoint, headers, ...rest } = body as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length > 0)
    throw HeraldError.invalid(
      unknown[0],
      `Unknown field(s): ${unknown.join(', ')}.`,
      'Send {"endpoint", "headers"}.',
    );
  const problem = endpointProblem(endpoint);
  if (problem)
    throw HeraldError.invalid('endpoint', problem, 'E.g. "https://api.example.com/broadcast".');
  if (headers !== undefined && headers !== null) {
    const entries =
      typeof headers === 'object' && !Array.isArray(headers) ? Object.entries(headers) : undefined;
    if (!entries || entries.some(([, v]) => typeof v !== 'string')) {
      throw HeraldError.invalid(
        'headers',
        'headers must be an object of header names to text values',
        'E.g. {"Authorization": "Bearer …"}.',
      );
    }
    if (entries.length > MAX_HEADERS)
      throw HeraldError.invalid('headers', `headers may hold at most ${MAX_HEADERS} entries`);
  }
  return { endpoint: endpoint as string, headers: (headers ?? {}) as Record<string, string> };
}

@Controller('admin/custom-api')
@UseGuards(AdminGuard)
export class CustomApiController implements OnApplicationShutdown {
  // Its settings (CUSTOM_API_*: allowed hosts, timeout, …) are validated when the gateway boots.
  private readonly client = new CustomApiClient(customApiOptions(loadConfig(CustomApiConfig)));

  @Post('check')
  @HttpCode(200)
  check(@Body() body: unknown): Promise<CheckReport> {
    const { endpoint, headers } = parseCheck(body);
    return this.client.check({ endpoint, headers }, PAGES_CHECKED);
  }

  onApplicationShutdown(): Promise<void> {
    return this.client.close();
  }
}
