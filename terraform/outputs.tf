output "bucket_name" {
  description = "Parts bucket (TRIBUTARY_BUCKET)."
  value       = module.storage.bucket_id
}

output "bucket_arn" {
  description = "ARN of the parts bucket."
  value       = module.storage.bucket_arn
}

output "catalog_table_name" {
  description = "DynamoDB catalog table (TRIBUTARY_CATALOG_TABLE)."
  value       = module.storage.table_name
}

output "catalog_table_arn" {
  description = "ARN of the DynamoDB catalog table."
  value       = module.storage.table_arn
}

output "cluster_arn" {
  description = "ECS cluster the services run in."
  value       = local.cluster_arn
}

output "cluster_name" {
  description = "Name of the ECS cluster."
  value       = local.cluster_name
}

output "scheduler_service_name" {
  description = "ECS service of the schedulers (leader + standbys)."
  value       = module.scheduler.service_name
}

output "runner_service_name" {
  description = "ECS service of the runner pool, scaled by the scheduler."
  value       = module.runner.service_name
}

output "runner_service_arn" {
  description = "ARN of the runner service (the only resource the scheduler may update)."
  value       = module.runner.service_arn
}

output "runner_scaling_bounds" {
  description = "Min and max runner count the scheduler moves within."
  value       = { min = aws_appautoscaling_target.runner.min_capacity, max = aws_appautoscaling_target.runner.max_capacity }
}

output "scheduler_task_role_arn" {
  description = "IAM role of the scheduler tasks."
  value       = module.scheduler.task_role_arn
}

output "runner_task_role_arn" {
  description = "IAM role of the runner tasks."
  value       = module.runner.task_role_arn
}

output "scheduler_security_group_id" {
  description = "Security group of the schedulers."
  value       = aws_security_group.scheduler.id
}

output "runner_security_group_id" {
  description = "Security group of the runners."
  value       = aws_security_group.runner.id
}

output "scheduler_log_group" {
  description = "CloudWatch log group of the schedulers."
  value       = module.scheduler.log_group_name
}

output "runner_log_group" {
  description = "CloudWatch log group of the runners."
  value       = module.runner.log_group_name
}

output "runner_environment" {
  description = "The contract environment the tasks get; put it in a local .env to run the tributary CLI against the deployment."
  value       = local.common_environment
}

output "iceberg_catalog" {
  description = "Iceberg catalog the scheduler publishes to (glue, rest or none)."
  value       = var.iceberg_catalog
}

output "iceberg_namespace" {
  description = "Iceberg namespace of the published tables (TRIBUTARY_ICEBERG_NAMESPACE); the Athena database when iceberg_catalog = glue."
  value       = var.iceberg_namespace
}

output "glue_database_name" {
  description = "Glue database the Iceberg tables are registered in (query them in Athena as <database>.<table>), or null unless iceberg_catalog = glue."
  value       = one(module.iceberg[*].glue_database_name)
}

output "glue_database_arn" {
  description = "ARN of the Glue database, or null unless iceberg_catalog = glue."
  value       = one(module.iceberg[*].glue_database_arn)
}
