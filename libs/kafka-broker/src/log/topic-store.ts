import * as fs from 'node:fs';
import * as path from 'node:path';
import { PartitionLog } from './partition-log';
import { ProducerStateTable } from './producer-state';

export interface Partition {
  log: PartitionLog;
  producers: ProducerStateTable;
}

export interface Topic {
  name: string;
  partitions: Partition[];
}

const LEGAL_TOPIC = /^[a-zA-Z0-9._-]{1,249}$/;

export function isValidTopicName(name: string): boolean {
  return LEGAL_TOPIC.test(name) && name !== '.' && name !== '..';
}

/** All topics and their partition logs; persists topic definitions and logs under dataDir when set. */
export class TopicStore {
  private readonly topics = new Map<string, Topic>();

  constructor(private readonly dataDir: string | null) {
    if (dataDir) {
      fs.mkdirSync(path.join(dataDir, 'logs'), { recursive: true });
      const file = this.topicsFile();
      if (file && fs.existsSync(file)) {
        const saved = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, number>;
        for (const [name, count] of Object.entries(saved)) this.materialize(name, count);
      }
    }
  }

  private topicsFile(): string | null {
    return this.dataDir ? path.join(this.dataDir, 'topics.json') : null;
  }

  private save(): void {
    const file = this.topicsFile();
    if (!file) return;
    const out: Record<string, number> = {};
    for (const t of this.topics.values()) out[t.name] = t.partitions.length;
    fs.writeFileSync(file, JSON.stringify(out, null, 2));
  }

  private logFile(topic: string, partition: number): string | null {
    return this.dataDir ? path.join(this.dataDir, 'logs', `${topic}-${partition}.log`) : null;
  }

  private materialize(name: string, partitions: number): Topic {
    const t: Topic = { name, partitions: [] };
    for (let p = 0; p < partitions; p++) {
      t.partitions.push({
        log: new PartitionLog(name, p, this.logFile(name, p)),
        producers: new ProducerStateTable(),
      });
    }
    this.topics.set(name, t);
    return t;
  }

  get(name: string): Topic | undefined {
    return this.topics.get(name);
  }

  has(name: string): boolean {
    return this.topics.has(name);
  }

  partition(name: string, partition: number): Partition | undefined {
    return this.topics.get(name)?.partitions[partition];
  }

  all(): Topic[] {
    return [...this.topics.values()];
  }

  create(name: string, partitions: number): Topic {
    const existing = this.topics.get(name);
    if (existing) return existing;
    const t = this.materialize(name, partitions);
    this.save();
    return t;
  }

  delete(name: string): boolean {
    const t = this.topics.get(name);
    if (!t) return false;
    this.topics.delete(name);
    for (let p = 0; p < t.partitions.length; p++) {
      t.partitions[p].log.close();
      const f = this.logFile(name, p);
      if (f) fs.rmSync(f, { force: true });
    }
    this.save();
    return true;
  }

  close(): void {
    for (const t of this.topics.values()) for (const p of t.partitions) p.log.close();
  }
}
