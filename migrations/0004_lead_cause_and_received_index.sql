ALTER TABLE `leads` ADD `cause` text;--> statement-breakpoint
CREATE INDEX `leads_received` ON `leads` (`received_at`);