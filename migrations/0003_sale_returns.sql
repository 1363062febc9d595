CREATE TABLE `returns` (
	`sale_id` text PRIMARY KEY NOT NULL,
	`lead_id` text NOT NULL,
	`buyer_id` text NOT NULL,
	`reason` text NOT NULL,
	`returned_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `returns_buyer_returned` ON `returns` (`buyer_id`,`returned_at`);