/**
 * `comity keys …`: a network's (or the hub's) key pairs. `generate` writes the private keys as
 * PKCS#8 PEM files readable by their owner only (0600) and prints the `publicKeys` entries to
 * add to the federation file; `list` shows the keys a federation file declares and whether each
 * is usable now. docs/signing.md and docs/sealing.md say what the keys are for.
 */
import type { Command } from 'commander';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { keyUsableAt } from '../../../core/crypto/keyring.js';
import { defaultKeyId, generateKey, writePrivateKeyFile, type KeyPurposeName } from '../../../core/crypto/keys.js';
import { ComityError } from '../../../core/errors.js';
import { isNetworkId } from '../../../core/kafka/topics.js';
import { federationKeyring, HUB_OWNER, loadFederation } from '../../directory/federation.js';

export function registerKeysCommands(program: Command): void {
  const keys = program.command('keys').description("signing (Ed25519) and sealing (X25519) keys of networks and of the hub (docs/signing.md, docs/sealing.md)");

  keys
    .command('generate')
    .description('create key pairs: private keys as PEM files (0600), and the federation-file entries of the public keys on stdout')
    .requiredOption('--network <id>', `network id the keys belong to, or "${HUB_OWNER}" for the hub's signing key`)
    .requiredOption('--out <dir>', 'directory for the private key files (created if missing; existing files are never overwritten)')
    .option('--purpose <purpose>', 'signing, sealing or both (the hub only signs)', 'both')
    .option('--valid-from <instant>', 'start of the validity window, ISO 8601 (default: now)')
    .option('--valid-until <instant>', 'end of the validity window, ISO 8601 (default: none); overlap it with the next key to rotate')
    .action((options: { network: string; out: string; purpose: string; validFrom?: string; validUntil?: string }) => {
      const owner = options.network;
      if (owner !== HUB_OWNER && !isNetworkId(owner)) throw new ComityError('INVALID_ARGUMENT', `"${owner}" is not a network id`);
      const purposes = purposesOf(options.purpose);
      if (owner === HUB_OWNER && purposes.includes('sealing')) {
        throw new ComityError('INVALID_ARGUMENT', 'the hub never opens sealed bodies: generate only a signing key for it (--purpose signing)');
      }
      const notBefore = instant(options.validFrom, '--valid-from') ?? new Date();
      const notAfter = instant(options.validUntil, '--valid-until');
      if (notAfter && notAfter <= notBefore) throw new ComityError('INVALID_ARGUMENT', '--valid-until must be later than --valid-from');
      mkdirSync(options.out, { recursive: true, mode: 0o700 });
      const entries = purposes.map((purpose) => {
        const draft = generateKey(purpose, 'new');
        const key = { ...draft, keyId: defaultKeyId(owner, purpose, draft.publicKey) };
        const file = resolve(join(options.out, `${key.keyId.replaceAll(':', '-')}.pem`));
        if (existsSync(file)) throw new ComityError('FILE_EXISTS', `${file} exists; not overwritten`);
        writePrivateKeyFile(key, file);
        process.stderr.write(`wrote ${purpose} private key ${key.keyId} to ${file} (mode 0600)\n`);
        return {
          keyId: key.keyId,
          purpose,
          publicKey: key.publicKey.toString('base64'),
          notBefore: notBefore.toISOString(),
          ...(notAfter ? { notAfter: notAfter.toISOString() } : {}),
        };
      });
      const where = owner === HUB_OWNER ? 'under hub: publicKeys:' : `under the network "${owner}", publicKeys:`;
      process.stdout.write(`# Add to the federation file, ${where}\n${stringify(entries)}`);
      process.stdout.write(
        `# Private key config (${owner === HUB_OWNER ? 'router.signingKey and directory.signingKey' : 'the adapter\'s trust: section'}):\n` +
          entries.map((entry) => `#   { keyId: ${entry.keyId}, privateKeyFile: ${resolve(join(options.out, `${entry.keyId.replaceAll(':', '-')}.pem`))} }`).join('\n') +
          '\n',
      );
    });

  keys
    .command('list')
    .description('the public keys a federation file declares, with their windows and whether each is usable now')
    .option('--federation <file>', 'the federation file', 'deploy/config/federation.yaml')
    .option('--network <id>', `only this network's keys ("${HUB_OWNER}" for the hub's)`)
    .option('--json', 'one JSON array instead of a table', false)
    .action((options: { federation: string; network?: string; json: boolean }) => {
      const federation = loadFederation(options.federation);
      const keyring = federationKeyring(federation);
      const owners = options.network ? [options.network] : [HUB_OWNER, ...federation.networks.map((network) => network.id)];
      const now = new Date();
      const rows = owners.flatMap((owner) =>
        keyring.keysOf(owner).map((key) => ({
          owner,
          keyId: key.keyId,
          purpose: key.purpose,
          notBefore: key.notBefore?.toISOString() ?? '',
          notAfter: key.notAfter?.toISOString() ?? '',
          revokedAt: key.revokedAt?.toISOString() ?? '',
          usableNow: keyUsableAt(key, now),
        })),
      );
      if (options.json) {
        process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
        return;
      }
      if (rows.length === 0) {
        process.stdout.write(`no keys in ${options.federation}${options.network ? ` for "${options.network}"` : ''}\n`);
        return;
      }
      const header = ['OWNER', 'KEY ID', 'PURPOSE', 'NOT BEFORE', 'NOT AFTER', 'REVOKED', 'USABLE NOW'];
      const table = [header, ...rows.map((row) => [row.owner, row.keyId, row.purpose, row.notBefore || '-', row.notAfter || '-', row.revokedAt || '-', row.usableNow ? 'yes' : 'no'])];
      const widths = header.map((_, column) => Math.max(...table.map((row) => row[column]!.length)));
      for (const row of table) process.stdout.write(`${row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd()}\n`);
    });
}

function purposesOf(value: string): KeyPurposeName[] {
  if (value === 'both') return ['signing', 'sealing'];
  if (value === 'signing' || value === 'sealing') return [value];
  throw new ComityError('INVALID_ARGUMENT', `--purpose is signing, sealing or both, not "${value}"`);
}

function instant(value: string | undefined, option: string): Date | undefined {
  if (value === undefined) return undefined;
  const parsed = new Date(value);
  if (Number.isNaN(parsed.getTime())) throw new ComityError('INVALID_ARGUMENT', `${option} "${value}" is not an ISO 8601 instant`);
  return parsed;
}
