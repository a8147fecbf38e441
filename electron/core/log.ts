import fs from 'node:fs';
import path from 'node:path';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const order: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  child(scope: string): Logger;
}

export interface LogSink {
  write(line: string): void;
  close(): void;
}

/** Where a log file is moved to make room; one previous file is kept. */
export const MAX_LOG_FILE_BYTES = 5 * 1024 * 1024;

/** Moves `file` to `file.1` (replacing the previous one) once it is larger than `maxBytes`. */
export function rotateLogFile(file: string, maxBytes = MAX_LOG_FILE_BYTES): boolean {
  try {
    if (fs.statSync(file).size <= maxBytes) return false;
    fs.renameSync(file, `${file}.1`);
    return true;
  } catch {
    return false;
  }
}

/**
 * JSON lines appended to a file, one record each; rotated to `file.1` past `maxBytes`. A line
 * that cannot be written (a full disk) is dropped: logging must never fail the caller.
 */
export function fileSink(file: string, maxBytes = MAX_LOG_FILE_BYTES): LogSink {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  rotateLogFile(file, maxBytes);
  let fd: number | undefined = fs.openSync(file, 'a');
  let size = fs.fstatSync(fd).size;
  // Where the next rotation happens. A file still too large here is one whose rotation failed
  // (held open elsewhere on Windows, no rights): tried again once it has grown by maxBytes, not
  // on every line.
  const limitFor = (current: number): number => (current > maxBytes ? current + maxBytes : maxBytes);
  let limit = limitFor(size);
  let open = true;
  const closeFile = (): void => {
    const old = fd;
    // Forgotten before closing: a number whose close failed may be reused by another file.
    fd = undefined;
    if (old !== undefined) {
      try {
        fs.closeSync(old);
      } catch {
        // Nothing more can be done with it.
      }
    }
  };
  const reopen = (rotate: boolean): void => {
    closeFile();
    const failed = rotate && !rotateLogFile(file, 0);
    fd = fs.openSync(file, 'a');
    size = fs.fstatSync(fd).size;
    limit = failed ? size + maxBytes : limitFor(size);
  };
  return {
    write(line) {
      if (!open) return;
      const data = `${line}\n`;
      try {
        if (fd === undefined) reopen(false);
        else if (size > 0 && size + Buffer.byteLength(data) > limit) reopen(true);
        size += fs.writeSync(fd!, data);
      } catch {
        // Dropped; the next line tries again (and reopens the file if it was lost).
      }
    },
    close() {
      if (!open) return;
      open = false;
      closeFile();
    },
  };
}

export interface LoggerOptions {
  sinks: LogSink[];
  level?: LogLevel;
  /** Also print records at or above this level to stderr, as one readable line. */
  stderrLevel?: LogLevel | 'off';
  scope?: string;
}

export function createLogger(options: LoggerOptions): Logger {
  const level = order[options.level ?? 'info'];
  const stderrLevel = options.stderrLevel === 'off' ? Infinity : order[options.stderrLevel ?? 'warn'];
  const make = (scope: string): Logger => {
    const log = (lvl: LogLevel, message: string, fields?: Record<string, unknown>): void => {
      if (order[lvl] < level && order[lvl] < stderrLevel) return;
      const record = { time: new Date().toISOString(), level: lvl, scope, message, ...fields };
      if (order[lvl] >= level) {
        const line = safeStringify(record);
        for (const sink of options.sinks) sink.write(line);
      }
      if (order[lvl] >= stderrLevel) {
        const extra = fields && Object.keys(fields).length > 0 ? ` ${safeStringify(fields)}` : '';
        writeStderr(`haven ${lvl} [${scope}] ${message}${extra}\n`);
      }
    };
    return {
      debug: (m, f) => log('debug', m, f),
      info: (m, f) => log('info', m, f),
      warn: (m, f) => log('warn', m, f),
      error: (m, f) => log('error', m, f),
      child: (child) => make(`${scope}.${child}`),
    };
  };
  return make(options.scope ?? 'core');
}

let stderrGuarded = false;

/**
 * stderr may be a file on a full disk (`haven serve --daemon` sends it to serve.log); Node
 * reports a failed write to it as an uncaught error, which must not end Haven.
 */
function writeStderr(text: string): void {
  if (!stderrGuarded) {
    stderrGuarded = true;
    process.stderr.on('error', () => undefined);
  }
  try {
    process.stderr.write(text);
  } catch {
    // Lost, as a line a full disk refuses in core.log is.
  }
}

function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    return JSON.stringify({ message: String(value) });
  }
}
