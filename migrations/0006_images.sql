CREATE TABLE `image_files` (
	`store_hash` text NOT NULL,
	`sha256` text NOT NULL,
	`bytes` integer NOT NULL,
	`content_type` text NOT NULL,
	`first_seen_at` integer NOT NULL,
	PRIMARY KEY(`store_hash`, `sha256`)
);
--> statement-breakpoint
CREATE TABLE `image_sources` (
	`store_hash` text NOT NULL,
	`source_key` text NOT NULL,
	`sha256` text NOT NULL,
	`fetched_at` integer NOT NULL,
	PRIMARY KEY(`store_hash`, `source_key`)
);
--> statement-breakpoint
CREATE TABLE `version_images` (
	`store_hash` text NOT NULL,
	`version_hash` text NOT NULL,
	`type` text NOT NULL,
	`record_id` text NOT NULL,
	`images` text NOT NULL,
	`complete` integer NOT NULL,
	PRIMARY KEY(`store_hash`, `version_hash`)
);
