ALTER TABLE `stores` ADD `type_frequencies` text DEFAULT '{}' NOT NULL;--> statement-breakpoint
ALTER TABLE `stores` ADD `settings_updated_at` integer;--> statement-breakpoint
ALTER TABLE `stores` ADD `settings_updated_by` text;