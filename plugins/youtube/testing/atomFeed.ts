export interface FeedEntry {
  id: string;
  title: string;
  published: string;
  /** The entry's link; default: a YouTube watch URL. */
  link?: string;
}

/** A channel feed in YouTube's own Atom format (yt: and media: namespaces), for tests. */
export function atomFeed(entries: readonly FeedEntry[], channelId = 'UCabcdefghijklmnopqrstuv', channel = 'Harbour Films'): string {
  const body = entries
    .map(
      ({ id, title, published, link = `https://www.youtube.com/watch?v=${id}` }) => `
  <entry>
    <id>yt:video:${id}</id>
    <yt:videoId>${id}</yt:videoId>
    <yt:channelId>${channelId}</yt:channelId>
    <title>${title}</title>
    <link rel="alternate" href="${link}"/>
    <author><name>${channel}</name><uri>https://www.youtube.com/channel/${channelId}</uri></author>
    <published>${published}</published>
    <media:group><media:title>${title}</media:title><media:thumbnail url="https://i.ytimg.com/vi/${id}/hqdefault.jpg" width="480" height="360"/><media:description>About ${title}</media:description></media:group>
  </entry>`,
    )
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns:yt="http://www.youtube.com/xml/schemas/2015" xmlns:media="http://search.yahoo.com/mrss/" xmlns="http://www.w3.org/2005/Atom">
  <title>${channel}</title>
  <author><name>${channel}</name></author>${body}
</feed>`;
}
