import { pino, type Logger } from 'pino';
import { build as pinoPretty } from 'pino-pretty';

/**
 * The server's root logger: JSON lines for machines, or pino-pretty (in-process, synchronous, so
 * the last lines before exit are not lost) for people.
 */
export function createLogger(level: string, format: 'pretty' | 'json'): Logger {
  if (format === 'json') return pino({ name: 'hearth', level });
  return pino(
    { name: 'hearth', level },
    pinoPretty({ colorize: process.stdout.isTTY ?? false, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname,name', singleLine: true, sync: true }),
  );
}
