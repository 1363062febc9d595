CREATE TABLE `score_weight_activations` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`version` integer NOT NULL,
	`activated_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `score_weight_activations_version` ON `score_weight_activations` (`version`);--> statement-breakpoint
CREATE TABLE `score_weight_versions` (
	`version` integer PRIMARY KEY NOT NULL,
	`created_at` text NOT NULL,
	`trained_from` text NOT NULL,
	`trained_to` text NOT NULL,
	`points` text NOT NULL,
	`fit` text NOT NULL
);
--> statement-breakpoint
ALTER TABLE `leads` ADD `score_weights_version` integer DEFAULT 0 NOT NULL;