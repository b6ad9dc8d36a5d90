/**
 * A record written through core is an ordinary Kafka record: kcat shows the CloudEvents
 * headers, and protoc decodes its value as comity.v1.Event from the files in proto/.
 *
 * Needs `kcat` and `protoc` (Debian: kcat, protobuf-compiler). .ci/run installs both and sets
 * COMITY_REQUIRE_TOOLS=1, so there a missing tool fails the test instead of skipping it.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Classification, Event } from '../../core/gen/comity/v1/event.js';
import { eventToRecord } from '../../core/events/codec.js';
import { newEventId } from '../../core/events/ids.js';
import { topics } from '../../core/kafka/index.js';
import { createTopics, kcatArgs, testKafka, uniqueNetworkId } from '../support/kafka.js';

const tools = ['kcat', 'protoc'].filter((tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0);
const required = process.env.COMITY_REQUIRE_TOOLS === '1';

describe.runIf(tools.length === 0 || required)('records read by generic Kafka tools', () => {
  it('kcat sees the headers and protoc decodes the value', async () => {
    expect(tools, `missing tools: ${tools.join(', ')}`).toEqual([]);
    const kafka = testKafka();
    const network = uniqueNetworkId();
    const topic = topics.inbound(network);
    await createTopics(kafka, [topic], 1);
    const event = Event.fromPartial({
      id: newEventId(),
      source: `comity://networks/${network}/adapter`,
      type: 'comity.v1.RequestSubmitted',
      time: new Date('2026-11-27T09:30:00Z'),
      subject: 'req-kcat-1',
      originNetwork: network,
      targets: [{ state: 'BR', network: 'iberred' }],
      classification: Classification.CLASSIFICATION_RESTRICTED,
      language: 'pt-BR',
      provenance: { nativeFormat: 'iberred-json', mappingVersion: '1.0.0', nativeSha256: Buffer.alloc(32, 7) },
      data: Buffer.from('body'),
    });
    const producer = await kafka.producer();
    await producer.send(topic, [eventToRecord(event)]);
    await producer.disconnect();

    const kcat = (format: string): Buffer =>
      execFileSync('kcat', ['-C', ...kcatArgs(), '-t', topic, '-o', 'beginning', '-c', '1', '-e', '-q', '-f', format], {
        timeout: 30_000,
      });

    const headers = kcat('%h').toString();
    expect(headers).toContain(`ce_id=${event.id}`);
    expect(headers).toContain('ce_type=comity.v1.RequestSubmitted');
    expect(headers).toContain('ce_subject=req-kcat-1');
    expect(headers).toContain('ce_specversion=1.0');
    expect(headers).toContain('content-type=application/protobuf');
    expect(kcat('%k').toString()).toBe('req-kcat-1');

    const protoFiles = readdirSync('proto/comity/v1').map((file) => `comity/v1/${file}`);
    const decoded = execFileSync('protoc', ['-I', 'proto', '--decode', 'comity.v1.Event', ...protoFiles], {
      input: kcat('%s'),
    }).toString();
    expect(decoded).toContain(`id: "${event.id}"`);
    expect(decoded).toContain('type: "comity.v1.RequestSubmitted"');
    expect(decoded).toContain('subject: "req-kcat-1"');
    expect(decoded).toContain('classification: CLASSIFICATION_RESTRICTED');
    expect(decoded).toContain('native_format: "iberred-json"');
  });
});
