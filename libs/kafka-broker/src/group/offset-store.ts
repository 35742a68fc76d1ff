import * as fs from 'node:fs';
import * as path from 'node:path';

export interface CommittedOffset {
  offset: number;
  metadata: string | null;
}

type Saved = Record<string, Record<string, Record<string, CommittedOffset>>>;

/** Committed consumer-group offsets: group -> topic -> partition. Persisted (debounced) under dataDir. */
export class OffsetStore {
  private readonly groups = new Map<string, Map<string, Map<number, CommittedOffset>>>();
  private saveTimer: NodeJS.Timeout | null = null;

  constructor(private readonly dataDir: string | null) {
    const file = this.file();
    if (file && fs.existsSync(file)) {
      const saved = JSON.parse(fs.readFileSync(file, 'utf8')) as Saved;
      for (const [g, topics] of Object.entries(saved))
        for (const [t, parts] of Object.entries(topics))
          for (const [p, c] of Object.entries(parts)) this.set(g, t, Number(p), c, false);
    }
  }

  private file(): string | null {
    return this.dataDir ? path.join(this.dataDir, 'offsets.json') : null;
  }

  set(group: string, topic: string, partition: number, value: CommittedOffset, persist = true): void {
    let topics = this.groups.get(group);
    if (!topics) this.groups.set(group, (topics = new Map()));
    let parts = topics.get(topic);
    if (!parts) topics.set(topic, (parts = new Map()));
    parts.set(partition, value);
    if (persist) this.scheduleSave();
  }

  get(group: string, topic: string, partition: number): CommittedOffset | undefined {
    return this.groups.get(group)?.get(topic)?.get(partition);
  }

  /** All committed offsets of a group, as topic -> partition -> offset. */
  forGroup(group: string): Map<string, Map<number, CommittedOffset>> {
    return this.groups.get(group) ?? new Map();
  }

  hasGroup(group: string): boolean {
    return this.groups.has(group);
  }

  groupIds(): string[] {
    return [...this.groups.keys()];
  }

  deleteGroup(group: string): void {
    if (this.groups.delete(group)) this.scheduleSave();
  }

  private scheduleSave(): void {
    if (!this.dataDir || this.saveTimer) return;
    this.saveTimer = setTimeout(() => this.flush(), 50);
  }

  /** Writes pending changes now (called on stop). */
  flush(): void {
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = null;
    const file = this.file();
    if (!file) return;
    const out: Saved = {};
    for (const [g, topics] of this.groups) {
      out[g] = {};
      for (const [t, parts] of topics) {
        out[g][t] = {};
        for (const [p, c] of parts) out[g][t][String(p)] = c;
      }
    }
    const tmp = `${file}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(out));
    fs.renameSync(tmp, file);
  }
}
