variable "log_retention_days" {
  type    = number
  default = 30
}

resource "aws_cloudwatch_log_group" "scheduler" {
  name              = "/ecs/tributary-scheduler"
  retention_in_days = var.log_retention_days
}
