CREATE TABLE `signin_tokens` (
	`token_hash` text PRIMARY KEY NOT NULL,
	`email` text NOT NULL,
	`ip` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`used_at` integer
);
--> statement-breakpoint
CREATE INDEX `signin_tokens_email` ON `signin_tokens` (`email`,`created_at`);--> statement-breakpoint
CREATE INDEX `signin_tokens_ip` ON `signin_tokens` (`ip`,`created_at`);--> statement-breakpoint
CREATE TABLE `signins` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`store_hash` text NOT NULL,
	`user_id` integer NOT NULL,
	`email` text NOT NULL,
	`ip` text NOT NULL,
	`user_agent` text,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `signins_store` ON `signins` (`store_hash`,`at`);