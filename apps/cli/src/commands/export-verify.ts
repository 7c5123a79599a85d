import { createReadStream, readFileSync } from 'node:fs';
import readline from 'node:readline';
import { Pool } from 'pg';
import { ChainHeadSigner, MasterKey, verifyChain, verifyHead } from '#audit/index.js';
import type { EventStore } from '#event-store/index.js';
import { ledgerStream, REPLAY_PAGE } from '#write-model/index.js';
import { requireOption, UsageError } from '../args.js';
import { parseUntil } from './replay.js';

/**
 * `export --tenant <id> [--until <time|position>]`: the tenant's events with their hashes, one
 * JSON object per line, closed by the signed head of exactly the exported chain.
 */
export async function exportCommand(pool: Pool, store: EventStore, masterKey: string, options: Record<string, string | true>, out: (line: string) => void): Promise<number> {
  const tenantId = requireOption(options, 'tenant');
  const until = parseUntil(options.until);
  const untilTime = until && 'time' in until ? Date.parse(until.time) : null;
  const signer = new ChainHeadSigner(pool, store, new MasterKey(masterKey));
  const publicKey = await signer.publicKey(tenantId);
  if (!publicKey) throw new UsageError(`no tenant ${tenantId}`);
  out(JSON.stringify({ kind: 'header', tenant_id: tenantId, exported_at: new Date().toISOString(), algorithm: 'ed25519', public_key: publicKey }));
  let last: { revision: bigint; position: bigint; hash: string } | null = null;
  let fromRevision = 0n;
  for (let done = false; !done; ) {
    const page = await store.readStream(ledgerStream(tenantId), { fromRevision, maxCount: REPLAY_PAGE });
    for (const event of page) {
      if ((until && 'position' in until && event.position > until.position) || (untilTime !== null && Date.parse(event.metadata.occurred_at) > untilTime)) {
        done = true;
        break;
      }
      out(JSON.stringify({ kind: 'event', position: event.position.toString(), stream_revision: event.revision.toString(), id: event.id, type: event.type, data: event.data, metadata: event.metadata }));
      last = { revision: event.revision, position: event.position, hash: String(event.metadata.hash) };
    }
    if (page.length < REPLAY_PAGE) done = true;
    else fromRevision = page[page.length - 1].revision + 1n;
  }
  if (last) {
    const head = await signer.sign({ tenant_id: tenantId, stream_revision: last.revision.toString(), position: last.position.toString(), hash: last.hash });
    out(JSON.stringify({ kind: 'signed_head', ...head }));
  }
  return 0;
}

/**
 * `verify <bundle.jsonl> --public-key <file>`: checks the chain and the head's signature with no
 * database; reports the first broken link (position and event id). Exit 0 only if all holds.
 */
export async function verifyCommand(words: string[], options: Record<string, string | true>, out: (line: string) => void): Promise<number> {
  const file = words[1];
  if (!file) throw new UsageError('verify takes the bundle file: verify bundle.jsonl --public-key <file>');
  const keyFile = requireOption(options, 'public-key');
  const keyText = readFileSync(keyFile, 'utf8').trim();
  const publicKey = keyText.startsWith('{') ? JSON.parse(keyText).public_key : keyText;
  const events: any[] = [];
  let head: any = null;
  let lineNumber = 0;
  const lines = readline.createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  for await (const line of lines) {
    lineNumber++;
    if (!line.trim()) continue;
    let record: any;
    try {
      record = JSON.parse(line);
    } catch {
      out(`BROKEN at line ${lineNumber}: not valid JSON`);
      return 1;
    }
    if (record.kind === 'event') events.push(record);
    else if (record.kind === 'signed_head') head = record;
  }
  const chain = verifyChain(events.map((e) => ({ position: e.position, id: e.id, type: e.type, data: e.data, metadata: e.metadata })));
  if (!chain.ok) {
    out(`BROKEN at position ${chain.position}, event ${chain.event_id}: ${chain.reason}`);
    return 1;
  }
  if (!head) {
    out(events.length ? 'BROKEN: the bundle has no signed head' : 'empty bundle: nothing to verify');
    return events.length ? 1 : 0;
  }
  if (head.hash !== chain.head) {
    out(`BROKEN: the signed head ${head.hash} is not the end of the chain (${chain.head})`);
    return 1;
  }
  if (!verifyHead(head, head.signature, publicKey)) {
    out(`BROKEN: the head's signature does not verify with ${keyFile}`);
    return 1;
  }
  out(`verified: ${chain.events} events, chain head ${chain.head} at revision ${head.stream_revision}, Ed25519 signature valid`);
  return 0;
}
