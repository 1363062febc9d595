import { numberSetting } from "./core/settings";
import { createApp } from "./http/app";
import { redactExpiredPii } from "./store/retention";
import { servicesOf } from "./store/services";

const app = createApp();
const DAY_MS = 86_400_000;

export default {
  fetch: app.fetch,
  /** Daily: personal fields of leads past the retention period are removed. */
  async scheduled(controller, env) {
    const days = numberSetting(env.PII_RETENTION_DAYS, 730);
    const changed = await redactExpiredPii(servicesOf(env).db, new Date(controller.scheduledTime - days * DAY_MS).toISOString());
    console.log(`PII retention: redacted ${changed} lead(s) older than ${days} days`);
  },
} satisfies ExportedHandler<Env>;

export { LeadGate } from "./objects/gate";
export { Counter } from "./objects/counter";
export { Rotation } from "./objects/rotation";
export { PingShard } from "./objects/pingShard";
export { PostbackSender } from "./objects/postbackSender";
export { ConsumerLedger } from "./objects/consumers";
