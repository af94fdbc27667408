DROP INDEX `records_store_type_deleted_changed`;--> statement-breakpoint
CREATE INDEX `records_store_type_deleted` ON `records` (`store_hash`,`type`,`last_changed_at`,`record_id`) WHERE deleted = 1;--> statement-breakpoint
DROP INDEX `versions_record`;--> statement-breakpoint
DROP INDEX `versions_type_time`;--> statement-breakpoint
DROP INDEX `versions_hash`;--> statement-breakpoint
CREATE INDEX `stores_due` ON `stores` (`status`,`next_backup_at`,`hash`);