output "service_name" {
  description = "Name of the ECS service."
  value       = one(concat(aws_ecs_service.this[*].name, aws_ecs_service.scaled_externally[*].name))
}

output "service_arn" {
  description = "ARN of the ECS service (the resource of ecs:UpdateService / ecs:DescribeServices)."
  value       = one(concat(aws_ecs_service.this[*].id, aws_ecs_service.scaled_externally[*].id))
}

output "task_definition_arn" {
  description = "ARN of the task definition revision the service runs."
  value       = aws_ecs_task_definition.this.arn
}

output "task_role_arn" {
  description = "ARN of the task role (the application's AWS identity)."
  value       = aws_iam_role.task.arn
}

output "task_role_name" {
  description = "Name of the task role, to attach further policies."
  value       = aws_iam_role.task.name
}

output "execution_role_arn" {
  description = "ARN of the execution role (image pull, logs, secrets)."
  value       = aws_iam_role.execution.arn
}

output "log_group_name" {
  description = "CloudWatch log group of the service."
  value       = aws_cloudwatch_log_group.this.name
}

output "log_group_arn" {
  description = "ARN of the CloudWatch log group."
  value       = aws_cloudwatch_log_group.this.arn
}
