CREATE TABLE `buyers` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`api_key_hash` text NOT NULL,
	`return_window_hours` integer NOT NULL,
	`enabled` integer DEFAULT true NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `buyers_api_key_hash_unique` ON `buyers` (`api_key_hash`);--> statement-breakpoint
CREATE TABLE `config_generation` (
	`id` integer PRIMARY KEY NOT NULL,
	`generation` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `lead_attempts` (
	`lead_id` text NOT NULL,
	`seq` integer NOT NULL,
	`tree_id` text NOT NULL,
	`lead_point_id` text NOT NULL,
	`cycle` integer DEFAULT 1 NOT NULL,
	`phase` text NOT NULL,
	`outcome` text NOT NULL,
	`started_at` text NOT NULL,
	`ms` integer NOT NULL,
	`bid_cents` integer,
	`http_status` integer,
	`reason` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `lead_attempts_pk` ON `lead_attempts` (`lead_id`,`seq`);--> statement-breakpoint
CREATE INDEX `lead_attempts_point` ON `lead_attempts` (`lead_point_id`,`started_at`);--> statement-breakpoint
CREATE TABLE `lead_points` (
	`id` text PRIMARY KEY NOT NULL,
	`buyer_id` text NOT NULL,
	`name` text NOT NULL,
	`document` text NOT NULL,
	`enabled` integer DEFAULT true NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`buyer_id`) REFERENCES `buyers`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `lead_points_buyer` ON `lead_points` (`buyer_id`);--> statement-breakpoint
CREATE TABLE `leads` (
	`id` text PRIMARY KEY NOT NULL,
	`tree_id` text NOT NULL,
	`tree_version` integer NOT NULL,
	`publisher_id` text NOT NULL,
	`vertical` text NOT NULL,
	`click_id` text,
	`sub_id` text,
	`sub_id2` text,
	`sub_id3` text,
	`status` text NOT NULL,
	`score` integer NOT NULL,
	`signals` text NOT NULL,
	`fields` text NOT NULL,
	`consent` text NOT NULL,
	`reason` text,
	`redirect_url` text,
	`price_cents` integer DEFAULT 0 NOT NULL,
	`payout_cents` integer DEFAULT 0 NOT NULL,
	`ms` integer,
	`received_at` text NOT NULL,
	`completed_at` text
);
--> statement-breakpoint
CREATE INDEX `leads_tree_received` ON `leads` (`tree_id`,`received_at`);--> statement-breakpoint
CREATE INDEX `leads_publisher_received` ON `leads` (`publisher_id`,`received_at`);--> statement-breakpoint
CREATE TABLE `ledger_entries` (
	`id` text PRIMARY KEY NOT NULL,
	`sale_id` text NOT NULL,
	`lead_id` text NOT NULL,
	`tree_id` text NOT NULL,
	`kind` text NOT NULL,
	`party_id` text NOT NULL,
	`amount_cents` integer NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `ledger_sale` ON `ledger_entries` (`sale_id`);--> statement-breakpoint
CREATE INDEX `ledger_party` ON `ledger_entries` (`party_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `ping_tree_versions` (
	`tree_id` text NOT NULL,
	`version` integer NOT NULL,
	`document` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `ping_tree_versions_pk` ON `ping_tree_versions` (`tree_id`,`version`);--> statement-breakpoint
CREATE TABLE `ping_trees` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`vertical` text NOT NULL,
	`version` integer NOT NULL,
	`document` text NOT NULL,
	`enabled` integer DEFAULT true NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `publishers` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`api_key_hash` text NOT NULL,
	`payout` text NOT NULL,
	`postback_url` text,
	`enabled` integer DEFAULT true NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `publishers_api_key_hash_unique` ON `publishers` (`api_key_hash`);--> statement-breakpoint
CREATE TABLE `sales` (
	`id` text PRIMARY KEY NOT NULL,
	`lead_id` text NOT NULL,
	`tree_id` text NOT NULL,
	`lead_point_id` text NOT NULL,
	`buyer_id` text NOT NULL,
	`publisher_id` text NOT NULL,
	`price_cents` integer NOT NULL,
	`payout_cents` integer NOT NULL,
	`margin_cents` integer NOT NULL,
	`buyer_lead_id` text,
	`redirect_url` text,
	`sold_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `sales_lead_point` ON `sales` (`lead_id`,`lead_point_id`);--> statement-breakpoint
CREATE INDEX `sales_buyer_sold` ON `sales` (`buyer_id`,`sold_at`);--> statement-breakpoint
CREATE INDEX `sales_tree_sold` ON `sales` (`tree_id`,`sold_at`);