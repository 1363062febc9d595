/**
 * The gate's alarm as a single wake-up time: writes move it earlier when they
 * need it sooner, from a cached copy, so the hot path pays no storage read.
 */
export class Wakeups {
  /** The alarm this object last set; undefined until read once. */
  private alarmAt: number | null | undefined;

  constructor(private readonly storage: DurableObjectStorage) {}

  /** The alarm has fired: whatever it was set to is gone. */
  fired(): void {
    this.alarmAt = null;
  }

  async noLaterThan(at: number): Promise<void> {
    if (this.alarmAt === undefined) this.alarmAt = await this.storage.getAlarm();
    const current = this.alarmAt;
    if (current === null || current > at || current < Date.now()) {
      this.alarmAt = at;
      await this.storage.setAlarm(at);
    }
  }

  /** Sets the alarm for the earliest of `times`, when there is one, but not before `soonest`. */
  async plan(times: (number | undefined)[], soonest: number): Promise<void> {
    const due = times.filter((at): at is number => at !== undefined);
    if (due.length) await this.noLaterThan(Math.max(soonest, Math.min(...due)));
  }
}
