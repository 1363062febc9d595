ALTER TABLE `ping_tree_versions` ADD `gate_shards` integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE `ping_trees` ADD `gate_shards` integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE `ping_trees` ADD `gate_shard_history` text DEFAULT '[]' NOT NULL;