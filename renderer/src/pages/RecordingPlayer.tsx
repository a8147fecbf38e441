import { useEffect, useMemo, useRef, useState } from 'react';
import { RecordingManifest } from '@shared/sdk/recording';
import type { LibraryItem } from '@shared/domain/library';
import { formatDuration } from '../format';
import { chatUpTo, recordingTimeline, wallTimeAt } from './recordingTimeline';

interface ChatLine {
  t: number;
  author?: string;
  text: string;
}

const MAX_CHAT_LINES = 100_000;
const SHOWN_CHAT_LINES = 200;

type Loaded = { state: 'loading' } | { state: 'none' } | { state: 'failed'; message: string } | { state: 'ready'; manifest: RecordingManifest; chat: ChatLine[] };

/**
 * A recording in the Library: its segments played in order (as MP4 copies Core makes, since the
 * browser does not play MPEG-TS), or the joined MP4, with the chat shown as it was said.
 */
export function RecordingPlayer({ item }: { item: LibraryItem }) {
  const [loaded, setLoaded] = useState<Loaded>({ state: 'loading' });
  const [index, setIndex] = useState(0);
  const [wall, setWall] = useState(0);
  const video = useRef<HTMLVideoElement>(null);
  const chatBox = useRef<HTMLOListElement>(null);
  const autoplay = useRef(false);

  useEffect(() => {
    let current = true;
    void (async () => {
      const response = await fetch(`./files/${item.id}/recording.json`);
      if (!response.ok) {
        if (current) setLoaded({ state: 'none' });
        return;
      }
      const parsed = RecordingManifest.safeParse(await response.json());
      if (!parsed.success) {
        if (current) setLoaded({ state: 'failed', message: 'its recording.json cannot be read' });
        return;
      }
      let chat: ChatLine[] = [];
      if (parsed.data.chat) {
        const text = await (await fetch(`./files/${item.id}/${encodeURIComponent(parsed.data.chat.file)}`)).text();
        chat = text
          .split('\n')
          .slice(0, MAX_CHAT_LINES)
          .flatMap((line) => {
            try {
              const value = JSON.parse(line) as ChatLine;
              return typeof value.t === 'number' && typeof value.text === 'string' ? [value] : [];
            } catch {
              return [];
            }
          });
      }
      if (current) setLoaded({ state: 'ready', manifest: parsed.data, chat });
    })().catch((error: unknown) => current && setLoaded({ state: 'failed', message: String(error) }));
    return () => {
      current = false;
    };
  }, [item.id]);

  const timeline = useMemo(() => (loaded.state === 'ready' ? recordingTimeline(loaded.manifest) : []), [loaded]);
  const said = loaded.state === 'ready' ? chatUpTo(loaded.chat, wall) : 0;
  useEffect(() => {
    const box = chatBox.current;
    if (box) box.scrollTop = box.scrollHeight;
  }, [said]);

  if (loaded.state === 'loading') return <p className="muted">Loading the recording…</p>;
  if (loaded.state === 'none') return null;
  if (loaded.state === 'failed') return <p className="error-text">This recording cannot be shown: {loaded.message}.</p>;
  const { manifest, chat } = loaded;
  const joined = manifest.remuxed;
  const segment = timeline[Math.min(index, timeline.length - 1)];
  const src = joined ? `./files/${item.id}/${encodeURIComponent(joined)}` : segment ? `./files/${item.id}/${encodeURIComponent(segment.file)}?as=mp4` : undefined;
  const total = timeline.reduce((sum, s) => sum + s.seconds, 0);
  const lines = chat.slice(Math.max(0, said - SHOWN_CHAT_LINES), said);

  return (
    <div className="recording-player" data-testid="recording-player">
      {src && (
        <video
          ref={video}
          key={src}
          className="player"
          controls
          preload="metadata"
          src={src}
          onLoadedMetadata={() => {
            if (autoplay.current) void video.current?.play().catch(() => undefined);
          }}
          onTimeUpdate={(event) => {
            const at = event.currentTarget.currentTime + (joined ? 0 : (segment?.start ?? 0));
            setWall(wallTimeAt(timeline, at));
          }}
          onEnded={() => {
            if (joined || index >= timeline.length - 1) return;
            autoplay.current = true;
            setIndex(index + 1);
          }}
        />
      )}
      <p className="muted" data-testid="recording-facts">
        {formatDuration(total)} in {manifest.parts.length} part{manifest.parts.length === 1 ? '' : 's'}
        {manifest.gaps.length ? `, ${manifest.gaps.length} gap${manifest.gaps.length === 1 ? '' : 's'} (${formatDuration(manifest.gaps.reduce((sum, g) => sum + g.seconds, 0))} missed)` : ''}
        {manifest.endedBy ? `; ended: ${manifest.endedBy.replace('-', ' ')}` : '; still recording'}
      </p>
      {!joined && timeline.length > 1 && (
        <ol className="segment-list" aria-label="Segments">
          {timeline.map((s, i) => (
            <li key={s.file}>
              <button
                type="button"
                className={i === index ? 'link active' : 'link'}
                aria-current={i === index ? 'true' : undefined}
                onClick={() => {
                  autoplay.current = true;
                  setIndex(i);
                }}
              >
                Part {s.part} · {formatDuration(s.start)}–{formatDuration(s.start + s.seconds)}
              </button>
            </li>
          ))}
        </ol>
      )}
      {chat.length > 0 && (
        <section aria-label="Chat" className="recording-chat">
          <h3>
            Chat <span className="muted">({said} of {chat.length} so far)</span>
          </h3>
          <ol ref={chatBox} className="chat-lines" data-testid="chat-lines">
            {lines.map((line, i) => (
              <li key={said - lines.length + i}>
                <span className="muted mono">{formatDuration(line.t)}</span> {line.author && <strong>{line.author}</strong>} {line.text}
              </li>
            ))}
          </ol>
        </section>
      )}
    </div>
  );
}
