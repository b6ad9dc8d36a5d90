/**
 * What the operations commands (`tail`, `dlq`, `request`, `directory`, `lag`) share: the Kafka
 * connection, `--json` output, tables for people, a progress bar for long operations.
 *
 * stdout carries only the result (a table, or one JSON document with `--json`; `tail --json`
 * writes one JSON object per line); logs and the progress bar go to stderr.
 */
import { SingleBar, Presets } from 'cli-progress';
import { InvalidArgumentError, type Command } from 'commander';
import { z } from 'zod';
import { loadConfig } from '../../../core/config.js';
import { createKafkaClient, kafkaConfigSchema, type KafkaClient } from '../../../core/kafka/index.js';
import { createLogger } from '../../../core/log.js';

const opsConfigSchema = z.object({ kafka: kafkaConfigSchema });

export interface KafkaOptions {
  readonly config?: string;
}

/** `-c, --config <file>`: where the Kafka connection comes from (with KAFKA_BROKERS and COMITY_KAFKA__*). */
export function withKafkaOptions(command: Command): Command {
  return command.option(
    '-c, --config <file>',
    'YAML file with a `kafka:` section (brokers, sasl, ssl); KAFKA_BROKERS and COMITY_KAFKA__* override it',
  );
}

export function withJsonOption(command: Command, what: string): Command {
  return command.option('--json', `print ${what} as JSON (for scripts) instead of a table`, false);
}

/** A Kafka client for an operations command; its logs go to stderr, warnings and worse only. */
export function opsKafka(options: KafkaOptions): { kafka: KafkaClient; principal?: string } {
  const config = loadConfig(opsConfigSchema, { file: options.config });
  const logger = createLogger({ name: 'comity-cli', level: process.env.COMITY_LOG_LEVEL ?? 'error', destination: process.stderr });
  return { kafka: createKafkaClient(config.kafka, logger), principal: config.kafka.sasl?.username };
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Columns padded to the widest cell; the last column is not padded. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join('  ')
      .trimEnd()
      .concat('\n');
  return [line(header), ...rows.map(line)].join('');
}

export function printTable(header: readonly string[], rows: readonly (readonly string[])[]): void {
  process.stdout.write(table(header, rows));
}

/** A JSON value as table text: strings as they are, lists joined with ", ", absent as "". */
export function cellText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return value.map(cellText).join(', ');
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value);
}

/** Shortens a cell for a table; the full text is in `--json`. */
export function clip(text: string, max = 60): string {
  const oneLine = text.replace(/\s+/g, ' ');
  return oneLine.length <= max ? oneLine : `${oneLine.slice(0, max - 1)}…`;
}

/** `--progress` / `--no-progress`: default is a bar on a terminal for long operations. */
export function withProgressOption(command: Command): Command {
  return command
    .option('--progress', 'always show the progress bar on stderr (default: only on a terminal, for 50 records or more)')
    .option('--no-progress', 'never show the progress bar');
}

export interface Progress {
  update(done: number, total: number): void;
  stop(): void;
}

/** A progress bar on stderr, or nothing: shown when forced, or on a terminal for long operations. */
export function progressBar(label: string, forced: boolean | undefined): Progress {
  let bar: SingleBar | undefined;
  return {
    update(done, total) {
      if (!bar) {
        const show = forced ?? (process.stderr.isTTY === true && total >= 50);
        if (!show) return;
        bar = new SingleBar(
          {
            format: `${label} [{bar}] {percentage}% | {value}/{total} | {eta_formatted} left`,
            stream: process.stderr,
            noTTYOutput: forced === true,
            notTTYSchedule: 250,
            hideCursor: true,
          },
          Presets.shades_classic,
        );
        bar.start(total, done);
      }
      bar.setTotal(total);
      bar.update(done);
    },
    stop() {
      bar?.stop();
    },
  };
}

/** Parses a non-negative integer option value (`--limit 10`). */
export function nonNegativeInteger(value: string): number {
  const number = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(number)) throw new InvalidArgumentError(`not a non-negative integer: ${value}`);
  return number;
}

/** Collects a repeatable option (`--offset 1 --offset 2`, or `--offset 1 2`). */
export function collectValues(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
