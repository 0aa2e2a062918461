resource "aws_cloudwatch_log_group" "scheduler" {
  name              = "/ecs/tributary-scheduler"
  retention_in_days = 30
}

output "log_group_name" {
  value = aws_cloudwatch_log_group.scheduler.name
}
