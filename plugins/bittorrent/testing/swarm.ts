import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Server } from 'bittorrent-tracker';
import WebTorrent, { type Torrent } from 'webtorrent';

/** Loopback only: no DHT, local discovery, uTP, UPnP or NAT-PMP, and a random port. */
export const LOOPBACK = { dht: false, lsd: false, utp: false, natUpnp: false, natPmp: false, webSeeds: false, torrentPort: 0 } as const;

/** The plugin's settings for the same loopback-only swarm. */
export const LOOPBACK_CONFIG = { dht: false, local_peer_discovery: false, port_forwarding: false, utp: false, port: 0, seed_after_download: false } as const;

export interface Swarm {
  announce: string;
  /** Seeds a file or a folder. */
  seed(target: string, options?: { uploadKiBps?: number }): Promise<Torrent>;
  close(): Promise<void>;
}

/** A bittorrent-tracker on 127.0.0.1 and seeding WebTorrent clients that announce to it. */
export async function startSwarm(): Promise<Swarm> {
  const tracker = new Server({ udp: false, ws: false, http: true, stats: false });
  await new Promise<void>((resolve) => tracker.listen(0, '127.0.0.1', () => resolve()));
  const announce = `http://127.0.0.1:${(tracker.http!.address() as { port: number }).port}/announce`;
  const clients: WebTorrent[] = [];
  return {
    announce,
    seed(target, options = {}) {
      const client = new WebTorrent({ ...LOOPBACK, ...(options.uploadKiBps ? { uploadLimit: options.uploadKiBps * 1024 } : {}) });
      clients.push(client);
      return new Promise((resolve) => client.seed(target, { announce: [announce] }, resolve));
    },
    async close() {
      await Promise.all(clients.map((client) => new Promise<void>((resolve) => client.destroy(() => resolve()))));
      await new Promise<void>((resolve) => tracker.close(() => resolve()));
    },
  };
}

/** A folder of random files (sizes in bytes by relative path). */
export function randomFolder(root: string, files: Record<string, number>): string {
  for (const [name, size] of Object.entries(files)) {
    const file = path.join(root, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, crypto.randomBytes(size));
  }
  return root;
}

/** sha256 of every file under a folder, by relative path. */
export function folderHashes(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of fs.readdirSync(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    out[path.relative(root, file)] = crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
  }
  return out;
}
