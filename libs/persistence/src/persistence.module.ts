import { Global, Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { dataSourceOptions, type PersistenceOptions } from './data-source.js';
import { REPOSITORIES } from './repositories/all-repositories.js';
import { SecretBox } from './secret-box.js';

export interface PersistenceModuleOptions extends PersistenceOptions {
  encryptionKey: string;
}

@Global()
@Module({})
export class PersistenceModule {
  static forRoot(options: PersistenceModuleOptions): DynamicModule {
    return {
      module: PersistenceModule,
      imports: [
        TypeOrmModule.forRoot({
          ...dataSourceOptions(options),
          retryAttempts: 3,
          retryDelay: 1000,
        }),
      ],
      providers: [
        ...REPOSITORIES,
        { provide: SecretBox, useValue: new SecretBox(options.encryptionKey) },
      ],
      exports: [...REPOSITORIES, SecretBox],
    };
  }
}
