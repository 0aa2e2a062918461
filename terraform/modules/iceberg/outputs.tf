output "glue_database_name" {
  description = "Glue database the Iceberg tables are registered in (the Athena database), or null when catalog is not glue."
  value       = one(aws_glue_catalog_database.this[*].name)
}

output "glue_database_arn" {
  description = "ARN of the Glue database, or null when catalog is not glue."
  value       = one(aws_glue_catalog_database.this[*].arn)
}

output "namespace" {
  description = "Iceberg namespace the scheduler publishes into (TRIBUTARY_ICEBERG_NAMESPACE)."
  value       = var.database_name
}

output "scheduler_policy_json" {
  description = "Least-privilege policy for the scheduler's task role: Glue tables of the one database (catalog glue), Parquet footers, Iceberg metadata objects."
  value       = data.aws_iam_policy_document.publisher.json
}
