import { CURRENT_EVENT_VERSION, type EventType } from './envelope';

/**
 * Turns a raw wire envelope (already JSON-parsed) of version n into version n+1. It receives a
 * copy it may mutate; the registry sets `version` to n+1 afterwards. It may throw on a
 * malformed old event (reported as BAD_FIELD).
 */
export type Upcaster = (raw: Record<string, unknown>) => Record<string, unknown>;

export interface UpcasterDefinition {
  type: EventType;
  fromVersion: number;
  upcast: Upcaster;
}

export interface UpcasterRegistry {
  /** Version the validators expect for a type (CURRENT_EVENT_VERSION unless overridden). */
  currentVersion(type: EventType): number;
  get(type: EventType, fromVersion: number): Upcaster | undefined;
}

export function createUpcasterRegistry(
  definitions: readonly UpcasterDefinition[],
  currentVersions: Partial<Record<EventType, number>> = {},
): UpcasterRegistry {
  const map = new Map<string, Upcaster>();
  for (const d of definitions) map.set(`${d.type}@${d.fromVersion}`, d.upcast);
  const current = { ...currentVersions };
  return {
    currentVersion: (type) => current[type] ?? CURRENT_EVENT_VERSION,
    get: (type, fromVersion) => map.get(`${type}@${fromVersion}`),
  };
}

/**
 * The production registry. v1 is current for every type, so it is empty; a later version of a
 * type adds `{ type, fromVersion: 1, upcast }` here and raises that type's current version.
 */
export const UPCASTERS: UpcasterRegistry = createUpcasterRegistry([]);

export type UpcastResult =
  | { ok: true; raw: Record<string, unknown> }
  | { ok: false; code: 'UNSUPPORTED_VERSION' | 'BAD_FIELD'; reason: string };

/** Applies upcasters until the type's current version; unknown/newer versions are unsupported. */
export function upcast(
  raw: Record<string, unknown>,
  type: EventType,
  version: number,
  registry: UpcasterRegistry = UPCASTERS,
): UpcastResult {
  const target = registry.currentVersion(type);
  if (version === target) return { ok: true, raw };
  const unsupported = (): UpcastResult => ({
    ok: false,
    code: 'UNSUPPORTED_VERSION',
    reason: `${type} version ${version} is not supported (current version is ${target})`,
  });
  if (version > target) return unsupported();
  let current = raw;
  for (let v = version; v < target; v++) {
    const step = registry.get(type, v);
    if (!step) return unsupported();
    try {
      current = step({ ...current });
    } catch (e) {
      return {
        ok: false,
        code: 'BAD_FIELD',
        reason: `cannot upcast ${type} from version ${v}: ${e instanceof Error ? e.message : String(e)}`,
      };
    }
    current = { ...current, type, version: v + 1 };
  }
  return { ok: true, raw: current };
}
