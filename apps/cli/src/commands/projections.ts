import { Pool } from 'pg';
import type { EventStore } from '#event-store/index.js';
import { Projection, rebuildProjection, rebuildProjections, verifyProjection } from '#projection-runtime/index.js';
import { ALL_PROJECTIONS } from '#projections/index.js';
import { UsageError } from '../args.js';

function chosen(words: string[], options: Record<string, string | true>): readonly Projection[] {
  if (options.all) return ALL_PROJECTIONS;
  const name = words[2];
  if (!name) throw new UsageError(`name a projection (${ALL_PROJECTIONS.map((p) => p.name).join(', ')}) or pass --all`);
  const projection = ALL_PROJECTIONS.find((p) => p.name === name);
  if (!projection) throw new UsageError(`unknown projection ${name}; known: ${ALL_PROJECTIONS.map((p) => p.name).join(', ')}`);
  return [projection];
}

/** `projections rebuild|verify [name|--all]`. */
export async function projectionsCommand(
  pool: Pool,
  store: EventStore,
  words: string[],
  options: Record<string, string | true>,
  out: (line: string) => void,
  err: (line: string) => void,
): Promise<number> {
  const action = words[1];
  if (action === 'rebuild') {
    const projections = chosen(words, options);
    if (projections.length > 1) {
      // Several (--all): one pass over the log feeds every shadow, instead of one pass each.
      err(`rebuilding ${projections.map((p) => p.name).join(', ')} into shadow tables from position 0, in one pass over the log`);
      const result = await rebuildProjections(pool, store, projections, (p) =>
        err(`  ${p.projection}: position ${p.position}/${p.head}, ${p.applied} events, ${p.events_per_second} events/s, ETA ${p.eta_seconds ?? '?'} s`),
      );
      for (const p of result.projections) {
        const rate = p.apply_seconds > 0 ? Math.round(p.applied / p.apply_seconds) : p.applied;
        out(`${p.projection}: rebuilt and swapped at position ${p.position} (${p.applied} events, ${p.apply_seconds.toFixed(1)} s applying, ${rate} events/s; ${p.finish_seconds.toFixed(1)} s finishing: indexes built, tables logged)`);
      }
      const rate = result.seconds > 0 ? Math.round(result.events / result.seconds) : result.events;
      out(`all ${result.projections.length}: ${result.events} log events read once in ${result.seconds.toFixed(1)} s (${rate} events/s)`);
      return 0;
    }
    for (const projection of projections) {
      err(`rebuilding ${projection.name} into shadow tables from position 0`);
      const result = await rebuildProjection(pool, store, projection, (p) =>
        err(`  ${p.projection}: position ${p.position}/${p.head}, ${p.applied} events, ${p.events_per_second} events/s, ETA ${p.eta_seconds ?? '?'} s`),
      );
      const rate = result.seconds > 0 ? Math.round(result.applied / result.seconds) : result.applied;
      out(`${projection.name}: rebuilt and swapped at position ${result.position} (${result.applied} events in ${result.seconds.toFixed(1)} s, ${rate} events/s)`);
    }
    return 0;
  }
  if (action === 'verify') {
    let differ = 0;
    for (const projection of chosen(words, options)) {
      const result = await verifyProjection(pool, store, projection);
      if (options.json) out(JSON.stringify(result));
      else out(`${result.projection} @ ${result.position}: live ${result.live_hash}  rebuilt ${result.rebuilt_hash}  ${result.identical ? 'identical' : 'DIFFERENT'}`);
      if (!result.identical) differ++;
    }
    return differ > 0 ? 1 : 0;
  }
  throw new UsageError('projections takes rebuild or verify');
}
