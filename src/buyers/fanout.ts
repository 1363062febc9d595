/**
 * Spreads one auction's pings over invocations so that none waits on more
 * than six buyers at once (the production connection cap, see client.ts):
 * the first six are pinged from this invocation, the rest in groups of six
 * through the shard services the caller gives: the submitting Worker's own
 * invocation when one waits (exchange/submit.ts), then PingShard Durable
 * Objects (objects/pingShard.ts says why not a service binding). Every
 * deadline is absolute, measured from the tier's start, so a shard that
 * starts late does not give its buyers longer.
 */
import type { PingAttempt } from "../core/attempt";
import { pingLeadPoint, type PingTarget } from "./call";
import { MAX_WAITING_FOR_HEADERS, type BuyerClient } from "./client";
import type { PingMessage } from "./wire";

export interface PingJob {
  point: PingTarget;
  /** Absolute epoch ms: timeout plus grace. */
  deadlineAt: number;
  /** What the buyer is told it has: its timeout, never the grace. */
  allowedResponseMs: number;
}

/** A ping's message before each buyer's own allowed time is put in. */
export type PingEnvelope = Omit<PingMessage, "allowedResponseMs">;

/** The RPC surface of PingShard that the fan-out needs. */
export interface PingShardService {
  ping(jobs: PingJob[], message: PingEnvelope): Promise<PingAttempt[]>;
}

export function pingJobs(client: BuyerClient, jobs: PingJob[], message: PingEnvelope): Promise<PingAttempt[]> {
  return Promise.all(jobs.map((job) => pingLeadPoint(client, job.point, { ...message, allowedResponseMs: job.allowedResponseMs }, job.deadlineAt)));
}

export function chunk<T>(items: T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

/** `shards(n)` gives the n shard services this auction may use, one per group past the first six. */
export async function fanOutPings(
  client: BuyerClient,
  shards: (count: number) => PingShardService[],
  jobs: PingJob[],
  message: PingEnvelope,
): Promise<PingAttempt[]> {
  const [direct = [], ...sharded] = chunk(jobs, MAX_WAITING_FOR_HEADERS);
  const services = sharded.length ? shards(sharded.length) : [];
  // The shards' calls go first: each travels to its invocation while this one sends its own six.
  const shardGroups = sharded.map((group, i) => {
    const shard = services[i];
    if (!shard) return Promise.resolve(group.map((job) => shardFailure(job, "no shard")));
    return shard.ping(group, message).catch((error: unknown) => group.map((job) => shardFailure(job, error)));
  });
  const groups = await Promise.all([pingJobs(client, direct, message), ...shardGroups]);
  return groups.flat();
}

function shardFailure(job: PingJob, error: unknown): PingAttempt {
  console.error("ping shard failed", error);
  return { kind: "transportError", leadPointId: job.point.id, startedAt: new Date().toISOString(), ms: 0, reason: "ping shard failed" };
}
