import fs from 'node:fs';
import path from 'node:path';
import type { ChatMessage } from '@shared/sdk/recording';

export const CHAT_FILE = 'chat.jsonl';
const FLUSH_MS = 1000;
const MAX_TEXT = 10_000;
const MAX_BUFFERED = 100_000;

/**
 * A recording's chat as JSON Lines (`t`: seconds since the recording started, `at`, `author`,
 * `text`, `raw`), appended in arrival order and flushed at least every second, so a crash loses
 * at most the last second.
 */
export class ChatLog {
  private buffer: string[] = [];
  private timer: ReturnType<typeof setInterval> | undefined;
  private count: number;
  private closed = false;
  private readonly file: string;

  constructor(
    dir: string,
    private readonly startedAt: number,
    private readonly onFlushed: (messages: number) => void,
    private readonly onProblem: (error: unknown) => void = () => undefined,
  ) {
    this.file = path.join(dir, CHAT_FILE);
    this.count = fs.existsSync(this.file) ? fs.readFileSync(this.file, 'utf8').split('\n').filter(Boolean).length : 0;
  }

  get messages(): number {
    return this.count + this.buffer.length;
  }

  add(message: ChatMessage): void {
    // After the recording ended, chat has nowhere to go.
    if (this.closed) return;
    const at = typeof message.at === 'number' && Number.isFinite(message.at) ? message.at : Date.now();
    const line = {
      t: Math.round((at - this.startedAt) / 10) / 100,
      at: new Date(at).toISOString(),
      ...(message.author ? { author: String(message.author).slice(0, 200) } : {}),
      text: String(message.text).slice(0, MAX_TEXT),
      ...(message.raw !== undefined ? { raw: message.raw } : {}),
    };
    let json: string;
    try {
      json = JSON.stringify(line);
    } catch {
      json = JSON.stringify({ ...line, raw: undefined });
    }
    this.buffer.push(json);
    this.timer ??= setInterval(() => this.flush(), FLUSH_MS);
  }

  flush(): void {
    if (this.buffer.length === 0) return;
    try {
      fs.appendFileSync(this.file, `${this.buffer.join('\n')}\n`);
    } catch (error) {
      // A full disk: the lines stay buffered (up to a limit) for the next try.
      if (this.buffer.length > MAX_BUFFERED) this.buffer.splice(0, this.buffer.length - MAX_BUFFERED);
      this.onProblem(error);
      return;
    }
    this.count += this.buffer.length;
    this.buffer = [];
    try {
      this.onFlushed(this.count);
    } catch (error) {
      this.onProblem(error);
    }
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.flush();
    this.closed = true;
  }
}
