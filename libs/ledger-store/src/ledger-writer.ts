import { DataSource, QueryRunner } from 'typeorm';
import {
  AppliedEvent,
  ApplyOutcome,
  BillingEvent,
  ControlEvent,
  GradePolicy,
  LedgerEvent,
  applyControlChain,
  applyWithRules,
  CustomerState,
  decide,
  deserializeState,
  evaluatePosition,
  fromStored,
  initialState,
  type StoredEventRow,
  serializeState,
  toStoredPayload,
} from '@credit-ledger/domain';
import {
  AppendResult,
  GradeChange,
  InboundEvent,
  MessageOrigin,
  Rejection,
  contentHash,
  storableText,
  storedEnvelope,
} from './inbound';
import { OutboxAlert, alertOf, insertOutbox } from './alert-outbox';
import { RecordedGradeChange, gradeChangeOf } from './grade-change';
import { PolicyStore, Queryable } from './policy-store';
import {
  ALERT_OUTBOX_CHANNEL,
  LEDGER_APPENDED_CHANNEL,
  LedgerChannel,
  REJECTED_CHANNEL,
} from './ledger-notifications';
import { ADVISORY_LOCKS } from './advisory-locks';
import { ResidentStates } from './resident-states';

/**
 * Appends hold this transaction-scoped lock SHARED: they never wait for one another (per-customer order comes
 * from partition ownership and the stream version). The rare actions that must fall between two appends — policy
 * adoption, the projection swap of a rebuild, a settled head — take it EXCLUSIVE: once they hold it, every append
 * that started before has committed, and every later one reserves higher sequences (docs/guarantees.md).
 */
export const APPEND_LOCK = ADVISORY_LOCKS.append;
/** Attempts of one append whose stream version or idempotency key another writer took first (then: transient). */
const CONFLICT_ATTEMPTS = 8;
export const POSITIONS_CHECKPOINT = 'customer_positions';
/**
 * Many JSON texts (states, ratings) go as ONE text parameter split by PostgreSQL's string_to_table on U+001E, a
 * control character JSON always escapes. A text[] literal (pg's escaping in node) or a JSON array (PostgreSQL's
 * JSON parser) cost several times more CPU for thousands of quote-heavy strings (README, Performance).
 */
const JSON_TEXT_SEPARATOR = '\u001e';
const splitJsonTexts = (param: string): string => `string_to_table(${param}::text, E'\\x1e')`;

interface Parked {
  item: InboundEvent;
  hash: string;
  code: string;
  reason: string;
  fromDb: boolean;
}

/** An inbound event past the key check, with its content hash. */
interface Admitted extends InboundEvent {
  hash: string;
}

/** Which parked events an append retries: all of its customers' (the default), none, or one by key. */
export type ParkedRetry = 'all' | 'none' | { source: string; eventId: string; customerId: string };

export interface AppendOptions {
  retryParked?: ParkedRetry;
}

export interface LedgerWriterOptions {
  /**
   * Estimated heap the writer may keep customer states in between appends (ResidentStates); 0 keeps none.
   * Default 64 MB.
   */
  residentStateBytes?: number;
}

export const DEFAULT_RESIDENT_STATE_BYTES = 64 * 1024 * 1024;

interface LedgerRow {
  sequence: string;
  /** origin null: a control event the ledger derived itself. */
  item: { event: LedgerEvent; origin: MessageOrigin | null };
  streamVersion: number;
  hash: string;
}

/**
 * Replaces the personal data of a chunk by its sealed form: events (whose content hash is then that of the sealed
 * form, the same for a redelivery) and the raw bytes and reasons of the messages. Runs in the append transaction.
 */
export interface InboundSealer {
  seal(
    q: Queryable,
    inbound: InboundEvent[],
    invalid: Rejection[],
  ): Promise<{ inbound: InboundEvent[]; invalid: Rejection[] }>;
}

/** Work that must commit or roll back with the control events appended (e.g. destroying a data key). */
export type InTransaction = (q: Queryable, appended: ControlAppendResult['events']) => Promise<void>;

/** A time-driven rule run by a job: the control events due for a customer's current state. */
export type ControlRule = (state: CustomerState, policy: GradePolicy) => ControlEvent[];

export interface ControlAppendResult {
  /** Customers whose state the rule was evaluated on under the lock (those with something due). */
  evaluated: number;
  appended: number;
  events: Array<{ sequence: string; event: ControlEvent }>;
}

/** Everything one append transaction decided, before it is written. */
class AppendPlan {
  readonly rows: LedgerRow[] = [];
  readonly rejected: Rejection[] = [];
  readonly newlyParked: Parked[] = [];
  readonly unparkedFromDb: Parked[] = [];
  readonly gradeChanges: RecordedGradeChange[] = [];
  readonly alerts: OutboxAlert[] = [];
  readonly touched = new Set<string>();
  duplicates = 0;
  /** Sequences taken; past the reservation they are placeholders, and the append runs again with more. */
  used = 0;

  constructor(private readonly sequences: string[]) {}

  takeSequence(): string {
    const s = this.sequences[this.used++];
    return s ?? '0';
  }

  get reserved(): number {
    return this.sequences.length;
  }

  /** Derived control events needed more sequences than reserved: nothing of this plan may be written. */
  checkReservation(): void {
    if (this.used > this.reserved) throw new SequencesExhausted(this.used);
  }

  /** Rows of control events derived in this transaction. */
  get derivedCount(): number {
    let n = 0;
    for (const r of this.rows) if (r.item.origin === null) n++;
    return n;
  }

  /**
   * Records an applied event: its row, grade change and alert. `hash`: the content hash the idempotency gate
   * already computed for an inbound event (a sha256 of canonical JSON per event is worth not doing twice).
   */
  record(
    state: CustomerState,
    applied: AppliedEvent,
    origin: MessageOrigin | null,
    outcome: ApplyOutcome,
    hash?: string,
  ): void {
    const event = applied.event;
    this.rows.push({
      sequence: applied.sequence,
      item: { event, origin },
      streamVersion: applied.streamVersion,
      hash: hash ?? contentHash(event),
    });
    this.touched.add(event.customerId);
    const change = gradeChangeOf(event.customerId, applied, outcome);
    if (change) this.gradeChanges.push(change);
    const alert = alertOf(state, applied, outcome);
    if (alert) this.alerts.push(alert);
  }
}

export function rejectionOf(
  origin: MessageOrigin,
  code: string,
  reason: string,
  event?: BillingEvent,
  hash?: string,
): Rejection {
  return {
    origin,
    code,
    reason,
    source: event?.source,
    eventId: event?.eventId,
    customerId: event?.customerId,
    contentHash: hash ?? (event ? contentHash(event) : undefined),
  };
}

/**
 * The only writer of the ledger. One call = one transaction: dedupe by idempotency key, decide each event
 * against its customer's state, append the accepted ones, fold them into the customer projection, record
 * grade changes, rejections and parked events. The caller commits
 * Kafka offsets only after this resolves.
 */
export class LedgerWriter {
  private sequenceName: string | null = null;
  /**
   * Derived control events per admitted event lately (decaying maximum): reserved on top, so an append rarely runs
   * twice for want of sequences. Unused reserved numbers are gaps, which the sequence may have (it orders).
   */
  private derivedRatio = 0;
  /** States of the customers this writer appended to lately, checked against the stored stream version. */
  readonly resident: ResidentStates;

  /** `sealer`: personal data sealed before anything of a chunk is hashed or stored (libs/personal-data). */
  constructor(
    private readonly ds: DataSource,
    private readonly policies: PolicyStore,
    private readonly sealer: InboundSealer | null = null,
    opts: LedgerWriterOptions = {},
  ) {
    this.resident = new ResidentStates(opts.residentStateBytes ?? DEFAULT_RESIDENT_STATE_BYTES);
  }

  async append(
    inbound: InboundEvent[],
    invalid: Rejection[] = [],
    opts: AppendOptions = {},
  ): Promise<AppendResult> {
    return this.inTransaction((qr, notify, atLeast, afterCommit) =>
      this.appendInTransaction(qr, notify, atLeast, afterCommit, inbound, invalid, opts.retryParked ?? 'all'),
    );
  }

  /**
   * Appends the control events `rule` finds due for each customer, with their alerts, in one transaction. The rule
   * is first evaluated on a read outside it to skip customers with nothing due, then again in it on the current
   * state; a concurrent append to the same customer takes its stream version first and this one runs again, so
   * concurrent runs of the same job and ingestion in between never produce an event twice or one that no longer
   * applies.
   */
  async appendControl(
    customerIds: string[],
    rule: ControlRule,
    alsoInTransaction?: InTransaction,
  ): Promise<ControlAppendResult> {
    const reader = this.ds.createQueryRunner();
    const preview = await this.loadStates(reader, customerIds).finally(() => reader.release());
    // Refreshed: a version another process adopted must decide which customers have something due.
    const policyNow = await this.policies.refresh();
    let estimate = 0;
    const due: string[] = [];
    for (const id of customerIds) {
      const s = preview.get(id);
      const n = s ? rule(s, policyNow).length : 0;
      if (n > 0) due.push(id);
      // Each event may bring collection tasks (one opened, one closed): reserved up front, not retried for.
      estimate += 3 * n;
    }
    if (due.length === 0) return { evaluated: 0, appended: 0, events: [] };
    return this.inTransaction(async (qr, notify, atLeast) => {
      await qr.query('SELECT pg_advisory_xact_lock_shared($1)', [APPEND_LOCK]);
      // A preview state still at the stored stream version is current: only the others are loaded again.
      const versions: Array<{ customer_id: string; stream_version: number }> = await qr.query(
        'SELECT customer_id, stream_version FROM customer_positions WHERE customer_id = ANY($1::text[])',
        [due],
      );
      const states = new Map<string, CustomerState>();
      const stale: string[] = [];
      for (const v of versions) {
        const p = preview.get(v.customer_id);
        if (p && p.streamVersion === v.stream_version) states.set(v.customer_id, p);
        else stale.push(v.customer_id);
      }
      for (const [id, s] of await this.loadStates(qr, stale)) states.set(id, s);
      const policy = await this.policies.refresh(qr);
      const plan = new AppendPlan(await this.reserveSequences(qr, Math.max(estimate, atLeast)));
      const events: ControlAppendResult['events'] = [];
      for (const id of due) {
        const state = states.get(id);
        if (!state) continue;
        for (const event of rule(state, policy)) {
          // The event and the collection tasks it opens or closes.
          for (const r of applyControlChain(state, event, policy, () => plan.takeSequence())) {
            plan.record(state, r.applied, null, r.outcome);
            events.push({ sequence: r.applied.sequence, event: r.applied.event as ControlEvent });
          }
        }
      }
      plan.checkReservation();
      await this.write(qr, plan, states, notify);
      if (alsoInTransaction) await alsoInTransaction(qr, events);
      return { evaluated: due.length, appended: events.length, events };
    });
  }

  /**
   * Runs `fn` in its own transaction and commits what it returns, then wakes the listeners of the channels `fn`
   * named. Another writer that took a stream version or an idempotency key first (a partition changing owner)
   * rolls this one back, and `fn` runs again on reloaded states, where its events are then duplicates or follow
   * the other's; so does a fold that needed more sequences than reserved (`atLeast` then says how many).
   *
   * NOTIFY goes after the commit, in a transaction of its own: a transaction that notifies takes one cluster-wide
   * lock from its commit record to its end, which would serialise every append's commit (and its WAL flush).
   * Notifications are wake-up calls; a crash between the two leaves the listeners to their next poll.
   */
  private async inTransaction<T>(
    fn: (
      qr: QueryRunner,
      notify: Set<LedgerChannel>,
      atLeast: number,
      afterCommit: Array<() => void>,
    ) => Promise<T>,
  ): Promise<T> {
    let atLeast = 0;
    for (let attempt = 1; ; attempt++) {
      const qr = this.ds.createQueryRunner();
      await qr.connect();
      try {
        const notify = new Set<LedgerChannel>();
        const afterCommit: Array<() => void> = [];
        await qr.startTransaction();
        const result = await fn(qr, notify, atLeast, afterCommit);
        await qr.commitTransaction();
        for (const f of afterCommit) f();
        if (notify.size)
          await qr
            .query('SELECT pg_notify(c, $2) FROM unnest($1::text[]) AS c', [[...notify], ''])
            .catch(() => undefined);
        return result;
      } catch (err) {
        await qr.rollbackTransaction().catch(() => undefined);
        if (err instanceof SequencesExhausted) {
          atLeast = err.needed;
          continue;
        }
        if (
          attempt < CONFLICT_ATTEMPTS &&
          (isUniqueViolation(err, 'ledger_events_stream_version') ||
            isUniqueViolation(err, 'ledger_events_idempotency'))
        )
          continue;
        throw err;
      } finally {
        await qr.release();
      }
    }
  }

  private async appendInTransaction(
    qr: QueryRunner,
    notify: Set<LedgerChannel>,
    atLeast: number,
    afterCommit: Array<() => void>,
    inbound: InboundEvent[],
    invalid: Rejection[],
    retry: ParkedRetry,
  ): Promise<AppendResult> {
    // The (shared) lock and the states of every customer in the chunk come first, before anything is written:
    // the transaction gets its id (and its sequences) only after it has read its customers' states, so a
    // customer's events get rising transaction ids and sequences in stream order (docs/guarantees.md). Then,
    // queued together on the connection (each a round trip otherwise): sealing personal data (it may create
    // keys), the known-key check, the parked events, and the policy version.
    const chunkCustomers = [...new Set(inbound.map((i) => i.event.customerId))];
    if (typeof retry === 'object' && !chunkCustomers.includes(retry.customerId))
      chunkCustomers.push(retry.customerId);
    const first = statementLane(qr);
    void first.query('SELECT pg_advisory_xact_lock_shared($1)', [APPEND_LOCK]);
    // Resident states are taken out for the transaction (the fold mutates them) and go back only on commit.
    const jsonLengths = new Map<string, number>();
    const statesP = this.loadCurrentStates(
      first,
      chunkCustomers,
      this.resident.take(chunkCustomers),
      jsonLengths,
    );
    first.pending.push(statesP);
    await settleAll(first.pending);
    if (this.sealer) ({ inbound, invalid } = await this.sealer.seal(qr, inbound, invalid));
    const lane = statementLane(qr);
    const freshP = this.admitKeys(lane, inbound);
    const parkedP =
      retry === 'none'
        ? Promise.resolve(new Map<string, Parked[]>())
        : this.loadParked(lane, chunkCustomers, retry);
    // Under the lock, so a version adopted by another process grades exactly the sequences after its adoption
    // (adoption holds the lock exclusively: no append straddles it).
    const policyP = this.policies.refresh(lane);
    lane.pending.push(freshP, parkedP, policyP);
    await settleAll(lane.pending);
    const [fresh, states, parked, policy] = [await freshP, await statesP, await parkedP, await policyP];
    const needed = fresh.items.length + [...parked.values()].reduce((n, list) => n + list.length, 0);
    const estimate = needed + Math.ceil(needed * this.derivedRatio);
    const plan = new AppendPlan(await this.reserveSequences(qr, Math.max(estimate, atLeast)));
    plan.duplicates = fresh.duplicates;
    plan.rejected.push(...invalid, ...fresh.conflicts);

    const stateOf = (customerId: string): CustomerState => {
      let s = states.get(customerId);
      if (!s) {
        s = initialState(customerId);
        states.set(customerId, s);
      }
      return s;
    };
    const accept = (item: Admitted): void => {
      const state = stateOf(item.event.customerId);
      const applied: AppliedEvent = {
        event: item.event,
        sequence: plan.takeSequence(),
        streamVersion: state.streamVersion + 1,
      };
      // Control events the rules derive (held order, release, limit breach) follow their cause directly.
      const { outcome, derived } = applyWithRules(state, applied, policy, () => plan.takeSequence());
      plan.record(state, applied, item.origin, outcome, item.hash);
      for (const d of derived) plan.record(state, d.applied, null, d.outcome);
    };
    // After an accepted event, anything parked for that customer may now apply; loop until nothing moves.
    const retryParked = (customerId: string): void => {
      const waiting = parked.get(customerId);
      if (!waiting || waiting.length === 0) return;
      let progress = true;
      while (progress) {
        progress = false;
        for (let i = 0; i < waiting.length; i++) {
          const p = waiting[i];
          const d = decide(stateOf(customerId), p.item.event);
          if (d.kind === 'park') continue;
          waiting.splice(i--, 1);
          if (p.fromDb) plan.unparkedFromDb.push(p);
          else plan.newlyParked.splice(plan.newlyParked.indexOf(p), 1);
          if (d.kind === 'accept') {
            accept({ ...p.item, hash: p.hash });
            progress = true;
          } else {
            plan.rejected.push(rejectionOf(p.item.origin, d.code, d.reason, p.item.event, p.hash));
          }
        }
      }
    };

    for (const item of fresh.items) {
      const d = decide(stateOf(item.event.customerId), item.event);
      if (d.kind === 'accept') {
        accept(item);
        retryParked(item.event.customerId);
      } else if (d.kind === 'park') {
        const p: Parked = { item, hash: item.hash, code: d.code, reason: d.reason, fromDb: false };
        plan.newlyParked.push(p);
        const list = parked.get(item.event.customerId) ?? [];
        list.push(p);
        parked.set(item.event.customerId, list);
      } else {
        plan.rejected.push(rejectionOf(item.origin, d.code, d.reason, item.event, item.hash));
      }
    }
    // A retry of one parked event (poison isolation) runs even when no fresh event of its customer came.
    if (typeof retry === 'object') retryParked(retry.customerId);

    if (needed > 0) this.derivedRatio = Math.max(this.derivedRatio * 0.9, plan.derivedCount / needed);
    plan.checkReservation();
    await this.write(qr, plan, states, notify, jsonLengths);
    afterCommit.push(() => {
      for (const [id, s] of states) {
        const length = jsonLengths.get(id);
        // A customer with only parked events has no stored state yet (nothing to check a version against).
        if (length !== undefined && s.streamVersion > 0) this.resident.put(s, length);
      }
    });
    return {
      appended: plan.rows.length - plan.derivedCount,
      derived: plan.derivedCount,
      duplicates: plan.duplicates,
      parked: plan.newlyParked.length,
      unparked: plan.unparkedFromDb.length,
      rejected: plan.rejected,
      gradeChanges: plan.gradeChanges.map(({ rating: _rating, ...change }) => change),
      lastSequence: plan.rows.length ? plan.rows[plan.rows.length - 1].sequence : '0',
      isolated: 0,
    };
  }

  /** Parked events older than `olderThan` are rejected for good (their dependency never arrived). */
  async expireParked(olderThan: Date): Promise<Rejection[]> {
    return this.removeParked('parked_at < $1', [olderThan], (r) => ({
      code: r.code,
      reason: `${r.reason}; still missing after parking since ${new Date(r.parked_at).toISOString()}`,
    }));
  }

  /** Keys of a customer's parked events, oldest first. */
  async parkedKeys(customerId: string): Promise<Array<{ source: string; eventId: string }>> {
    const rows: Array<{ source: string; event_id: string }> = await this.ds.query(
      'SELECT source, event_id FROM parked_events WHERE customer_id = $1 ORDER BY park_order',
      [customerId],
    );
    return rows.map((r) => ({ source: r.source, eventId: r.event_id }));
  }

  /** Takes one parked event out of the park into rejected_events (poison isolation). */
  async rejectParked(
    key: { source: string; eventId: string },
    code: string,
    reason: string,
  ): Promise<Rejection[]> {
    return this.removeParked('source = $1 AND event_id = $2', [key.source, key.eventId], () => ({
      code,
      reason,
    }));
  }

  /**
   * Deletes the parked rows matching `where` and records them as rejected. An append retrying the same rows holds
   * them FOR UPDATE (loadParked): the DELETE waits for it and skips what it unparked.
   */
  private async removeParked(
    where: string,
    params: unknown[],
    why: (r: ParkedRow) => { code: string; reason: string },
  ): Promise<Rejection[]> {
    return this.inTransaction(async (em, notify) => {
      const rows: ParkedRow[] = await em.query(
        // Wrapped in a SELECT because TypeORM returns [rows, count] for a bare DELETE ... RETURNING.
        `WITH gone AS (
           DELETE FROM parked_events WHERE ${where}
           RETURNING source, event_id, customer_id, topic, partition, "offset", message_key, raw_value, code, reason,
                     parked_at, content_hash
         ) SELECT * FROM gone ORDER BY parked_at`,
        params,
      );
      const rejected = rows.map((r) => ({
        origin: parkedOrigin(r),
        ...why(r),
        source: r.source,
        eventId: r.event_id,
        customerId: r.customer_id,
        contentHash: r.content_hash ?? undefined,
      }));
      await insertRejected(em.query.bind(em), rejected);
      if (rejected.length) notify.add(REJECTED_CHANNEL);
      return rejected;
    });
  }

  /**
   * The idempotency gate. A key (source, eventId) seen before — in this chunk, the ledger or the parked events — is
   * a duplicate when its content hash matches (a redelivery: ignored and counted) and DUPLICATE_CONFLICT when it
   * does not (the same key reused for other content: rejected with both hashes, never silently dropped).
   */
  private async admitKeys(
    qr: Queryable,
    inbound: InboundEvent[],
  ): Promise<{ items: Admitted[]; duplicates: number; conflicts: Rejection[] }> {
    // Same key twice in the chunk: grouped, then judged against what is stored, or else against the first.
    const byKey = new Map<string, Admitted[]>();
    for (const item of inbound) {
      const k = keyOf(item.event);
      const group = byKey.get(k) ?? [];
      group.push({ ...item, hash: contentHash(item.event) });
      byKey.set(k, group);
    }
    const conflicts: Rejection[] = [];
    let duplicates = 0;
    const judge = (item: Admitted, known: string, where: string): void => {
      if (known === item.hash) duplicates++;
      else conflicts.push(conflictOf(item, item.hash, known, where));
    };
    const firsts = [...byKey.values()].map((g) => g[0]);
    const knownHash = firsts.length ? await this.storedHashes(qr, firsts) : new Map<string, StoredHash>();
    const items: Admitted[] = [];
    for (const [k, group] of byKey) {
      const stored = knownHash.get(k);
      if (stored) {
        for (const item of group) judge(item, stored.hash, stored.place);
        continue;
      }
      items.push(group[0]);
      for (const item of group.slice(1)) judge(item, group[0].hash, 'earlier in the same batch');
    }
    return { items, duplicates, conflicts };
  }

  /**
   * Content hashes of the keys already in the ledger or parked. Rows stored before hashes were kept have none:
   * theirs is computed from the stored row (duplicates are rare, so the payload is read only then).
   */
  private async storedHashes(qr: Queryable, items: InboundEvent[]): Promise<Map<string, StoredHash>> {
    const known: KnownKeyRow[] = await qr.query(
      `SELECT 'ledger' AS place, l.source, l.event_id, l.content_hash,
              CASE WHEN l.content_hash IS NULL THEN jsonb_build_object('eventId', l.event_id, 'type', l.type,
                'version', l.version, 'customerId', l.customer_id, 'occurredAt', l.occurred_at, 'source', l.source,
                'payload', l.payload) END AS stored
       FROM unnest($1::text[], $2::text[]) AS k(source, event_id)
       JOIN ledger_events l ON l.source = k.source AND l.event_id = k.event_id
       UNION ALL
       SELECT 'parked', p.source, p.event_id, p.content_hash, CASE WHEN p.content_hash IS NULL THEN p.event END
       FROM unnest($1::text[], $2::text[]) AS k(source, event_id)
       JOIN parked_events p ON p.source = k.source AND p.event_id = k.event_id`,
      [items.map((i) => i.event.source), items.map((i) => i.event.eventId)],
    );
    const hashes = new Map<string, StoredHash>();
    for (const r of known) {
      hashes.set(`${r.source}\u0000${r.event_id}`, {
        hash: r.content_hash ?? contentHash(fromStored(r.stored as unknown as StoredEventRow)),
        place: r.place === 'ledger' ? 'in the ledger' : 'parked',
      });
    }
    return hashes;
  }

  /**
   * The customers' current states: a resident one (`held`) when its stream version is still the stored one,
   * otherwise the stored state, read in the same statement (PostgreSQL returns, and node parses, a state only
   * where the versions differ). `jsonLengths` gets the length of each state's JSON (its size estimate).
   */
  private async loadCurrentStates(
    qr: Queryable,
    customers: string[],
    held: Map<string, { state: CustomerState; jsonLength: number }>,
    jsonLengths: Map<string, number>,
  ): Promise<Map<string, CustomerState>> {
    const states = new Map<string, CustomerState>();
    if (customers.length === 0) return states;
    if (held.size === 0) return this.loadStates(qr, customers, jsonLengths);
    const rows: Array<{ customer_id: string; state: string | null }> = await qr.query(
      `SELECT p.customer_id, CASE WHEN p.stream_version IS DISTINCT FROM k.v THEN p.state END AS state
       FROM unnest($1::text[], $2::int[]) AS k(id, v) JOIN customer_positions p ON p.customer_id = k.id`,
      [customers, customers.map((c) => held.get(c)?.state.streamVersion ?? null)],
    );
    for (const r of rows) {
      if (r.state === null) {
        const h = held.get(r.customer_id)!;
        states.set(r.customer_id, h.state);
        jsonLengths.set(r.customer_id, h.jsonLength);
      } else {
        states.set(r.customer_id, deserializeState(r.state));
        jsonLengths.set(r.customer_id, r.state.length);
      }
    }
    return states;
  }

  private async loadStates(
    qr: Queryable,
    customers: string[],
    jsonLengths?: Map<string, number>,
  ): Promise<Map<string, CustomerState>> {
    const states = new Map<string, CustomerState>();
    if (customers.length === 0) return states;
    const rows: Array<{ customer_id: string; state: string }> = await qr.query(
      'SELECT customer_id, state FROM customer_positions WHERE customer_id = ANY($1::text[])',
      [customers],
    );
    for (const r of rows) {
      states.set(r.customer_id, deserializeState(r.state));
      jsonLengths?.set(r.customer_id, r.state.length);
    }
    return states;
  }

  private async loadParked(
    qr: Queryable,
    customers: string[],
    retry: ParkedRetry,
  ): Promise<Map<string, Parked[]>> {
    const parked = new Map<string, Parked[]>();
    if (customers.length === 0) return parked;
    const one = typeof retry === 'object' ? retry : null;
    const rows: ParkedRow[] = await qr.query(
      `SELECT source, event_id, customer_id, event, topic, partition, "offset", message_key, raw_value, code, reason,
              content_hash
       FROM parked_events WHERE customer_id = ANY($1::text[])
         AND ($2::text IS NULL OR (source = $2 AND event_id = $3)) ORDER BY park_order FOR UPDATE`,
      [customers, one?.source ?? null, one?.eventId ?? null],
    );
    for (const r of rows) {
      const list = parked.get(r.customer_id) ?? [];
      // Parked events come from Kafka, so they are billing events.
      const event = fromStored(r.event as unknown as StoredEventRow) as BillingEvent;
      list.push({
        item: { event, origin: parkedOrigin(r) },
        hash: r.content_hash ?? contentHash(event),
        code: r.code,
        reason: r.reason,
        fromDb: true,
      });
      parked.set(r.customer_id, list);
    }
    return parked;
  }

  /**
   * Reserves `count` sequence numbers in one round trip, ascending. Concurrent writers draw from the same
   * sequence, so a block may interleave with another's: unique, not contiguous.
   */
  private async reserveSequences(qr: QueryRunner, count: number): Promise<string[]> {
    if (count === 0) return [];
    if (!this.sequenceName) {
      const [{ name }] = await qr.query(`SELECT pg_get_serial_sequence('ledger_events', 'sequence') AS name`);
      this.sequenceName = name as string;
    }
    const [{ s }] = await qr.query(
      'SELECT array(SELECT nextval($1::regclass) FROM generate_series(1, $2::int))::text[] AS s',
      [this.sequenceName, count],
    );
    return s as string[];
  }

  private async write(
    qr: QueryRunner,
    plan: AppendPlan,
    states: Map<string, CustomerState>,
    notify: Set<LedgerChannel>,
    jsonLengths?: Map<string, number>,
  ): Promise<void> {
    // Statements go out back to back: node builds the next one's parameters (state serialisation above all)
    // while PostgreSQL executes the previous. Any failure fails the transaction.
    const { query: q, pending } = statementLane(qr);
    if (plan.rows.length) {
      void q(
        `INSERT INTO ledger_events (sequence, customer_id, stream_version, source, event_id, type, version, occurred_at, payload, metadata, content_hash)
         SELECT * FROM ROWS FROM (unnest($1::bigint[], $2::text[], $3::int[], $4::text[], $5::text[], $6::text[], $7::smallint[],
                              $8::timestamptz[]), jsonb_array_elements($9::jsonb), jsonb_array_elements($10::jsonb),
                              unnest($11::text[])) AS u`,
        [
          plan.rows.map((r) => r.sequence),
          plan.rows.map((r) => r.item.event.customerId),
          plan.rows.map((r) => r.streamVersion),
          plan.rows.map((r) => r.item.event.source),
          plan.rows.map((r) => r.item.event.eventId),
          plan.rows.map((r) => r.item.event.type),
          plan.rows.map((r) => r.item.event.version),
          plan.rows.map((r) => r.item.event.occurredAt),
          // jsonb columns as one JSON array each (see upsertPositions)
          JSON.stringify(plan.rows.map((r) => toStoredPayload(r.item.event))),
          JSON.stringify(
            plan.rows.map((r) =>
              r.item.origin
                ? {
                    topic: r.item.origin.topic,
                    partition: r.item.origin.partition,
                    offset: r.item.origin.offset,
                  }
                : { derived: true },
            ),
          ),
          plan.rows.map((r) => r.hash),
        ],
      );
      pending.push(
        upsertPositions(
          q,
          [...plan.touched].map((c) => states.get(c)!),
          'customer_positions',
          jsonLengths,
        ),
      );
      // After the commit: wakes position caches (and the relays, below) instead of them polling. No per-append
      // checkpoint row either: one row updated by every append would serialise them all on its row lock.
      notify.add(LEDGER_APPENDED_CHANNEL);
    }
    if (plan.gradeChanges.length) pending.push(insertGradeChanges(q, plan.gradeChanges));
    if (plan.alerts.length) notify.add(ALERT_OUTBOX_CHANNEL);
    pending.push(insertOutbox(q, plan.alerts));
    if (plan.newlyParked.length) {
      const p = plan.newlyParked;
      void q(
        `INSERT INTO parked_events (source, event_id, customer_id, event, topic, partition, "offset", message_key, raw_value, code, reason, content_hash)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::jsonb[], $5::text[], $6::int[], $7::bigint[], $8::bytea[], $9::bytea[], $10::text[], $11::text[], $12::text[])
         ON CONFLICT DO NOTHING`,
        [
          p.map((x) => x.item.event.source),
          p.map((x) => x.item.event.eventId),
          p.map((x) => x.item.event.customerId),
          p.map((x) => JSON.stringify(storedEnvelope(x.item.event))),
          p.map((x) => x.item.origin.topic),
          p.map((x) => x.item.origin.partition),
          p.map((x) => x.item.origin.offset),
          p.map((x) => x.item.origin.key),
          p.map((x) => x.item.origin.value),
          p.map((x) => x.code),
          p.map((x) => x.reason),
          p.map((x) => x.hash),
        ],
      );
    }
    if (plan.unparkedFromDb.length) {
      void q(
        `DELETE FROM parked_events p USING unnest($1::text[], $2::text[]) AS k(source, event_id)
         WHERE p.source = k.source AND p.event_id = k.event_id`,
        [
          plan.unparkedFromDb.map((x) => x.item.event.source),
          plan.unparkedFromDb.map((x) => x.item.event.eventId),
        ],
      );
    }
    if (plan.rejected.length) notify.add(REJECTED_CHANNEL);
    pending.push(insertRejected(q, plan.rejected));
    await settleAll(pending);
  }
}

export type Query = (sql: string, params?: unknown[]) => Promise<unknown>;

/**
 * Statements on one connection, each sent when the previous one finished (pg 9 drops its own queue), without
 * the caller waiting: node prepares the next statement while PostgreSQL executes the previous one.
 */
export function statementLane(qr: Pick<QueryRunner, 'query'>): {
  query: <T = unknown>(sql: string, params?: unknown[]) => Promise<T>;
  /** Every statement sent so far, plus whatever the caller adds (helpers that await several statements). */
  pending: Array<Promise<unknown>>;
} {
  const pending: Array<Promise<unknown>> = [];
  let chain: Promise<unknown> = Promise.resolve();
  const query = <T = unknown>(sql: string, params?: unknown[]): Promise<T> => {
    const p = chain.then(() => qr.query(sql, params) as Promise<T>);
    chain = p.catch(() => undefined);
    pending.push(p);
    return p;
  };
  return { query, pending };
}

/** Waits for everything in `pending` (also what was added while waiting); throws the first failure. */
export async function settleAll(pending: Array<Promise<unknown>>): Promise<void> {
  for (let done = 0; done < pending.length;) {
    const batch = pending.slice(done);
    done = pending.length;
    for (const r of await Promise.allSettled(batch)) if (r.status === 'rejected') throw r.reason;
  }
}

interface ParkedRow {
  source: string;
  event_id: string;
  customer_id: string;
  event: Record<string, unknown>;
  topic: string;
  partition: number;
  offset: string;
  message_key: Buffer | null;
  raw_value: Buffer;
  code: string;
  reason: string;
  parked_at: string;
  content_hash: string | null;
}

interface StoredHash {
  hash: string;
  /** For the reason: "in the ledger" or "parked". */
  place: string;
}

interface KnownKeyRow {
  place: 'ledger' | 'parked';
  source: string;
  event_id: string;
  content_hash: string | null;
  stored: Record<string, unknown> | null;
}

const keyOf = (e: BillingEvent): string => `${e.source}\u0000${e.eventId}`;

function conflictOf(item: InboundEvent, hash: string, known: string, where: string): Rejection {
  const e = item.event;
  return rejectionOf(
    item.origin,
    'DUPLICATE_CONFLICT',
    `event ${e.source}/${e.eventId} was already received ${where} with other content (content hash ${known}); ` +
      `this one has content hash ${hash}. A correction is a new event with its own eventId`,
    e,
    hash,
  );
}

/** The Kafka message a parked event came from, as parked_events keeps it verbatim. */
function parkedOrigin(r: ParkedRow): MessageOrigin {
  return { topic: r.topic, partition: r.partition, offset: r.offset, key: r.message_key, value: r.raw_value };
}

/**
 * Upsert the customer projection rows; the time-independent figures become columns for lists. `table` is
 * customer_positions or a shadow table with the same DDL (rebuild); it is never user input.
 */
export async function upsertPositions(
  q: Query,
  states: CustomerState[],
  table = 'customer_positions',
  jsonLengths?: Map<string, number>,
): Promise<void> {
  if (states.length === 0) return;
  const positions = states.map((s) => evaluatePosition(s, s.clock ?? '1970-01-01T00:00:00.000Z'));
  const texts = states.map((s) => {
    const json = serializeState(s);
    jsonLengths?.set(s.customerId, json.length);
    return json;
  });
  await q(
    `INSERT INTO ${table} (customer_id, name, currency, credit_limit, open_receivables, open_orders, exposure,
        available, utilisation_bp, score, grade, status, policy_version, rated_at, stream_version, last_sequence, state, updated_at)
     SELECT u.*, now() FROM ROWS FROM (unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[],
        $6::bigint[], $7::bigint[], $8::bigint[], $9::int[], $10::int[], $11::text[], $12::text[], $13::int[],
        $14::timestamptz[], $15::int[], $16::bigint[]), ${splitJsonTexts('$17')}) AS u
     ON CONFLICT (customer_id) DO UPDATE SET name = EXCLUDED.name, currency = EXCLUDED.currency,
        credit_limit = EXCLUDED.credit_limit, open_receivables = EXCLUDED.open_receivables,
        open_orders = EXCLUDED.open_orders, exposure = EXCLUDED.exposure, available = EXCLUDED.available,
        utilisation_bp = EXCLUDED.utilisation_bp, score = EXCLUDED.score, grade = EXCLUDED.grade,
        status = EXCLUDED.status, policy_version = EXCLUDED.policy_version, rated_at = EXCLUDED.rated_at,
        stream_version = EXCLUDED.stream_version, last_sequence = EXCLUDED.last_sequence, state = EXCLUDED.state,
        updated_at = now()`,
    [
      states.map((s) => s.customerId),
      states.map((s) => s.name ?? null),
      states.map((s) => s.currency),
      positions.map((p) => p.creditLimit.toString()),
      positions.map((p) => p.openReceivables.toString()),
      positions.map((p) => p.openOrders.toString()),
      positions.map((p) => p.exposure.toString()),
      positions.map((p) => p.available.toString()),
      positions.map((p) => p.utilisationBp),
      states.map((s) => s.rating?.score ?? null),
      states.map((s) => s.rating?.grade ?? null),
      states.map((s) => s.status),
      states.map((s) => s.rating?.policyVersion ?? null),
      states.map((s) => s.rating?.at ?? null),
      states.map((s) => s.streamVersion),
      states.map((s) => s.lastSequence),
      texts.join(JSON_TEXT_SEPARATOR),
    ],
  );
}

/** `table` is grade_history or a shadow table with the same DDL (rebuild). */
export async function insertGradeChanges(
  q: Query,
  changes: Array<GradeChange & { rating: unknown }>,
  table = 'grade_history',
): Promise<void> {
  if (changes.length === 0) return;
  await q(
    `INSERT INTO ${table} (customer_id, sequence, event_id, event_type, rated_at, from_grade, to_grade, from_score,
        to_score, policy_version, rating)
     SELECT c, s, e, t, r, fg, tg, fs, ts, pv, rating::jsonb FROM ROWS FROM (unnest($1::text[], $2::bigint[], $3::text[],
        $4::text[], $5::timestamptz[], $6::text[], $7::text[], $8::int[], $9::int[], $10::int[]), ${splitJsonTexts('$11')})
        AS u(c, s, e, t, r, fg, tg, fs, ts, pv, rating)
     ON CONFLICT DO NOTHING`,
    [
      changes.map((c) => c.customerId),
      changes.map((c) => c.sequence),
      changes.map((c) => c.eventId),
      changes.map((c) => c.eventType),
      changes.map((c) => c.ratedAt),
      changes.map((c) => c.fromGrade),
      changes.map((c) => c.toGrade),
      changes.map((c) => c.fromScore),
      changes.map((c) => c.toScore),
      changes.map((c) => c.policyVersion),
      changes.map((c) => JSON.stringify(c.rating)).join(JSON_TEXT_SEPARATOR),
    ],
  );
}

/**
 * Redelivered rejections hit the (topic, partition, offset) key and change nothing. The table is the dead-letter
 * outbox: the caller's NOTIFY on REJECTED_CHANNEL after the commit wakes the relay that publishes each new row.
 */
export async function insertRejected(q: Query, rejected: Rejection[]): Promise<void> {
  if (rejected.length === 0) return;
  await q(
    `INSERT INTO rejected_events (topic, partition, "offset", message_key, raw_value, code, reason, source, event_id, customer_id, content_hash)
     SELECT * FROM unnest($1::text[], $2::int[], $3::bigint[], $4::bytea[], $5::bytea[], $6::text[], $7::text[], $8::text[],
        $9::text[], $10::text[], $11::text[])
     ON CONFLICT (topic, partition, "offset") DO NOTHING`,
    [
      rejected.map((r) => r.origin.topic),
      rejected.map((r) => r.origin.partition),
      rejected.map((r) => r.origin.offset),
      rejected.map((r) => r.origin.key),
      rejected.map((r) => r.origin.value),
      rejected.map((r) => r.code),
      rejected.map((r) => storableText(r.reason)),
      rejected.map((r) => r.source ?? null),
      rejected.map((r) => r.eventId ?? null),
      rejected.map((r) => r.customerId ?? null),
      rejected.map((r) => r.contentHash ?? null),
    ],
  );
}

/** The fold of an append needed `needed` sequences, more than it reserved: it runs again with as many. */
class SequencesExhausted extends Error {
  constructor(readonly needed: number) {
    super(`append needed ${needed} ledger sequences, more than reserved`);
  }
}

/**
 * The highest ledger sequence below which nothing can commit any more: read holding the append lock exclusively
 * for an instant (every append in progress finishes first; later ones reserve higher numbers). With it, the
 * visibility horizon of that moment: every ledger row of a transaction below it is already visible. Audits and
 * rebuilds start from it; the append path never waits for anything else.
 */
export async function settledHead(ds: DataSource): Promise<{ sequence: string; horizon: string }> {
  return ds.transaction(async (em) => {
    await em.query('SELECT pg_advisory_xact_lock($1)', [APPEND_LOCK]);
    const [row] = await em.query(
      `SELECT (SELECT COALESCE(max(sequence), 0) FROM ledger_events)::text AS sequence,
              pg_snapshot_xmin(pg_current_snapshot())::text AS horizon`,
    );
    return { sequence: row.sequence as string, horizon: row.horizon as string };
  });
}

function isUniqueViolation(err: unknown, constraint: string): boolean {
  const e = err as {
    code?: string;
    constraint?: string;
    driverError?: { code?: string; constraint?: string };
  };
  const inner = e.driverError ?? e;
  return inner.code === '23505' && inner.constraint === constraint;
}
