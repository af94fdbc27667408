ALTER TABLE `exports` ADD `source` text DEFAULT 'live' NOT NULL;--> statement-breakpoint
ALTER TABLE `exports` ADD `source_as_of` integer;