import { AddressInfo } from 'net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';

// dynalite ships no types; it returns an http.Server serving the DynamoDB API from memory.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynalite: (options: { createTableMs: number; deleteTableMs: number; updateTableMs: number }) => import('http').Server = require('dynalite');

/** A real DynamoDB implementation (dynalite) on 127.0.0.1 at a random port, with an approvals table. */
export class LocalDynamoDb {
  public static async start(tableName = 'approvals'): Promise<LocalDynamoDb> {
    const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    // Node closes idle keep-alive sockets after 5 s; on a loaded machine the client can reuse one just as it closes
    // (ECONNRESET, not retried with maxAttempts 1). Keep them open for the life of the test.
    server.keepAliveTimeout = 10 * 60 * 1000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const client = new DynamoDBClient({
      endpoint: `http://127.0.0.1:${port}`,
      region: 'eu-west-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 1,
    });
    await client.send(new CreateTableCommand({
      TableName: tableName,
      AttributeDefinitions: [{ AttributeName: 'approvalId', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'approvalId', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }));
    return new LocalDynamoDb(server, client, tableName);
  }

  private constructor(private readonly server: import('http').Server, public readonly client: DynamoDBClient, public readonly tableName: string) {}

  public async stop(): Promise<void> {
    this.client.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
