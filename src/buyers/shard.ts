import { WorkerEntrypoint } from "cloudflare:workers";
export class PingShard extends WorkerEntrypoint<Env> {}
