import { WorkerEntrypoint } from "cloudflare:workers";
import type { PingAttempt } from "../core/attempt";
import { createBuyerClient } from "./client";
import { pingJobs, type PingJob, type PingShardService } from "./fanout";
import type { PingMessage } from "./wire";

/**
 * One invocation's share of an auction's pings: at most six buyers, each
 * under the absolute deadline the auction gave it.
 */
export class PingShard extends WorkerEntrypoint<Env> implements PingShardService {
  async ping(jobs: PingJob[], message: PingMessage): Promise<PingAttempt[]> {
    return pingJobs(createBuyerClient(), jobs, message);
  }
}
