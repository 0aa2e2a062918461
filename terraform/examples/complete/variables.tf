variable "region" {
  description = "AWS region of the deployment (the MSK cluster's region)."
  type        = string
}

variable "name" {
  description = "Name prefix of every resource."
  type        = string
  default     = "tributary"
}

variable "vpc_id" {
  description = "Existing VPC that can reach the MSK brokers."
  type        = string
}

variable "private_subnet_ids" {
  description = "Existing private subnets (with NAT or VPC endpoints) for the Fargate tasks."
  type        = list(string)
}

variable "msk_cluster_arn" {
  description = "ARN of the existing MSK cluster (IAM access control enabled)."
  type        = string
}

variable "msk_security_group_id" {
  description = "Security group of the MSK brokers; an ingress rule for Tributary on 9098 is added to it. null = manage it yourself."
  type        = string
  default     = null
}

variable "source_topics" {
  description = "Kafka topics the runners may read (names or IAM wildcard patterns)."
  type        = list(string)
}

variable "dlq_topics" {
  description = "Dead-letter mirror topics the runners may write."
  type        = list(string)
  default     = []
}

variable "bucket_name" {
  description = "Globally unique name of the parts bucket to create."
  type        = string
}

variable "scheduler_image" {
  description = "Scheduler image URI in ECR (see terraform/README.md, 'Build and push the images')."
  type        = string
}

variable "runner_image" {
  description = "Task-runner image URI in ECR."
  type        = string
}

variable "runner_min_count" {
  description = "Lower bound of the runner pool."
  type        = number
  default     = 1
}

variable "runner_max_count" {
  description = "Upper bound of the runner pool."
  type        = number
  default     = 8
}

variable "operator_cidr_blocks" {
  description = "CIDR blocks allowed to reach the scheduler's gRPC port 9000 (bastion or VPN)."
  type        = list(string)
  default     = []
}

variable "enable_execute_command" {
  description = "ECS Exec and SSM port forwarding to the scheduler (the way to reach it from a laptop without a VPN)."
  type        = bool
  default     = true
}

variable "tags" {
  description = "Tags on every resource (added to the provider's default tags)."
  type        = map(string)
  default     = {}
}

variable "iceberg_namespace" {
  description = "Glue database (Iceberg namespace) the tables are published into; the database you query in Athena."
  type        = string
  default     = "tributary"
}

variable "athena_workgroup_name" {
  description = "Name of the Athena workgroup created for querying the published tables."
  type        = string
  default     = "tributary"
}

variable "athena_bytes_scanned_cutoff_per_query" {
  description = "Athena cancels a query of the workgroup after scanning this many bytes (minimum 10 MB). null = no limit."
  type        = number
  default     = 107374182400 # 100 GiB
}
