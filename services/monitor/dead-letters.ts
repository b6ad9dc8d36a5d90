/**
 * What the monitor needs from the dead-letter operations (listing a network's DLQ, redriving
 * letters back into their flow). The operations themselves live with the operations CLI
 * (`comity dlq …`); the monitor's HTTP API and gRPC MonitorService call them through this
 * interface, so the dashboard, the gRPC API and the CLI redrive the same way.
 */
import type { KafkaClient } from '../../core/kafka/index.js';
import { listDeadLetters, redriveDeadLetters } from '../ops/dlq.js';

export interface DeadLetterView {
  /** `<topic>/<partition>/<offset>` of the dead-letter record. */
  readonly id: string;
  readonly network: string;
  readonly stage: string;
  readonly code: string;
  readonly reason: string;
  readonly retriable: boolean;
  readonly attempts: number;
  readonly eventId: string;
  readonly eventType: string;
  readonly requestId: string;
  /** RFC 3339. */
  readonly failedAt: string;
  readonly failedBy: string;
  /** Already redriven (by the CLI, the dashboard or the gRPC API). */
  readonly redriven: boolean;
}

export interface RedriveOutcome {
  readonly redriven: number;
  /** Selected but not redriven (already redriven, gone, not redrivable), by id. */
  readonly notRedriven: readonly string[];
}

export interface DeadLetterOperations {
  list(kafka: KafkaClient, options: { network: string; reason?: string; limit?: number }): Promise<DeadLetterView[]>;
  redrive(
    kafka: KafkaClient,
    options: { network: string; reason?: string; ids?: readonly string[]; dryRun?: boolean; note?: string },
  ): Promise<RedriveOutcome>;
}

/** The operations of services/ops (the same code as `comity dlq list|redrive`). */
export function opsDeadLetterOperations(by: string): DeadLetterOperations {
  return {
    async list(kafka, options) {
      const letters = await listDeadLetters(kafka, { network: options.network, reason: options.reason, limit: options.limit });
      // Most recent first: that is what an operator looks for.
      return letters.reverse().map((letter) => ({
        id: letter.id,
        network: letter.network,
        stage: letter.stage,
        code: letter.code,
        reason: letter.reason,
        retriable: letter.retriable,
        attempts: letter.attempts ?? 0,
        eventId: letter.eventId ?? '',
        eventType: letter.eventType ?? '',
        requestId: letter.requestId ?? '',
        failedAt: letter.failedAt || letter.timestamp,
        failedBy: letter.failedBy,
        redriven: letter.redrive?.state === 'done',
      }));
    },
    async redrive(kafka, options) {
      const report = await redriveDeadLetters(kafka, {
        network: options.network,
        reason: options.reason,
        offsets: options.ids && options.ids.length > 0 ? options.ids : undefined,
        dryRun: options.dryRun,
        by: options.note ? `${by}: ${options.note}` : by,
      });
      return { redriven: report.redriven.length, notRedriven: report.skipped.map((skip) => skip.id) };
    },
  };
}
