import { ChildProcess, spawn } from 'child_process';
import { createServer } from 'net';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { AzureNamedKeyCredential, TableClient } from '@azure/data-tables';
import { Firestore } from '@google-cloud/firestore';
import { FirestoreServer } from '@firestore-emulator/server';

/** A free TCP port on 127.0.0.1. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** Azurite's well-known development account (public, documented by Microsoft). */
const DEV_ACCOUNT = 'devstoreaccount1';
const DEV_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

/** Azurite's Table service, started by the tests themselves (in memory, on a free port). */
export class Azurite {
  public static async start(): Promise<Azurite> {
    const port = await freePort();
    const workdir = fs.mkdtempSync(path.join(os.tmpdir(), 'azurite-'));
    const bin = path.join(path.dirname(require.resolve('azurite/package.json')), 'dist', 'src', 'table', 'main.js');
    const child = spawn(process.execPath, [bin, '--tableHost', '127.0.0.1', '--tablePort', String(port), '--inMemoryPersistence', '--skipApiVersionCheck', '--disableProductStyleUrl'], { stdio: ['ignore', 'pipe', 'pipe'], cwd: workdir });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('azurite did not start')), 30_000);
      child.stdout!.on('data', (d: Buffer) => { if (/successfully started/i.test(String(d))) { clearTimeout(timer); resolve(); } });
      child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`azurite exited ${code}`)); });
    });
    return new Azurite(child, port, workdir);
  }

  private constructor(private readonly child: ChildProcess, public readonly port: number, private readonly workdir: string) {}

  /** A client for one table (created when missing); no retries, so a fault shows at once. */
  public async table(name: string): Promise<TableClient> {
    const client = new TableClient(`http://127.0.0.1:${this.port}/${DEV_ACCOUNT}`, name, new AzureNamedKeyCredential(DEV_ACCOUNT, DEV_KEY), { allowInsecureConnection: true, retryOptions: { maxRetries: 0 } });
    await client.createTable();
    return client;
  }

  public async stop(): Promise<void> {
    await new Promise<void>((resolve) => { this.child.once('exit', () => resolve()); this.child.kill('SIGTERM'); });
    fs.rmSync(this.workdir, { recursive: true, force: true });
  }
}

/** The Node Firestore emulator (`@firestore-emulator/server`) on a free port, with a Firestore client per database. */
export class FirestoreEmulator {
  public static async start(): Promise<FirestoreEmulator> {
    const port = await freePort();
    const server = new FirestoreServer();
    await server.start(port);
    return new FirestoreEmulator(server, port);
  }

  private readonly clients: Firestore[] = [];
  private constructor(private readonly server: FirestoreServer, public readonly port: number) {}

  public client(databaseId: string): Firestore {
    const db = new Firestore({ projectId: 'demo-agent-guardrails', databaseId, host: '127.0.0.1', port: this.port, ssl: false, credentials: { client_email: 'test@example.com', private_key: 'unused' } });
    this.clients.push(db);
    return db;
  }

  public async stop(): Promise<void> {
    await Promise.all(this.clients.map((c) => c.terminate()));
    await (this.server as unknown as { stop?: () => Promise<void> }).stop?.();
  }
}
