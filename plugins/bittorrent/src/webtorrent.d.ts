// The parts of webtorrent 3 and parse-torrent 11 this plugin uses (neither ships types).
declare module 'webtorrent' {
  import type { EventEmitter } from 'node:events';

  export interface TorrentFile {
    readonly name: string;
    readonly path: string;
    readonly length: number;
  }

  export interface Torrent extends EventEmitter {
    readonly infoHash: string;
    readonly name: string;
    readonly length: number;
    readonly downloaded: number;
    readonly uploaded: number;
    /** Bytes that came over the wire in this session (`downloaded` also counts pieces verified on disk). */
    readonly received: number;
    readonly downloadSpeed: number;
    readonly uploadSpeed: number;
    readonly progress: number;
    readonly ratio: number;
    readonly numPeers: number;
    readonly timeRemaining: number;
    readonly done: boolean;
    readonly destroyed: boolean;
    readonly ready: boolean;
    readonly path: string;
    readonly files: TorrentFile[];
    readonly pieces: unknown[];
    readonly torrentFile: Uint8Array;
    readonly magnetURI: string;
    /** The raw info dictionary, once the metadata is known. */
    readonly info?: unknown;
    destroy(options?: { destroyStore?: boolean }, callback?: (error?: Error) => void): void;
    addPeer(peer: string): boolean;
  }

  export interface WebTorrentOptions {
    dht?: boolean;
    lsd?: boolean;
    utp?: boolean;
    natUpnp?: boolean;
    natPmp?: boolean;
    webSeeds?: boolean;
    tracker?: boolean | { wrtc?: boolean };
    torrentPort?: number;
    maxConns?: number;
    downloadLimit?: number;
    uploadLimit?: number;
  }

  export interface AddOptions {
    path?: string;
    announce?: string[];
    destroyStoreOnDestroy?: boolean;
    /** Select no file: only verify and share what is on disk. */
    deselect?: boolean;
  }

  export default class WebTorrent extends EventEmitter {
    static readonly VERSION: string;
    constructor(options?: WebTorrentOptions);
    readonly torrents: Torrent[];
    readonly destroyed: boolean;
    add(torrentId: string | Uint8Array, options?: AddOptions, onTorrent?: (torrent: Torrent) => void): Torrent;
    seed(input: string | string[], options?: { announce?: string[]; name?: string }, onSeed?: (torrent: Torrent) => void): Torrent;
    get(torrentId: string | Uint8Array): Promise<Torrent | null>;
    throttleDownload(rate: number): void;
    throttleUpload(rate: number): void;
    destroy(callback?: (error?: Error) => void): void;
  }
}

declare module 'parse-torrent' {
  export interface ParsedTorrent {
    infoHash: string;
    name?: string | string[];
    announce?: string[];
    length?: number;
    files?: { path: string; name: string; length: number; offset: number }[];
    info?: unknown;
  }
  export default function parseTorrent(input: string | Uint8Array): Promise<ParsedTorrent>;
  export function toMagnetURI(parsed: Partial<ParsedTorrent>): string;
}

declare module 'bittorrent-tracker' {
  import type { Server as HttpServer } from 'node:http';
  export class Server {
    constructor(options: { udp?: boolean; ws?: boolean; http?: boolean; stats?: boolean });
    readonly http: HttpServer | null;
    listen(port: number, hostname: string, onListening?: () => void): void;
    close(callback?: () => void): void;
  }
}

declare module 'bencode' {
  const bencode: { encode(value: unknown): Uint8Array; decode(data: Uint8Array): unknown };
  export default bencode;
}
