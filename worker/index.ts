import { app } from "./app";
import { enqueueDueBackups, handleBackupQueue } from "./backup/schedule";
import { exportCron, handleExportQueue } from "./export/queue";
import { runMaintenance } from "./maintenance/cleanup";

export { StoreJobs } from "./jobs/store-jobs";

export default {
  fetch: app.fetch,
  async scheduled(controller, env, ctx) {
    ctx.waitUntil(enqueueDueBackups(env, controller.scheduledTime));
    ctx.waitUntil(exportCron(env, controller.scheduledTime));
    ctx.waitUntil(runMaintenance(env, controller.scheduledTime));
  },
  async queue(batch, env) {
    const rest = await handleExportQueue(await handleBackupQueue(batch.messages, env), env);
    for (const msg of rest) {
      console.error("queue message of unknown kind", msg.body);
      msg.ack();
    }
  },
} satisfies ExportedHandler<Env>;
