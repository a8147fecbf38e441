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

/** JSON lines appended to a file; each line is one record. */
export function fileSink(file: string): LogSink {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const fd = fs.openSync(file, 'a');
  let open = true;
  return {
    write(line) {
      if (open) fs.writeSync(fd, line + '\n');
    },
    close() {
      if (!open) return;
      open = false;
      fs.closeSync(fd);
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
        process.stderr.write(`haven ${lvl} [${scope}] ${message}${extra}\n`);
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

function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    return JSON.stringify({ message: String(value) });
  }
}
