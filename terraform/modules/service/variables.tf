variable "name" {
  description = "Name of the service; also the task definition family, the container name and the log group suffix."
  type        = string
}

variable "cluster_arn" {
  description = "ARN of the ECS cluster the service runs in."
  type        = string
}

variable "image" {
  description = "Container image URI, e.g. 123456789012.dkr.ecr.eu-west-1.amazonaws.com/tributary-runner:0.1.0."
  type        = string
}

variable "ecr_repository_arns" {
  description = "ECR repositories the execution role may pull from. null = derived from var.image when it is an ECR URI (none otherwise, e.g. for a public image)."
  type        = list(string)
  default     = null
}

variable "cpu" {
  description = "Fargate task CPU units (256, 512, 1024, 2048, 4096, ...)."
  type        = number
  default     = 1024
}

variable "memory" {
  description = "Fargate task memory in MiB; must be a valid combination with cpu."
  type        = number
  default     = 2048
}

variable "cpu_architecture" {
  description = "CPU architecture of the task: X86_64 or ARM64. Must match the image."
  type        = string
  default     = "X86_64"

  validation {
    condition     = contains(["X86_64", "ARM64"], var.cpu_architecture)
    error_message = "cpu_architecture must be X86_64 or ARM64."
  }
}

variable "port_mappings" {
  description = "Container ports to expose (awsvpc: container port = host port)."
  type = list(object({
    name           = string
    container_port = number
    app_protocol   = optional(string)
  }))
  default = []
}

variable "environment" {
  description = "Plain environment variables of the container (name => value)."
  type        = map(string)
  default     = {}
}

variable "secrets" {
  description = "Secret environment variables (name => ARN of an SSM parameter or a Secrets Manager secret). The execution role may read exactly these."
  type        = map(string)
  default     = {}
}

variable "secrets_kms_key_arn" {
  description = "KMS key that encrypts the secrets, when it is a customer-managed key (the execution role gets kms:Decrypt on it)."
  type        = string
  default     = null
}

variable "command" {
  description = "Overrides the image's command. null = the image default."
  type        = list(string)
  default     = null
}

variable "health_check_command" {
  description = "Container health check command, e.g. [\"CMD-SHELL\", \"curl -fs http://localhost:8080/q/health/live || exit 1\"]. null = no container health check."
  type        = list(string)
  default     = null
}

variable "health_check_start_period" {
  description = "Seconds of grace before failed health checks count (JVM start-up)."
  type        = number
  default     = 60
}

variable "stop_timeout" {
  description = "Seconds between SIGTERM and SIGKILL. Runners flush and commit their buffers on SIGTERM, so give them time (Fargate maximum 120)."
  type        = number
  default     = 120

  validation {
    condition     = var.stop_timeout >= 2 && var.stop_timeout <= 120
    error_message = "stop_timeout must be between 2 and 120 seconds on Fargate."
  }
}

variable "subnet_ids" {
  description = "Subnets the tasks are placed in (private subnets with a NAT gateway or VPC endpoints for S3, DynamoDB, ECR, CloudWatch Logs)."
  type        = list(string)
}

variable "security_group_ids" {
  description = "Security groups attached to the tasks."
  type        = list(string)
}

variable "assign_public_ip" {
  description = "Give tasks a public IP (only for public subnets without NAT)."
  type        = bool
  default     = false
}

variable "desired_count" {
  description = "Initial number of tasks."
  type        = number
  default     = 1
}

variable "ignore_desired_count_changes" {
  description = "Let something else own desired_count after creation (the Tributary scheduler scales the runner service with ecs:UpdateService); Terraform then never resets it."
  type        = bool
  default     = false
}

variable "deployment_minimum_healthy_percent" {
  description = "Lower limit of running tasks during a deployment, in percent of desired_count."
  type        = number
  default     = 100
}

variable "deployment_maximum_percent" {
  description = "Upper limit of running tasks during a deployment, in percent of desired_count."
  type        = number
  default     = 200
}

variable "task_role_policies" {
  description = "Inline policies of the task role (policy name => policy JSON). Keys must be known at plan time."
  type        = map(string)
  default     = {}
}

variable "enable_execute_command" {
  description = "Enable ECS Exec (and with it SSM port forwarding to the task, e.g. to reach the scheduler's gRPC port from a laptop)."
  type        = bool
  default     = false
}

variable "log_retention_days" {
  description = "Retention of the CloudWatch log group in days."
  type        = number
  default     = 30
}

variable "log_kms_key_arn" {
  description = "KMS key for the CloudWatch log group. null = CloudWatch's default encryption."
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags applied to every resource of this module."
  type        = map(string)
  default     = {}
}
