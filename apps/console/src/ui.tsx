import { createContext, type ComponentChildren } from 'preact';
import { useCallback, useContext, useEffect, useRef, useState } from 'preact/hooks';
import { signOut, type Session } from './session.js';
import { money } from './format.js';

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in console');
  return session;
}

/** Rows per page of every list (the API pages server-side; the console never loads a whole list). */
export const PAGE_ROWS = 25;

interface Loaded<T> {
  data: T | null;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

/** One request's answer, reloaded when `deps` change; a stale answer never overwrites a newer one. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data: T | null; error: unknown; loading: boolean }>({ data: null, error: null, loading: true });
  const [tick, setTick] = useState(0);
  const seq = useRef(0);
  useEffect(() => {
    const mine = ++seq.current;
    setState((s) => ({ ...s, loading: true, error: null }));
    load().then(
      (data) => mine === seq.current && setState({ data, error: null, loading: false }),
      (error) => mine === seq.current && setState({ data: null, error, loading: false }),
    );
  }, [...deps, tick]);
  return { ...state, reload: useCallback(() => setTick((t) => t + 1), []) };
}

export interface PageOf<T> {
  data: T[];
  next_cursor?: string | null;
}

/** A server-paged list: the cursors seen so far make "Previous" possible without refetching from the start. */
export function usePaged<T>(fetchPage: (cursor: string | undefined) => Promise<PageOf<T>>, deps: unknown[]) {
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  useEffect(() => setCursors([undefined]), deps);
  const cursor = cursors[cursors.length - 1];
  const page = useLoad(() => fetchPage(cursor), [...deps, cursor]);
  const nextCursor = page.data?.next_cursor ?? null;
  return {
    ...page,
    rows: page.data?.data ?? [],
    pageNumber: cursors.length,
    next: nextCursor ? () => setCursors((c) => [...c, nextCursor]) : null,
    previous: cursors.length > 1 ? () => setCursors((c) => c.slice(0, -1)) : null,
  };
}

export function Pager(props: { pageNumber: number; next: (() => void) | null; previous: (() => void) | null; label: string }) {
  return (
    <nav class="pager" aria-label={`${props.label} pages`}>
      <button type="button" class="ghost" disabled={!props.previous} onClick={() => props.previous?.()}>
        ← Previous
      </button>
      <span>Page {props.pageNumber}</span>
      <button type="button" class="ghost" disabled={!props.next} onClick={() => props.next?.()}>
        Next →
      </button>
    </nav>
  );
}

/** `plain`: the sign-in form, where a 401 means a wrong key, not one revoked under an open tab. */
export function ErrorNote({ error, plain }: { error: unknown; plain?: boolean }) {
  if (!error) return null;
  const e = error as { status?: number; code?: string; message?: string };
  if (e.status === 401 && !plain) {
    // Revoked or expired while the tab was open: the stored key is of no further use.
    return (
      <div class="error" role="alert">
        <strong>unauthenticated</strong> This API key is no longer accepted (revoked or expired).{' '}
        <button
          type="button"
          class="secondary"
          onClick={() => {
            signOut();
            window.location.assign('/console');
          }}
        >
          Sign in again
        </button>
      </div>
    );
  }
  return (
    <div class="error" role="alert">
      <strong>{e.code ?? 'error'}</strong> {e.message ?? String(error)}
    </div>
  );
}

export function Loading({ loading }: { loading: boolean }) {
  return loading ? <p class="muted" aria-live="polite">Loading…</p> : null;
}

export function Badge({ status, tone }: { status: string; tone?: string }) {
  return <span class={`badge badge-${tone ?? status}`}>{status}</span>;
}

export function Money({ amount, currency }: { amount: string | null | undefined; currency: string }) {
  const negative = amount?.startsWith('-');
  return <span class={`money${negative ? ' negative' : ''}`}>{money(amount, currency)}</span>;
}

export function Page(props: { title: string; subtitle?: string; actions?: ComponentChildren; children: ComponentChildren }) {
  useEffect(() => {
    document.title = `${props.title} · Zentra Ledger`;
  }, [props.title]);
  return (
    <section class="page">
      <header class="page-header">
        <div>
          <h1>{props.title}</h1>
          {props.subtitle && <p class="muted">{props.subtitle}</p>}
        </div>
        {props.actions && <div class="page-actions">{props.actions}</div>}
      </header>
      {props.children}
    </section>
  );
}

/** A page part the key's role may not read: said plainly instead of a 403. */
export function NotForRole({ what }: { what: string }) {
  const { role } = useSession();
  return (
    <div class="card notice">
      A <strong>{role}</strong> key cannot read {what}. Sign in with a key whose role may.
    </div>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <p class="empty">{children}</p>;
}

/** A button that asks for a note (a reason) before it acts, and shows the API's refusal if any. */
export function ActionWithNote(props: { label: string; noteLabel: string; onConfirm: (note: string) => Promise<unknown>; danger?: boolean }) {
  const [open, setOpen] = useState(false);
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  if (!open) {
    return (
      <button type="button" class={props.danger ? 'danger' : 'secondary'} onClick={() => setOpen(true)}>
        {props.label}
      </button>
    );
  }
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await props.onConfirm(note);
      setOpen(false);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="inline-form" onSubmit={submit}>
      <label>
        {props.noteLabel}
        <input value={note} onInput={(e) => setNote((e.target as HTMLInputElement).value)} maxLength={500} />
      </label>
      <button type="submit" class={props.danger ? 'danger' : 'primary'} disabled={busy}>
        Confirm {props.label.toLowerCase()}
      </button>
      <button type="button" class="ghost" onClick={() => setOpen(false)}>
        Cancel
      </button>
      <ErrorNote error={error} />
    </form>
  );
}

/** A one-click action with its own busy state and error. */
export function ActionButton(props: { label: string; onClick: () => Promise<unknown>; kind?: string }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  return (
    <span class="action">
      <button
        type="button"
        class={props.kind ?? 'secondary'}
        disabled={busy}
        onClick={async () => {
          setBusy(true);
          setError(null);
          try {
            await props.onClick();
          } catch (e) {
            setError(e);
          } finally {
            setBusy(false);
          }
        }}
      >
        {props.label}
      </button>
      <ErrorNote error={error} />
    </span>
  );
}
