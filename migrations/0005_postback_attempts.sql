CREATE TABLE `postback_attempts` (
	`id` text PRIMARY KEY NOT NULL,
	`postback_id` text NOT NULL,
	`publisher_id` text NOT NULL,
	`lead_id` text NOT NULL,
	`type` text NOT NULL,
	`attempt` integer NOT NULL,
	`at` text NOT NULL,
	`http_status` integer,
	`error` text,
	`ms` integer NOT NULL,
	`outcome` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `postback_attempts_publisher_at` ON `postback_attempts` (`publisher_id`,`at`);--> statement-breakpoint
CREATE INDEX `postback_attempts_at` ON `postback_attempts` (`at`);