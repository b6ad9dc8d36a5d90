/** How a process reaches Kafka. Pure schema: no kafkajs here, so docs and validation share it. */
import { z } from 'zod';
import { commaList } from '../config.js';

export const kafkaConfigSchema = z
  .object({
    brokers: commaList(z.string().regex(/^[^\s:]+:\d{1,5}$/, 'expected host:port'))
      .pipe(z.array(z.string()).min(1, 'at least one broker is needed'))
      .describe('Bootstrap brokers, host:port. Environment: KAFKA_BROKERS=a:9092,b:9092.'),
    clientId: z.string().min(1).default('comity').describe('Client id shown in broker logs and quotas.'),
    sasl: z
      .object({
        mechanism: z.enum(['scram-sha-512', 'scram-sha-256', 'plain']).default('scram-sha-512'),
        username: z.string().min(1).describe('The network or service principal, e.g. `adapter-ejn`.'),
        password: z.string().min(1),
      })
      .optional()
      .describe('SASL credentials; one principal per network adapter and per hub service.'),
    ssl: z.boolean().default(false).describe('Use TLS to the brokers.'),
    connectionTimeoutMs: z.number().int().positive().default(3000),
    requestTimeoutMs: z.number().int().positive().default(30000),
  })
  .describe('Kafka connection');

export type KafkaConfig = z.output<typeof kafkaConfigSchema>;

/**
 * Consumer groups that {@link KafkaClient.readToEnd} creates for one pass over a topic start
 * with this prefix, so one PREFIXED ACL (`comity-read.<principal>.`) lets a principal read
 * state topics without being allowed any group another principal uses. The `.` after the
 * principal keeps `adapter-ejn` from matching `adapter-ejn-x`'s groups (network ids have no dots).
 */
export function readerGroupPrefix(principal?: string): string {
  return principal === undefined ? 'comity-read.' : `comity-read.${principal}.`;
}
