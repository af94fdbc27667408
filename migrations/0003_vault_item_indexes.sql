DROP INDEX `records_store_type_changed`;--> statement-breakpoint
CREATE INDEX `records_store_type_changed_id` ON `records` (`store_hash`,`type`,`last_changed_at`,`record_id`);--> statement-breakpoint
CREATE INDEX `records_store_type_deleted_changed` ON `records` (`store_hash`,`type`,`deleted`,`last_changed_at`,`record_id`);--> statement-breakpoint
CREATE INDEX `records_store_type_name` ON `records` (`store_hash`,`type`,`display_name`,`record_id`);