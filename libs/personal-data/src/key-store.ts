import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { DataKey } from './sealed';
import type { MasterKeyring } from './master-keys';

/** A TypeORM QueryRunner or DataSource, or a pg client: anything that runs a statement. */
export interface Queryable {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  query(sql: string, params?: unknown[]): Promise<any>;
}

/** The data-key version new keys get (a data key is replaced only by forgetting; master keys rotate). */
const DATA_KEY_VERSION = 1;

interface KeyRow {
  customer_id: string;
  key_version: number | null;
  master_key_version: number | null;
  wrapped_key: Buffer | null;
  erased: boolean;
}

/** What an erasure records (the destroyed-key ledger, `personal_data_erasures`). */
export interface ErasureRecord {
  customerId: string;
  requestId: string;
  requestedBy: string;
  approvedBy: string;
  reason: string;
}

/**
 * The customers' data keys in PostgreSQL (`personal_data_keys`), each wrapped with a master key. A key is usable
 * only while its customer has not been forgotten: two append-only witnesses are checked every time keys are
 * loaded, the destroyed-key ledger `personal_data_erasures` and the `CustomerForgotten` event in the ledger, so
 * a key row brought back by restoring an old backup of the keys table never opens anything again — it is
 * deleted once more on sight.
 */
export class PersonalDataKeys {
  constructor(private readonly keyring: MasterKeyring) {}

  /** Keys to seal with, created for customers that have none yet; null for a forgotten customer. */
  async forSealing(q: Queryable, customerIds: string[]): Promise<Map<string, DataKey | null>> {
    const ids = [...new Set(customerIds)];
    const out = await this.load(q, ids);
    const missing = ids.filter((id) => !out.has(id));
    if (missing.length > 0) {
      const created = missing.map((id) => {
        const material = DataKey.generate();
        return { id, material, wrapped: this.wrap(id, DATA_KEY_VERSION, this.keyring.current, material) };
      });
      const inserted: Array<{ customer_id: string }> = await q.query(
        `INSERT INTO personal_data_keys (customer_id, key_version, master_key_version, wrapped_key)
         SELECT * FROM unnest($1::text[], $2::int[], $3::int[], $4::bytea[])
         ON CONFLICT (customer_id) DO NOTHING RETURNING customer_id`,
        [
          created.map((c) => c.id),
          created.map(() => DATA_KEY_VERSION),
          created.map(() => this.keyring.current),
          created.map((c) => c.wrapped),
        ],
      );
      const mine = new Set(inserted.map((r) => r.customer_id));
      for (const c of created) {
        if (mine.has(c.id)) out.set(c.id, new DataKey(c.id, DATA_KEY_VERSION, c.material));
      }
      // Another writer created some first: theirs are the keys.
      const raced = missing.filter((id) => !mine.has(id));
      if (raced.length > 0) for (const [id, key] of await this.load(q, raced)) out.set(id, key);
    }
    return out;
  }

  /** Keys to open with: null for a forgotten customer and for one without a key (nothing was sealed). */
  async forReading(q: Queryable, customerIds: string[]): Promise<Map<string, DataKey | null>> {
    const ids = [...new Set(customerIds)];
    const out = await this.load(q, ids);
    for (const id of ids) if (!out.has(id)) out.set(id, null);
    return out;
  }

  /**
   * Destroys a customer's data key and records the erasure (in the caller's transaction, with the
   * CustomerForgotten event). Returns false when the customer was already forgotten.
   */
  async destroy(q: Queryable, e: ErasureRecord): Promise<boolean> {
    await q.query('DELETE FROM personal_data_keys WHERE customer_id = $1', [e.customerId]);
    const rows: unknown[] = await q.query(
      `INSERT INTO personal_data_erasures (customer_id, request_id, requested_by, approved_by, reason)
       VALUES ($1, $2, $3, $4, $5) ON CONFLICT (customer_id) DO NOTHING RETURNING customer_id`,
      [e.customerId, e.requestId, e.requestedBy, e.approvedBy, e.reason],
    );
    return rows.length === 1;
  }

  /**
   * Rewraps every data key not wrapped with the current master key (rotation: configure the new version beside
   * the old ones, run this, then the old version may go). The data keys themselves, and so every sealed value,
   * stay as they are. Returns how many were rewrapped.
   */
  async rotate(q: Queryable, batchSize = 1000): Promise<number> {
    let total = 0;
    for (;;) {
      const rows: Array<{
        customer_id: string;
        key_version: number;
        master_key_version: number;
        wrapped_key: Buffer;
      }> = await q.query(
        `SELECT customer_id, key_version, master_key_version, wrapped_key FROM personal_data_keys
         WHERE master_key_version <> $1 ORDER BY customer_id LIMIT $2`,
        [this.keyring.current, batchSize],
      );
      if (rows.length === 0) return total;
      const rewrapped = rows.map((r) => {
        const material = this.unwrap(r.customer_id, r.key_version, r.master_key_version, r.wrapped_key);
        return this.wrap(r.customer_id, r.key_version, this.keyring.current, material);
      });
      await q.query(
        `UPDATE personal_data_keys k SET wrapped_key = u.wrapped, master_key_version = $3, rewrapped_at = now()
         FROM unnest($1::text[], $2::bytea[]) AS u(customer_id, wrapped)
         WHERE k.customer_id = u.customer_id`,
        [rows.map((r) => r.customer_id), rewrapped, this.keyring.current],
      );
      total += rows.length;
    }
  }

  /** Usable keys of these customers; a key row of a forgotten customer is deleted (a restored backup). */
  private async load(q: Queryable, ids: string[]): Promise<Map<string, DataKey | null>> {
    const out = new Map<string, DataKey | null>();
    if (ids.length === 0) return out;
    const rows: KeyRow[] = await q.query(
      `SELECT c.customer_id, k.key_version, k.master_key_version, k.wrapped_key,
              (EXISTS (SELECT 1 FROM personal_data_erasures e WHERE e.customer_id = c.customer_id)
               OR EXISTS (SELECT 1 FROM ledger_events l
                          WHERE l.customer_id = c.customer_id AND l.type = 'CustomerForgotten')) AS erased
       FROM unnest($1::text[]) AS c(customer_id)
       LEFT JOIN personal_data_keys k ON k.customer_id = c.customer_id`,
      [ids],
    );
    const shred: string[] = [];
    for (const r of rows) {
      if (r.erased) {
        out.set(r.customer_id, null);
        if (r.wrapped_key !== null) shred.push(r.customer_id);
      } else if (r.wrapped_key !== null) {
        const material = this.unwrap(r.customer_id, r.key_version!, r.master_key_version!, r.wrapped_key);
        out.set(r.customer_id, new DataKey(r.customer_id, r.key_version!, material));
      }
    }
    if (shred.length > 0) {
      await q.query('DELETE FROM personal_data_keys WHERE customer_id = ANY($1::text[])', [shred]);
    }
    return out;
  }

  private wrap(customerId: string, version: number, masterVersion: number, material: Buffer): Buffer {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.masterKey(masterVersion), iv);
    c.setAAD(wrapAad(customerId, version, masterVersion));
    return Buffer.concat([iv, c.update(material), c.final(), c.getAuthTag()]);
  }

  private unwrap(customerId: string, version: number, masterVersion: number, wrapped: Buffer): Buffer {
    const d = createDecipheriv('aes-256-gcm', this.masterKey(masterVersion), wrapped.subarray(0, 12));
    d.setAAD(wrapAad(customerId, version, masterVersion));
    d.setAuthTag(wrapped.subarray(wrapped.length - 16));
    try {
      return Buffer.concat([d.update(wrapped.subarray(12, wrapped.length - 16)), d.final()]);
    } catch {
      throw new Error(
        `the data key of ${customerId} does not unwrap with master key version ${masterVersion} (wrong key configured?)`,
      );
    }
  }

  private masterKey(version: number): Buffer {
    const k = this.keyring.key(version);
    if (!k) {
      throw new Error(
        `master key version ${version} is not configured (PERSONAL_DATA_MASTER_KEY has v${this.keyring.versions.join(', v')}); keep old versions until rotate-keys has run`,
      );
    }
    return k;
  }
}

function wrapAad(customerId: string, version: number, masterVersion: number): Buffer {
  return Buffer.from(`pdk|${customerId}|${version}|${masterVersion}`, 'utf8');
}
