import { randomUUID } from 'node:crypto';
import { ErrorCode } from '../protocol/error-codes';
import { OffsetStore } from './offset-store';

export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';

export interface GroupProtocol {
  name: string;
  metadata: Buffer;
}

export interface JoinRequest {
  groupId: string;
  sessionTimeout: number;
  rebalanceTimeout: number;
  memberId: string;
  protocolType: string;
  protocols: GroupProtocol[];
  clientId: string;
  clientHost: string;
}

export interface JoinResult {
  errorCode: number;
  generationId: number;
  protocol: string;
  leaderId: string;
  memberId: string;
  members: { memberId: string; metadata: Buffer }[];
}

export interface SyncResult {
  errorCode: number;
  assignment: Buffer;
}

interface Member {
  id: string;
  clientId: string;
  clientHost: string;
  sessionTimeout: number;
  rebalanceTimeout: number;
  protocols: GroupProtocol[];
  assignment: Buffer;
  lastSeen: number;
  pendingJoin: ((r: JoinResult) => void) | null;
  pendingSync: ((r: SyncResult) => void) | null;
}

interface Group {
  id: string;
  state: GroupState;
  generation: number;
  protocolType: string | null;
  protocol: string | null;
  leader: string | null;
  members: Map<string, Member>;
  /** PreparingRebalance: members that have not rejoined by then are dropped. */
  joinDeadline: number;
  /** PreparingRebalance of a formerly empty group: wait a little for more members. */
  completeNotBefore: number;
}

export interface GroupDescription {
  groupId: string;
  state: GroupState;
  protocolType: string;
  protocol: string;
  members: { memberId: string; clientId: string; clientHost: string; metadata: Buffer; assignment: Buffer }[];
}

const EMPTY = Buffer.alloc(0);
/** Like Kafka's group.initial.rebalance.delay.ms, but short: lets members started together join one generation. */
const INITIAL_REBALANCE_DELAY_MS = 150;
const TICK_MS = 100;

/**
 * Single-broker group coordinator implementing the classic (eager) consumer group protocol:
 * JoinGroup / SyncGroup / Heartbeat / LeaveGroup with generations, session expiry and rebalance timeouts.
 */
export class GroupCoordinator {
  private groups = new Map<string, Group>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    readonly offsets: OffsetStore,
    private readonly log: (line: string) => void,
  ) {
    this.timer = setInterval(() => this.tick(), TICK_MS);
    this.timer.unref();
  }

  private group(id: string): Group {
    let g = this.groups.get(id);
    if (!g) {
      g = {
        id,
        state: 'Empty',
        generation: 0,
        protocolType: null,
        protocol: null,
        leader: null,
        members: new Map(),
        joinDeadline: 0,
        completeNotBefore: 0,
      };
      this.groups.set(id, g);
    }
    return g;
  }

  join(req: JoinRequest): Promise<JoinResult> {
    const fail = (errorCode: number): Promise<JoinResult> =>
      Promise.resolve({
        errorCode,
        generationId: -1,
        protocol: '',
        leaderId: '',
        memberId: req.memberId,
        members: [],
      });
    if (!req.groupId) return fail(ErrorCode.INVALID_GROUP_ID);
    if (req.sessionTimeout <= 0) return fail(ErrorCode.INVALID_SESSION_TIMEOUT);
    const g = this.group(req.groupId);
    if (g.members.size > 0 && g.protocolType !== req.protocolType)
      return fail(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    const proposed = new Set(req.protocols.map((p) => p.name));
    for (const m of g.members.values()) {
      if (m.id === req.memberId) continue;
      if (!m.protocols.some((p) => proposed.has(p.name))) return fail(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    }
    let member: Member | undefined;
    if (req.memberId === '') {
      member = {
        id: `${req.clientId || 'member'}-${randomUUID()}`,
        clientId: req.clientId,
        clientHost: req.clientHost,
        sessionTimeout: req.sessionTimeout,
        rebalanceTimeout: req.rebalanceTimeout,
        protocols: req.protocols,
        assignment: EMPTY,
        lastSeen: Date.now(),
        pendingJoin: null,
        pendingSync: null,
      };
      g.members.set(member.id, member);
      this.log(`group ${g.id}: new member ${member.id}`);
    } else {
      member = g.members.get(req.memberId);
      if (!member) return fail(ErrorCode.UNKNOWN_MEMBER_ID);
      member.protocols = req.protocols;
      member.sessionTimeout = req.sessionTimeout;
      member.rebalanceTimeout = req.rebalanceTimeout;
      member.lastSeen = Date.now();
    }
    g.protocolType = req.protocolType;
    const m = member;
    return new Promise<JoinResult>((resolve) => {
      if (m.pendingJoin) m.pendingJoin(this.joinError(g, m, ErrorCode.REBALANCE_IN_PROGRESS));
      m.pendingJoin = resolve;
      if (g.state !== 'PreparingRebalance') this.prepareRebalance(g, `member ${m.id} joining`);
      this.maybeCompleteJoin(g);
    });
  }

  private joinError(g: Group, m: Member, errorCode: number): JoinResult {
    return { errorCode, generationId: g.generation, protocol: '', leaderId: '', memberId: m.id, members: [] };
  }

  private prepareRebalance(g: Group, reason: string): void {
    const now = Date.now();
    if (g.state === 'CompletingRebalance') {
      for (const m of g.members.values()) {
        if (m.pendingSync) {
          m.pendingSync({ errorCode: ErrorCode.REBALANCE_IN_PROGRESS, assignment: EMPTY });
          m.pendingSync = null;
        }
      }
    }
    const wasEmpty = g.state === 'Empty';
    g.state = 'PreparingRebalance';
    let timeout = 0;
    for (const m of g.members.values()) timeout = Math.max(timeout, m.rebalanceTimeout);
    g.joinDeadline = now + timeout;
    g.completeNotBefore = wasEmpty ? now + INITIAL_REBALANCE_DELAY_MS : 0;
    this.log(`group ${g.id}: preparing rebalance (${reason})`);
  }

  private maybeCompleteJoin(g: Group, force = false): void {
    if (g.state !== 'PreparingRebalance') return;
    const now = Date.now();
    let allJoined = g.members.size > 0;
    for (const m of g.members.values()) if (!m.pendingJoin) allJoined = false;
    if (!force && !(allJoined && now >= g.completeNotBefore)) return;

    for (const m of [...g.members.values()]) {
      if (!m.pendingJoin) {
        this.log(`group ${g.id}: member ${m.id} did not rejoin within the rebalance timeout, removed`);
        g.members.delete(m.id);
      }
    }
    g.generation++;
    if (g.members.size === 0) {
      g.state = 'Empty';
      g.protocol = null;
      g.leader = null;
      return;
    }
    const members = [...g.members.values()];
    if (!g.leader || !g.members.has(g.leader)) g.leader = members[0].id;
    const leader = g.members.get(g.leader) as Member;
    const protocol =
      leader.protocols.find((p) => members.every((m) => m.protocols.some((q) => q.name === p.name)))?.name ??
      leader.protocols[0]?.name ??
      '';
    g.protocol = protocol;
    g.state = 'CompletingRebalance';
    const metadataOf = (m: Member): Buffer => m.protocols.find((p) => p.name === protocol)?.metadata ?? EMPTY;
    const all = members.map((m) => ({ memberId: m.id, metadata: metadataOf(m) }));
    this.log(
      `group ${g.id}: generation ${g.generation} with ${members.length} member(s), leader ${g.leader}`,
    );
    for (const m of members) {
      const resolve = m.pendingJoin as (r: JoinResult) => void;
      m.pendingJoin = null;
      m.assignment = EMPTY;
      m.lastSeen = now;
      resolve({
        errorCode: ErrorCode.NONE,
        generationId: g.generation,
        protocol,
        leaderId: g.leader,
        memberId: m.id,
        members: m.id === g.leader ? all : [],
      });
    }
  }

  sync(
    groupId: string,
    generationId: number,
    memberId: string,
    assignments: { memberId: string; assignment: Buffer }[],
  ): Promise<SyncResult> {
    const fail = (errorCode: number): Promise<SyncResult> =>
      Promise.resolve({ errorCode, assignment: EMPTY });
    const g = this.groups.get(groupId);
    const m = g?.members.get(memberId);
    if (!g || !m) return fail(ErrorCode.UNKNOWN_MEMBER_ID);
    if (generationId !== g.generation) return fail(ErrorCode.ILLEGAL_GENERATION);
    m.lastSeen = Date.now();
    if (g.state === 'PreparingRebalance') return fail(ErrorCode.REBALANCE_IN_PROGRESS);
    if (g.state === 'Stable') return Promise.resolve({ errorCode: ErrorCode.NONE, assignment: m.assignment });
    // CompletingRebalance
    if (memberId === g.leader) {
      const byId = new Map(assignments.map((a) => [a.memberId, a.assignment]));
      for (const member of g.members.values()) member.assignment = byId.get(member.id) ?? EMPTY;
      g.state = 'Stable';
      this.log(`group ${g.id}: stable at generation ${g.generation}`);
      for (const member of g.members.values()) {
        if (member.pendingSync) {
          member.pendingSync({ errorCode: ErrorCode.NONE, assignment: member.assignment });
          member.pendingSync = null;
        }
      }
      return Promise.resolve({ errorCode: ErrorCode.NONE, assignment: m.assignment });
    }
    return new Promise<SyncResult>((resolve) => {
      if (m.pendingSync) m.pendingSync({ errorCode: ErrorCode.REBALANCE_IN_PROGRESS, assignment: EMPTY });
      m.pendingSync = resolve;
    });
  }

  heartbeat(groupId: string, generationId: number, memberId: string): number {
    const g = this.groups.get(groupId);
    const m = g?.members.get(memberId);
    if (!g || !m) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (generationId !== g.generation) return ErrorCode.ILLEGAL_GENERATION;
    m.lastSeen = Date.now();
    if (g.state === 'PreparingRebalance') return ErrorCode.REBALANCE_IN_PROGRESS;
    return ErrorCode.NONE;
  }

  leave(groupId: string, memberId: string): number {
    const g = this.groups.get(groupId);
    const m = g?.members.get(memberId);
    if (!g || !m) return ErrorCode.UNKNOWN_MEMBER_ID;
    this.log(`group ${g.id}: member ${memberId} left`);
    this.removeMember(g, m);
    return ErrorCode.NONE;
  }

  private removeMember(g: Group, m: Member): void {
    g.members.delete(m.id);
    if (m.pendingJoin) m.pendingJoin(this.joinError(g, m, ErrorCode.UNKNOWN_MEMBER_ID));
    if (m.pendingSync) m.pendingSync({ errorCode: ErrorCode.UNKNOWN_MEMBER_ID, assignment: EMPTY });
    m.pendingJoin = null;
    m.pendingSync = null;
    if (g.members.size === 0) {
      if (g.state !== 'Empty') g.generation++;
      g.state = 'Empty';
      g.protocol = null;
      g.leader = null;
      return;
    }
    if (g.state === 'Stable' || g.state === 'CompletingRebalance') {
      this.prepareRebalance(g, `member ${m.id} removed`);
    }
    this.maybeCompleteJoin(g);
  }

  /** Validates an OffsetCommit's group membership; returns an error code (NONE when the commit may proceed). */
  validateCommit(groupId: string, generationId: number, memberId: string): number {
    const g = this.groups.get(groupId);
    if (generationId < 0 && (!g || g.members.size === 0)) return ErrorCode.NONE; // simple (standalone) commit
    if (!g) return ErrorCode.ILLEGAL_GENERATION;
    const m = g.members.get(memberId);
    if (!m) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (generationId !== g.generation) return ErrorCode.ILLEGAL_GENERATION;
    if (g.state === 'CompletingRebalance') return ErrorCode.REBALANCE_IN_PROGRESS;
    m.lastSeen = Date.now();
    return ErrorCode.NONE;
  }

  describe(groupId: string): GroupDescription {
    const g = this.groups.get(groupId);
    if (!g) {
      const state: GroupState = this.offsets.hasGroup(groupId) ? 'Empty' : 'Dead';
      return { groupId, state, protocolType: state === 'Empty' ? 'consumer' : '', protocol: '', members: [] };
    }
    const stable = g.state === 'Stable';
    return {
      groupId,
      state: g.state,
      protocolType: g.protocolType ?? '',
      protocol: g.state === 'Stable' || g.state === 'CompletingRebalance' ? (g.protocol ?? '') : '',
      members: [...g.members.values()].map((m) => ({
        memberId: m.id,
        clientId: m.clientId,
        clientHost: m.clientHost,
        metadata: m.protocols.find((p) => p.name === g.protocol)?.metadata ?? EMPTY,
        assignment: stable ? m.assignment : EMPTY,
      })),
    };
  }

  list(): { groupId: string; protocolType: string }[] {
    const ids = new Set<string>([...this.groups.keys(), ...this.offsets.groupIds()]);
    return [...ids].map((groupId) => ({
      groupId,
      protocolType: this.groups.get(groupId)?.protocolType ?? 'consumer',
    }));
  }

  /** DeleteGroups: only groups without active members. */
  deleteGroup(groupId: string): number {
    const g = this.groups.get(groupId);
    if (g && g.members.size > 0) return ErrorCode.NON_EMPTY_GROUP;
    if (!g && !this.offsets.hasGroup(groupId)) return ErrorCode.GROUP_ID_NOT_FOUND;
    this.groups.delete(groupId);
    this.offsets.deleteGroup(groupId);
    return ErrorCode.NONE;
  }

  stats(): { groups: number; members: number } {
    let members = 0;
    for (const g of this.groups.values()) members += g.members.size;
    return { groups: this.list().length, members };
  }

  /** Session expiry and rebalance timeouts. */
  private tick(): void {
    const now = Date.now();
    for (const g of this.groups.values()) {
      for (const m of [...g.members.values()]) {
        if (m.pendingJoin || m.pendingSync) continue;
        if (now - m.lastSeen > m.sessionTimeout) {
          this.log(`group ${g.id}: member ${m.id} session expired (${m.sessionTimeout} ms), removed`);
          this.removeMember(g, m);
        }
      }
      if (g.state === 'PreparingRebalance') {
        this.maybeCompleteJoin(g, now >= g.joinDeadline);
      }
    }
  }

  /** Forgets all membership (broker restart); committed offsets are kept. */
  reset(): void {
    for (const g of this.groups.values()) {
      for (const m of g.members.values()) {
        m.pendingJoin?.(this.joinError(g, m, ErrorCode.NOT_COORDINATOR));
        m.pendingSync?.({ errorCode: ErrorCode.NOT_COORDINATOR, assignment: EMPTY });
      }
    }
    this.groups = new Map();
  }

  close(): void {
    this.reset();
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
