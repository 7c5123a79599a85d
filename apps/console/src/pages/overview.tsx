import { useEffect, useRef, useState } from 'preact/hooks';
import type { LedgerEvent } from '@zentra/sdk';
import { Badge, ErrorNote, Page, useLoad, useSession } from '../ui.js';
import { TrialBalance } from './reconciliation.js';
import { time } from '../format.js';
import { verifyChainHead, type SignedHead } from '../chain-head.js';

/** The live stream polls the tenant's log this often and keeps this many of the newest events. */
const STREAM_POLL_MS = 2_000;
const STREAM_EVENTS_MAX = 20;
const STREAM_PAGE_ROWS = 100;

/** Follows the tenant's log from the chain head (or from now on), newest first. */
function LiveEvents({ startAfter }: { startAfter: string | null }) {
  const { zentra } = useSession();
  const [events, setEvents] = useState<LedgerEvent[]>([]);
  const [error, setError] = useState<unknown>(null);
  const after = useRef<string | undefined>(undefined);
  useEffect(() => {
    after.current = startAfter !== null && BigInt(startAfter) > BigInt(STREAM_EVENTS_MAX) ? String(BigInt(startAfter) - BigInt(STREAM_EVENTS_MAX)) : undefined;
    setEvents([]);
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const page = await zentra.events.list({ ...(after.current ? { after: after.current } : {}), limit: STREAM_PAGE_ROWS } as never).page();
        if (stopped) return;
        if (page.data.length > 0) {
          after.current = (page as { next_after?: string }).next_after ?? page.data[page.data.length - 1]!.position;
          setEvents((old) => {
            const seen = new Set(old.map((e) => e.id));
            return [...page.data.filter((e) => !seen.has(e.id)).reverse(), ...old].slice(0, STREAM_EVENTS_MAX);
          });
        }
        setError(null);
      } catch (e) {
        setError(e);
      }
      if (!stopped) timer = setTimeout(poll, STREAM_POLL_MS);
    };
    void poll();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [startAfter]);
  return (
    <div class="card">
      <h2>Live event stream</h2>
      <ErrorNote error={error} />
      <ol class="stream" aria-live="polite">
        {events.map((e) => (
          <li key={e.id}>
            <span class="mono small muted">#{e.position}</span> <strong>{e.type}</strong> <span class="small muted">{time(e.occurred_at)}</span>
          </li>
        ))}
      </ol>
      {events.length === 0 && <p class="muted">Waiting for events…</p>}
    </div>
  );
}

export function Overview() {
  const session = useSession();
  const health = useLoad(() => session.zentra.health.retrieve(), []);
  const head = useLoad(() => (session.can('read_evidence') ? session.zentra.evidence.chainHead() : Promise.resolve(null)), []);
  const check = useLoad(async () => {
    const signed = head.data as SignedHead | null;
    if (!signed?.signature) return null;
    const key = (await session.zentra.evidence.publicKey()) as { public_key: string };
    return verifyChainHead(signed, key.public_key);
  }, [head.data]);
  const lag = health.data?.projection_lag as Record<string, unknown> | undefined;
  const h = head.data as { position?: string; stream_revision?: string | null; hash?: string | null; signature?: string; signed_at?: string; verified?: boolean } | null;
  return (
    <Page title="Overview" subtitle="The ledger at a glance: is it balanced, is it current, is its history signed.">
      <div class="stats">
        <div class="stat card">
          <div class="stat-label">Service</div>
          <div class="stat-value">{health.data ? <Badge status={health.data.status} tone={health.data.status === 'ok' ? 'ok' : 'bad'} /> : '…'}</div>
        </div>
        <div class="stat card">
          <div class="stat-label">Projection lag (events)</div>
          <div class="stat-value">{lag ? Object.values(lag).reduce<number>((max, v) => Math.max(max, typeof v === 'number' ? v : Number((v as { events?: number })?.events ?? 0)), 0) : '…'}</div>
        </div>
        <div class="stat card">
          <div class="stat-label">Chain head</div>
          <div class="stat-value small mono break">
            {!session.can('read_evidence') ? <span class="muted">auditors and admins</span> : h ? `#${h.position ?? h.stream_revision ?? '—'}` : '…'}
          </div>
          {h?.hash && <div class="small muted mono break">{h.hash.slice(0, 24)}…</div>}
          {h && !h.signature && <Badge status="nothing signed yet" tone="warn" />}
          {check.data && (
            <span data-testid="chain-head-check">
              <Badge status={check.data === 'verified' ? 'signature verified' : check.data === 'failed' ? 'signature failed' : 'not checkable here'} tone={check.data === 'verified' ? 'ok' : check.data === 'failed' ? 'bad' : 'warn'} />
            </span>
          )}
        </div>
      </div>
      <ErrorNote error={health.error ?? head.error} />
      <TrialBalance />
      {!head.loading && <LiveEvents startAfter={h?.position ?? h?.stream_revision ?? null} />}
    </Page>
  );
}
