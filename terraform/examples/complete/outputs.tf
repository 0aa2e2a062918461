output "bucket_name" {
  description = "TRIBUTARY_BUCKET for the CLI and table definitions."
  value       = module.tributary.bucket_name
}

output "catalog_table_name" {
  description = "TRIBUTARY_CATALOG_TABLE for the CLI."
  value       = module.tributary.catalog_table_name
}

output "cluster_name" {
  description = "ECS cluster name (for aws ecs list-tasks / execute-command)."
  value       = module.tributary.cluster_name
}

output "scheduler_service_name" {
  description = "ECS service of the schedulers."
  value       = module.tributary.scheduler_service_name
}

output "runner_service_name" {
  description = "ECS service of the runners."
  value       = module.tributary.runner_service_name
}

output "runner_scaling_bounds" {
  description = "Min/max runners the scheduler moves within."
  value       = module.tributary.runner_scaling_bounds
}

output "tributary_env" {
  description = "Environment for the tributary CLI (write it to a .env file)."
  value       = module.tributary.runner_environment
}

output "glue_database_name" {
  description = "Glue database of the published Iceberg tables (the Athena database: SELECT ... FROM <database>.<table>)."
  value       = module.tributary.glue_database_name
}

output "athena_workgroup_name" {
  description = "Athena workgroup for querying the tables (engine v3, results in s3://<bucket>/athena-results/, enforced)."
  value       = aws_athena_workgroup.tributary.name
}

output "athena_results_location" {
  description = "Where the workgroup writes query results."
  value       = "s3://${module.tributary.bucket_name}/athena-results/"
}
