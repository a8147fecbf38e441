import WebTorrent, { type WebTorrentOptions } from 'webtorrent';
import type { BitTorrentConfig } from './config';

/** KiB/s from the settings to WebTorrent's bytes/s, where -1 means no limit. */
export function rateLimit(kib: number): number {
  return kib > 0 ? kib * 1024 : -1;
}

export function clientOptions(config: BitTorrentConfig): WebTorrentOptions {
  return {
    dht: config.dht,
    lsd: config.local_peer_discovery,
    natUpnp: config.port_forwarding,
    natPmp: config.port_forwarding,
    utp: config.utp,
    torrentPort: config.port,
    maxConns: config.max_connections,
    downloadLimit: rateLimit(config.max_bandwidth_down),
    uploadLimit: rateLimit(config.max_bandwidth_up),
  };
}

/** What a client is started with and cannot change while running. */
const fixedKey = (config: BitTorrentConfig): string => JSON.stringify([config.dht, config.local_peer_discovery, config.port_forwarding, config.utp, config.port, config.max_connections]);

/**
 * The plugin's one WebTorrent client, made when first needed. Bandwidth limits change live;
 * the other network settings take effect when no torrent is active (a new client is made).
 */
export class ClientHolder {
  private client: WebTorrent | undefined;
  private key = '';

  constructor(private readonly onError: (error: Error) => void = () => undefined) {}

  get(config: BitTorrentConfig): WebTorrent {
    if (this.client && (this.client.destroyed || (this.key !== fixedKey(config) && this.client.torrents.length === 0))) void this.destroy();
    if (!this.client) {
      const client = new WebTorrent(clientOptions(config));
      // A client error (the port taken, say) destroys that client; the next torrent gets a new one.
      client.on('error', (error: Error | string) => {
        this.onError(typeof error === 'string' ? new Error(error) : error);
        if (this.client === client) this.client = undefined;
      });
      this.client = client;
      this.key = fixedKey(config);
    }
    return this.client;
  }

  configure(config: BitTorrentConfig): void {
    this.client?.throttleDownload(rateLimit(config.max_bandwidth_down));
    this.client?.throttleUpload(rateLimit(config.max_bandwidth_up));
  }

  /** Destroys the client, giving up after `deadlineMs` so a stuck peer never blocks unloading. */
  async destroy(deadlineMs = 5000): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (!client || client.destroyed) return;
    await Promise.race([new Promise<void>((resolve) => client.destroy(() => resolve())), new Promise<void>((resolve) => setTimeout(resolve, deadlineMs).unref())]);
  }
}
