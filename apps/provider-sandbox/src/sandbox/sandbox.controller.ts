// /sandbox: what the providers received, and the faults and callbacks they simulate.
import { Body, Controller, Delete, Get, HttpCode, Post, Query } from '@nestjs/common';
import { SandboxAdminService } from './sandbox-admin.service.js';
import {
  InputPipe,
  parseCallbacksInput,
  parseFaultsInput,
  parseMessageQuery,
  type CallbacksInput,
  type FaultsInput,
} from './sandbox-input.js';
import type { MessageQuery } from '../log/message-log.service.js';

@Controller('sandbox')
export class SandboxController {
  constructor(private readonly admin: SandboxAdminService) {}

  @Get('messages')
  messages(@Query(new InputPipe(parseMessageQuery)) query: MessageQuery): unknown {
    return this.admin.messages(query);
  }

  @Delete('messages')
  @HttpCode(204)
  clearMessages(): void {
    this.admin.clearMessages();
  }

  @Get('stats')
  stats(): unknown {
    return this.admin.stats();
  }

  @Get('faults')
  faults(): unknown {
    return this.admin.faultsView();
  }

  @Post('faults')
  @HttpCode(200)
  setFaults(@Body(new InputPipe(parseFaultsInput)) input: FaultsInput): unknown {
    return this.admin.setFaults(input);
  }

  @Get('callbacks')
  callbacks(): unknown {
    return this.admin.callbacksView();
  }

  @Post('callbacks')
  @HttpCode(200)
  setCallbacks(@Body(new InputPipe(parseCallbacksInput)) input: CallbacksInput): unknown {
    return this.admin.setCallbacks(input);
  }

  @Delete()
  @HttpCode(204)
  reset(): void {
    this.admin.reset();
  }
}
