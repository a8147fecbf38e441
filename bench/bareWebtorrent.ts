// The raw tool for the torrent benchmark: a bare WebTorrent client that downloads one .torrent
// into a folder and exits. `node bare-webtorrent.js FILE.torrent OUT_DIR`
import fs from 'node:fs';
import WebTorrent from 'webtorrent';
import { LOOPBACK } from '../plugins/bittorrent/testing/swarm';

const [torrentFile, out] = process.argv.slice(2);
if (!torrentFile || !out) throw new Error('usage: bare-webtorrent FILE.torrent OUT_DIR');
const client = new WebTorrent(LOOPBACK);
client.add(fs.readFileSync(torrentFile), { path: out }, (torrent) => {
  torrent.on('done', () => client.destroy(() => process.exit(0)));
});
