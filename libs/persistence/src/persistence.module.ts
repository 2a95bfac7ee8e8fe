import { Global, Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule, getDataSourceToken } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { dataSourceOptions, type PersistenceOptions } from './data-source.js';
import { REPOSITORIES } from './repositories/all-repositories.js';
import { SecretBox } from './secret-box.js';

export interface PersistenceModuleOptions extends PersistenceOptions {
  encryptionKey: string;
  /** Who uses this data source (the service), in its name. */
  name?: string;
}

/**
 * How many data sources this process registered. The all-in-one mode hosts every service in one
 * process, each with its own Nest app and pool; @nestjs/typeorm keeps one process-wide registry of
 * data source names and warns at every second "default" one, so each gets a name of its own.
 */
let registered = 0;

@Global()
@Module({})
export class PersistenceModule {
  static forRoot(options: PersistenceModuleOptions): DynamicModule {
    registered += 1;
    const name = `${options.name ?? 'herald'}-${registered}`;
    return {
      module: PersistenceModule,
      imports: [
        TypeOrmModule.forRoot({
          ...dataSourceOptions(options),
          name,
          retryAttempts: 3,
          retryDelay: 1000,
        }),
      ],
      providers: [
        // Repositories and services inject the DataSource class, whatever the name.
        { provide: DataSource, useExisting: getDataSourceToken(name) },
        ...REPOSITORIES,
        { provide: SecretBox, useValue: new SecretBox(options.encryptionKey) },
      ],
      exports: [...REPOSITORIES, SecretBox, DataSource],
    };
  }
}
