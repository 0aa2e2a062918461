variable "name" {
  description = "Name prefix."
  type        = string
}

resource "aws_cloudwatch_log_group" "scheduler" {
  name              = "/ecs/${var.name}-scheduler"
  retention_in_days = var.log_retention_days
}
