-- Targets by product series or territory (PRODUCT.md 2.3): a plan may narrow
-- its metric to one product series or one territory; the plan's key gains
-- both. An order line keeps the series its product had when the line was
-- saved, so renaming a series does not restate the revenue already won.
ALTER TABLE opportunity_products ADD COLUMN series TEXT NOT NULL DEFAULT '';
UPDATE opportunity_products SET series = p.series FROM products p WHERE p.id = opportunity_products.product_id;

ALTER TABLE target_plans ADD COLUMN dimension TEXT NOT NULL DEFAULT '';
ALTER TABLE target_plans ADD COLUMN dim_value TEXT NOT NULL DEFAULT '';
ALTER TABLE target_plans DROP CONSTRAINT target_plans_metric_fiscal_year_currency_revision_key;
ALTER TABLE target_plans ADD CONSTRAINT target_plans_key UNIQUE (metric, dimension, dim_value, fiscal_year, currency, revision);
