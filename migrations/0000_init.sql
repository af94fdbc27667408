CREATE TABLE `backups` (
	`id` text PRIMARY KEY NOT NULL,
	`store_hash` text NOT NULL,
	`kind` text NOT NULL,
	`status` text NOT NULL,
	`types` text NOT NULL,
	`started_at` integer NOT NULL,
	`finished_at` integer,
	`error` text,
	`counts` text DEFAULT '{}' NOT NULL,
	`api_calls` integer DEFAULT 0 NOT NULL,
	`versions_written` integer DEFAULT 0 NOT NULL,
	`bytes_stored` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE INDEX `backups_store_started` ON `backups` (`store_hash`,`started_at`);--> statement-breakpoint
CREATE TABLE `export_schedules` (
	`store_hash` text PRIMARY KEY NOT NULL,
	`enabled` integer DEFAULT true NOT NULL,
	`frequency` text NOT NULL,
	`day_of_week` integer,
	`day_of_month` integer,
	`types` text NOT NULL,
	`emails` text NOT NULL,
	`next_run_at` integer,
	`last_run_at` integer,
	`updated_by` text NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `exports` (
	`id` text PRIMARY KEY NOT NULL,
	`store_hash` text NOT NULL,
	`kind` text NOT NULL,
	`status` text NOT NULL,
	`types` text NOT NULL,
	`emails` text NOT NULL,
	`include_images` integer DEFAULT false NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`finished_at` integer,
	`expires_at` integer,
	`size` integer DEFAULT 0 NOT NULL,
	`counts` text DEFAULT '{}' NOT NULL,
	`files` text DEFAULT '[]' NOT NULL,
	`error` text
);
--> statement-breakpoint
CREATE INDEX `exports_store_created` ON `exports` (`store_hash`,`created_at`);--> statement-breakpoint
CREATE TABLE `id_map` (
	`store_hash` text NOT NULL,
	`type` text NOT NULL,
	`old_id` text NOT NULL,
	`new_id` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`store_hash`, `type`, `old_id`)
);
--> statement-breakpoint
CREATE TABLE `outbox` (
	`id` text PRIMARY KEY NOT NULL,
	`store_hash` text,
	`kind` text NOT NULL,
	`to` text NOT NULL,
	`subject` text NOT NULL,
	`html` text NOT NULL,
	`text` text NOT NULL,
	`status` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`error` text,
	`created_at` integer NOT NULL,
	`sent_at` integer
);
--> statement-breakpoint
CREATE INDEX `outbox_store` ON `outbox` (`store_hash`,`created_at`);--> statement-breakpoint
CREATE TABLE `packs` (
	`id` text PRIMARY KEY NOT NULL,
	`store_hash` text NOT NULL,
	`key` text NOT NULL,
	`size` integer NOT NULL,
	`entries` integer NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `plan_changes` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`store_hash` text NOT NULL,
	`from_plan` text NOT NULL,
	`to_plan` text NOT NULL,
	`user_id` integer NOT NULL,
	`user_email` text NOT NULL,
	`changed_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `records` (
	`store_hash` text NOT NULL,
	`type` text NOT NULL,
	`record_id` text NOT NULL,
	`display_name` text NOT NULL,
	`search_text` text NOT NULL,
	`current_hash` text,
	`version_count` integer DEFAULT 0 NOT NULL,
	`size` integer DEFAULT 0 NOT NULL,
	`deleted` integer DEFAULT false NOT NULL,
	`deleted_at` integer,
	`first_seen_at` integer NOT NULL,
	`last_changed_at` integer NOT NULL,
	PRIMARY KEY(`store_hash`, `type`, `record_id`)
);
--> statement-breakpoint
CREATE INDEX `records_store_type_changed` ON `records` (`store_hash`,`type`,`last_changed_at`);--> statement-breakpoint
CREATE TABLE `restore_items` (
	`restore_id` text NOT NULL,
	`store_hash` text NOT NULL,
	`type` text NOT NULL,
	`record_id` text NOT NULL,
	`display_name` text NOT NULL,
	`action` text NOT NULL,
	`status` text NOT NULL,
	`from_version_id` integer,
	`before_version_id` integer,
	`new_id` text,
	`message` text,
	`finished_at` integer,
	PRIMARY KEY(`restore_id`, `type`, `record_id`)
);
--> statement-breakpoint
CREATE INDEX `restore_items_status` ON `restore_items` (`restore_id`,`status`);--> statement-breakpoint
CREATE TABLE `restores` (
	`id` text PRIMARY KEY NOT NULL,
	`store_hash` text NOT NULL,
	`kind` text NOT NULL,
	`status` text NOT NULL,
	`target_at` integer NOT NULL,
	`target_backup_id` text,
	`types` text NOT NULL,
	`emails` text DEFAULT '[]' NOT NULL,
	`options` text DEFAULT '{}' NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`finished_at` integer,
	`total_count` integer DEFAULT 0 NOT NULL,
	`success_count` integer DEFAULT 0 NOT NULL,
	`error_count` integer DEFAULT 0 NOT NULL,
	`undo_of` text,
	`undone_by` text,
	`error` text
);
--> statement-breakpoint
CREATE INDEX `restores_store_created` ON `restores` (`store_hash`,`created_at`);--> statement-breakpoint
CREATE TABLE `seen_nonces` (
	`nonce` text PRIMARY KEY NOT NULL,
	`store_hash` text,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `sessions` (
	`id_hash` text PRIMARY KEY NOT NULL,
	`store_hash` text NOT NULL,
	`user_id` integer NOT NULL,
	`kind` text NOT NULL,
	`csrf_token` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`revoked_at` integer
);
--> statement-breakpoint
CREATE INDEX `sessions_store_user` ON `sessions` (`store_hash`,`user_id`);--> statement-breakpoint
CREATE TABLE `stores` (
	`hash` text PRIMARY KEY NOT NULL,
	`status` text NOT NULL,
	`name` text,
	`domain` text,
	`scope` text NOT NULL,
	`account_uuid` text,
	`owner_id` integer,
	`owner_email` text,
	`token_ciphertext` text,
	`token_iv` text,
	`token_key_id` text,
	`plan` text DEFAULT 'standard' NOT NULL,
	`timezone` text DEFAULT 'UTC' NOT NULL,
	`backup_hour` integer DEFAULT 2 NOT NULL,
	`auto_sync` integer DEFAULT false NOT NULL,
	`quota_reserve_pct` integer DEFAULT 20 NOT NULL,
	`retention_days` integer DEFAULT 365 NOT NULL,
	`notification_emails` text DEFAULT '[]' NOT NULL,
	`next_backup_at` integer,
	`last_backup_id` text,
	`installed_at` integer NOT NULL,
	`uninstalled_at` integer,
	`delete_after` integer
);
--> statement-breakpoint
CREATE TABLE `users` (
	`store_hash` text NOT NULL,
	`user_id` integer NOT NULL,
	`email` text NOT NULL,
	`role` text NOT NULL,
	`locale` text,
	`removed_at` integer,
	`last_seen_at` integer,
	PRIMARY KEY(`store_hash`, `user_id`)
);
--> statement-breakpoint
CREATE INDEX `users_email` ON `users` (`email`);--> statement-breakpoint
CREATE TABLE `versions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`store_hash` text NOT NULL,
	`type` text NOT NULL,
	`record_id` text NOT NULL,
	`backup_id` text,
	`source` text NOT NULL,
	`change` text NOT NULL,
	`captured_at` integer NOT NULL,
	`display_name` text NOT NULL,
	`hash` text,
	`size` integer DEFAULT 0 NOT NULL,
	`pack_id` text,
	`offset` integer,
	`length` integer
);
--> statement-breakpoint
CREATE INDEX `versions_record` ON `versions` (`store_hash`,`type`,`record_id`,`captured_at`);--> statement-breakpoint
CREATE INDEX `versions_type_time` ON `versions` (`store_hash`,`type`,`captured_at`);--> statement-breakpoint
CREATE INDEX `versions_hash` ON `versions` (`store_hash`,`hash`);--> statement-breakpoint
CREATE UNIQUE INDEX `versions_dedupe` ON `versions` (`store_hash`,`type`,`record_id`,`captured_at`,`source`);