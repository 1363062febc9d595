CREATE TABLE `conversions` (
	`id` text PRIMARY KEY NOT NULL,
	`lead_id` text NOT NULL,
	`sale_id` text NOT NULL,
	`buyer_id` text NOT NULL,
	`lead_point_id` text NOT NULL,
	`event` text NOT NULL,
	`value_cents` integer,
	`at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `conversions_buyer_at` ON `conversions` (`buyer_id`,`at`);--> statement-breakpoint
CREATE INDEX `conversions_point_at` ON `conversions` (`lead_point_id`,`at`);--> statement-breakpoint
ALTER TABLE `lead_attempts` ADD `bid_rules` text;