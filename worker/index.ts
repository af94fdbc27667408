import { app } from "./app";
import { enqueueDuePages, handleDuePages } from "./backup/due-backups";
import { handleBackupQueue } from "./backup/schedule";
import { exportCron, handleExportQueue } from "./export/queue";
import { runMaintenance } from "./maintenance/cleanup";

export { StoreJobs } from "./jobs/store-jobs";

export default {
  fetch: app.fetch,
  async scheduled(controller, env, ctx) {
    ctx.waitUntil(enqueueDuePages(env, controller.scheduledTime));
    ctx.waitUntil(exportCron(env, controller.scheduledTime));
    ctx.waitUntil(runMaintenance(env, controller.scheduledTime));
  },
  async queue(batch, env) {
    const backups = await handleBackupQueue(await handleDuePages(batch.messages, env), env);
    const rest = await handleExportQueue(backups, env);
    for (const msg of rest) {
      console.error("queue message of unknown kind", msg.body);
      msg.ack();
    }
  },
} satisfies ExportedHandler<Env>;
