CREATE TABLE `clicks` (
	`id` text PRIMARY KEY NOT NULL,
	`publisher_id` text NOT NULL,
	`sub_id` text,
	`sub_id2` text,
	`sub_id3` text,
	`landing_url` text NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `clicks_publisher_created` ON `clicks` (`publisher_id`,`created_at`);--> statement-breakpoint
ALTER TABLE `publishers` ADD `landing_domains` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
CREATE INDEX `leads_click` ON `leads` (`click_id`);