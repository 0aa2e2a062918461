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
