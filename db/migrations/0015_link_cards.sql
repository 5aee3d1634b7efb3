-- Link cards (issue 10, ADR 038): the linked page's title, description, site name and image (by media-store hash),
-- as fetched and then edited by hand in the composer, kept with the post.
ALTER TABLE "posts" ADD COLUMN "link_card" jsonb;--> statement-breakpoint
-- A channel's own link (UTM parameters per channel, configurable, off by default); null inherits the post's link.
ALTER TABLE "post_variants" ADD COLUMN "link" text;
