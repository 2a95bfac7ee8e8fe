// JSON Schemas of the operator resources no npm model package covers: Strimzi's Kafka,
// KafkaNodePool and KafkaTopic (kafka.strimzi.io/v1beta2, as in Strimzi 0.45's CRDs) and
// CloudNativePG's Cluster (postgresql.cnpg.io/v1). They follow the CRDs' openAPIV3Schema for
// the fields Herald sets and list the CRDs' other top-level fields as allowed, so that a
// misspelt field fails here instead of being pruned by the API server without a word.

type Schema = Record<string, unknown>;

const object = (
  properties: Record<string, Schema>,
  required: string[] = [],
  extra: Schema = {},
): Schema => ({
  type: 'object',
  properties,
  required,
  additionalProperties: false,
  ...extra,
});
const anyObject: Schema = { type: 'object' };
const string: Schema = { type: 'string' };
const quantity: Schema = {
  anyOf: [{ type: 'string', pattern: '^[0-9.]+([EPTGMK]i?|[mkMGTPE])?$' }, { type: 'integer' }],
};
const resources = object({
  requests: { type: 'object', additionalProperties: quantity },
  limits: { type: 'object', additionalProperties: quantity },
  claims: { type: 'array' },
});
const metadata = object(
  {
    name: string,
    namespace: string,
    labels: { type: 'object', additionalProperties: string },
    annotations: { type: 'object', additionalProperties: string },
  },
  ['name'],
);
const resource = (apiVersion: string, kind: string, spec: Schema): Schema =>
  object({ apiVersion: { const: apiVersion }, kind: { const: kind }, metadata, spec }, [
    'apiVersion',
    'kind',
    'metadata',
    'spec',
  ]);

const networkPolicyPeer = object({
  podSelector: anyObject,
  namespaceSelector: anyObject,
  ipBlock: anyObject,
});

const listener = object(
  {
    name: { type: 'string', pattern: '^[a-z0-9]{1,11}$' },
    port: { type: 'integer', minimum: 9092 },
    type: { enum: ['internal', 'route', 'loadbalancer', 'nodeport', 'ingress', 'cluster-ip'] },
    tls: { type: 'boolean' },
    authentication: anyObject,
    configuration: anyObject,
    networkPolicyPeers: { type: 'array', items: networkPolicyPeer },
  },
  ['name', 'port', 'type', 'tls'],
);

const volume = object(
  {
    id: { type: 'integer', minimum: 0 },
    type: { enum: ['ephemeral', 'persistent-claim'] },
    size: string,
    sizeLimit: string,
    class: string,
    selector: anyObject,
    deleteClaim: { type: 'boolean' },
    kraftMetadata: { enum: ['shared'] },
    overrides: { type: 'array' },
  },
  ['type'],
);

const storage = object(
  {
    type: { enum: ['ephemeral', 'persistent-claim', 'jbod'] },
    volumes: { type: 'array', items: volume, minItems: 1 },
    size: string,
    sizeLimit: string,
    class: string,
    selector: anyObject,
    deleteClaim: { type: 'boolean' },
    kraftMetadata: { enum: ['shared'] },
    overrides: { type: 'array' },
  },
  ['type'],
);

const jvmOptions = object({
  '-XX': anyObject,
  '-Xmx': { type: 'string', pattern: '^[0-9]+[mMgG]?$' },
  '-Xms': { type: 'string', pattern: '^[0-9]+[mMgG]?$' },
  gcLoggingEnabled: { type: 'boolean' },
  javaSystemProperties: { type: 'array' },
});

export const CRD_SCHEMAS: Record<string, Schema> = {
  'kafka.strimzi.io/v1beta2/Kafka': resource(
    'kafka.strimzi.io/v1beta2',
    'Kafka',
    object(
      {
        kafka: object(
          {
            version: string,
            metadataVersion: string,
            replicas: { type: 'integer', minimum: 1 },
            image: string,
            listeners: { type: 'array', minItems: 1, items: listener },
            config: anyObject,
            storage,
            authorization: anyObject,
            rack: anyObject,
            brokerRackInitImage: string,
            livenessProbe: anyObject,
            readinessProbe: anyObject,
            jvmOptions,
            jmxOptions: anyObject,
            resources,
            metricsConfig: anyObject,
            logging: anyObject,
            template: anyObject,
            tieredStorage: anyObject,
            quotas: anyObject,
          },
          ['listeners'],
        ),
        zookeeper: anyObject,
        entityOperator: object({
          topicOperator: anyObject,
          userOperator: anyObject,
          tlsSidecar: anyObject,
          template: anyObject,
        }),
        clusterCa: anyObject,
        clientsCa: anyObject,
        cruiseControl: anyObject,
        jmxTrans: anyObject,
        kafkaExporter: anyObject,
        maintenanceTimeWindows: { type: 'array', items: string },
      },
      ['kafka'],
    ),
  ),
  'kafka.strimzi.io/v1beta2/KafkaNodePool': resource(
    'kafka.strimzi.io/v1beta2',
    'KafkaNodePool',
    object(
      {
        replicas: { type: 'integer', minimum: 0 },
        storage,
        roles: { type: 'array', minItems: 1, items: { enum: ['controller', 'broker'] } },
        resources,
        jvmOptions,
        template: anyObject,
      },
      ['replicas', 'storage', 'roles'],
    ),
  ),
  'kafka.strimzi.io/v1beta2/KafkaTopic': resource(
    'kafka.strimzi.io/v1beta2',
    'KafkaTopic',
    object({
      partitions: { type: 'integer', minimum: 1 },
      replicas: { type: 'integer', minimum: 1, maximum: 32767 },
      config: anyObject,
      topicName: string,
    }),
  ),
  'kafka.strimzi.io/v1beta2/KafkaUser': resource(
    'kafka.strimzi.io/v1beta2',
    'KafkaUser',
    object({
      authentication: object(
        {
          type: { enum: ['tls', 'tls-external', 'scram-sha-512'] },
          password: anyObject,
        },
        ['type'],
      ),
      authorization: object(
        {
          type: { enum: ['simple'] },
          acls: {
            type: 'array',
            items: object(
              {
                resource: object(
                  {
                    type: { enum: ['topic', 'group', 'cluster', 'transactionalId'] },
                    name: string,
                    patternType: { enum: ['literal', 'prefix'] },
                  },
                  ['type'],
                ),
                type: { enum: ['allow', 'deny'] },
                host: string,
                operations: {
                  type: 'array',
                  minItems: 1,
                  items: {
                    enum: [
                      'Read',
                      'Write',
                      'Create',
                      'Delete',
                      'Alter',
                      'Describe',
                      'ClusterAction',
                      'AlterConfigs',
                      'DescribeConfigs',
                      'IdempotentWrite',
                      'All',
                    ],
                  },
                },
              },
              ['resource', 'operations'],
            ),
          },
        },
        ['type'],
      ),
      quotas: anyObject,
      template: anyObject,
    }),
  ),
  'postgresql.cnpg.io/v1/Cluster': resource(
    'postgresql.cnpg.io/v1',
    'Cluster',
    object(
      {
        instances: { type: 'integer', minimum: 1 },
        imageName: string,
        imageCatalogRef: anyObject,
        primaryUpdateStrategy: { enum: ['unsupervised', 'supervised'] },
        primaryUpdateMethod: { enum: ['switchover', 'restart'] },
        bootstrap: object({
          initdb: object({
            database: string,
            owner: string,
            secret: object({ name: string }, ['name']),
            encoding: string,
            localeCollate: string,
            localeCType: string,
            dataChecksums: { type: 'boolean' },
            postInitSQL: { type: 'array', items: string },
            postInitApplicationSQL: { type: 'array', items: string },
          }),
          recovery: anyObject,
          pg_basebackup: anyObject,
        }),
        postgresql: object({
          // CloudNativePG takes every parameter as a string.
          parameters: { type: 'object', additionalProperties: string },
          pg_hba: { type: 'array', items: string },
          shared_preload_libraries: { type: 'array', items: string },
        }),
        storage: object({
          size: string,
          storageClass: string,
          resizeInUseVolumes: { type: 'boolean' },
          pvcTemplate: anyObject,
        }),
        walStorage: anyObject,
        resources,
        affinity: anyObject,
        monitoring: anyObject,
        backup: anyObject,
        superuserSecret: anyObject,
        enableSuperuserAccess: { type: 'boolean' },
        managed: anyObject,
        inheritedMetadata: anyObject,
        description: string,
      },
      ['instances'],
    ),
  ),
};
