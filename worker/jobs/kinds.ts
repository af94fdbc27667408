import { backupJob } from "../backup/backup-job";
import { exportJob } from "../export/export-job";
import { restoreJob } from "../restore/restore-job";
import type { AnyJobKind } from "./job-kinds";

/** Every job kind the StoreJobs object can run, by name. Restore and export add theirs here. */
export const jobKinds: Record<string, AnyJobKind> = {
  [backupJob.kind]: backupJob,
  [restoreJob.kind]: restoreJob,
  [exportJob.kind]: exportJob,
};
