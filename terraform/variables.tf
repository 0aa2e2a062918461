################################################################################
# General
################################################################################

variable "name" {
  description = "Name prefix of every resource (services become <name>-scheduler and <name>-runner)."
  type        = string
  default     = "tributary"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,30}$", var.name))
    error_message = "name must be lower-case letters, digits and '-', at most 31 characters, starting with a letter."
  }
}

variable "tags" {
  description = "Tags applied to every resource."
  type        = map(string)
  default     = {}
}

################################################################################
# Network
################################################################################

variable "vpc_id" {
  description = "VPC the services run in (the MSK cluster's VPC or one peered with it)."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets for the tasks; they need a route to S3, DynamoDB, ECR and CloudWatch Logs (NAT gateway or VPC endpoints)."
  type        = list(string)
}

variable "assign_public_ip" {
  description = "Give tasks public IPs (only for public subnets without a NAT gateway)."
  type        = bool
  default     = false
}

variable "operator_cidr_blocks" {
  description = "CIDR blocks allowed to call the scheduler's gRPC API (port 9000), e.g. a bastion or VPN range. Empty = runners only."
  type        = list(string)
  default     = []
}

variable "metrics_cidr_blocks" {
  description = "CIDR blocks allowed to scrape /q/metrics and /q/health on port 8080 of scheduler and runners (a Prometheus in the VPC). Empty = none."
  type        = list(string)
  default     = []
}

################################################################################
# Kafka (MSK with IAM access control)
################################################################################

variable "msk_cluster_arn" {
  description = "ARN of the MSK cluster (IAM access control enabled), arn:aws:kafka:<region>:<account>:cluster/<name>/<uuid>."
  type        = string

  validation {
    condition     = can(regex("^arn:[^:]+:kafka:[^:]+:[0-9]{12}:cluster/[^/]+/[^/]+$", var.msk_cluster_arn))
    error_message = "msk_cluster_arn must look like arn:aws:kafka:<region>:<account>:cluster/<name>/<uuid>."
  }
}

variable "kafka_bootstrap_brokers" {
  description = "Bootstrap brokers for IAM authentication (the cluster's bootstrap_brokers_sasl_iam, port 9098)."
  type        = string
}

variable "kafka_port" {
  description = "Broker port the tasks connect to (9098 = SASL/IAM inside the VPC)."
  type        = number
  default     = 9098
}

variable "msk_security_group_id" {
  description = "Security group of the MSK brokers. When set, an ingress rule on it admits the scheduler and runners on kafka_port. null = manage broker ingress yourself."
  type        = string
  default     = null
}

variable "source_topics" {
  description = "Kafka topics (names or IAM wildcard patterns like \"clicks*\") the runners may read. Tables whose topic is not covered here fail with an authorization error."
  type        = list(string)

  validation {
    condition     = length(var.source_topics) > 0
    error_message = "source_topics needs at least one topic."
  }
}

variable "dlq_topics" {
  description = "Dead-letter mirror topics (errors.topic of a table) the runners may write to. Empty = no DLQ topic writes."
  type        = list(string)
  default     = []
}

variable "consumer_group_patterns" {
  description = "Kafka consumer groups the runners commit offsets to (best-effort, for standard lag tools). One group per table, tributary-<table> by default."
  type        = list(string)
  default     = ["tributary-*"]

  validation {
    condition     = length(var.consumer_group_patterns) > 0
    error_message = "consumer_group_patterns needs at least one group name or pattern."
  }
}

################################################################################
# Storage
################################################################################

variable "bucket_name" {
  description = "Name of the S3 bucket for Parquet parts and dead letters (TRIBUTARY_BUCKET). Globally unique."
  type        = string
}

variable "table_prefixes" {
  description = "Key prefixes (output.prefix of the table definitions, ending in /) under which runners may write, read and delete objects."
  type        = list(string)
  default     = ["tables/"]

  validation {
    condition     = alltrue([for p in var.table_prefixes : can(regex("^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*/$", p))])
    error_message = "Each table prefix must be a relative key prefix ending in '/', e.g. \"tables/\"."
  }
}

variable "staging_prefix" {
  description = "Key prefix whose objects are orphans by definition and expire after orphan_expiration_days."
  type        = string
  default     = "_staging/"
}

variable "orphan_expiration_days" {
  description = "Days after which objects under staging_prefix expire."
  type        = number
  default     = 2
}

variable "catalog_table_name" {
  description = "Name of the DynamoDB catalog table (TRIBUTARY_CATALOG_TABLE)."
  type        = string
  default     = "tributary-catalog"
}

variable "kms_key_arn" {
  description = "Customer-managed KMS key for the bucket (SSE-KMS) and the catalog table. null = SSE-S3 and the AWS-managed DynamoDB key."
  type        = string
  default     = null
}

variable "versioning_enabled" {
  description = "S3 versioning on the parts bucket (off by default: parts are immutable and keys never reused)."
  type        = bool
  default     = false
}

variable "force_destroy" {
  description = "Allow destroying a non-empty bucket. Only for throw-away environments."
  type        = bool
  default     = false
}

variable "deletion_protection_enabled" {
  description = "DynamoDB deletion protection on the catalog table."
  type        = bool
  default     = true
}

################################################################################
# Compute
################################################################################

variable "cluster_arn" {
  description = "Existing ECS cluster to run in. null = create <name> with Container Insights."
  type        = string
  default     = null
}

variable "scheduler_image" {
  description = "Scheduler image URI (built from infra/docker/scheduler, pushed to ECR)."
  type        = string
}

variable "runner_image" {
  description = "Task-runner image URI (built from infra/docker/task-runner, pushed to ECR)."
  type        = string
}

variable "cpu_architecture" {
  description = "CPU architecture of both images: X86_64 or ARM64."
  type        = string
  default     = "X86_64"
}

variable "scheduler_count" {
  description = "Scheduler tasks: one leader plus standbys that take over the DynamoDB lease."
  type        = number
  default     = 2
}

variable "scheduler_cpu" {
  description = "Scheduler task CPU units."
  type        = number
  default     = 512
}

variable "scheduler_memory" {
  description = "Scheduler task memory (MiB)."
  type        = number
  default     = 1024
}

variable "runner_cpu" {
  description = "Runner task CPU units."
  type        = number
  default     = 1024
}

variable "runner_memory" {
  description = "Runner task memory (MiB); the runner's buffer budget must fit in it."
  type        = number
  default     = 2048
}

variable "runner_min_count" {
  description = "Lower bound of the runner pool; the scheduler never scales below it."
  type        = number
  default     = 1
}

variable "runner_max_count" {
  description = "Upper bound of the runner pool; the scheduler never scales above it."
  type        = number
  default     = 8

  validation {
    condition     = var.runner_max_count >= 1
    error_message = "runner_max_count must be at least 1."
  }
}

variable "scheduler_environment" {
  description = "Extra environment variables for the scheduler (name => value), e.g. JAVA_OPTS or QUARKUS_LOG_LEVEL."
  type        = map(string)
  default     = {}
}

variable "runner_environment" {
  description = "Extra environment variables for the runners (name => value)."
  type        = map(string)
  default     = {}
}

variable "scheduler_secrets" {
  description = "Secret environment variables for the scheduler (name => SSM parameter or Secrets Manager ARN)."
  type        = map(string)
  default     = {}
}

variable "runner_secrets" {
  description = "Secret environment variables for the runners (name => SSM parameter or Secrets Manager ARN)."
  type        = map(string)
  default     = {}
}

variable "container_health_checks" {
  description = "ECS container health checks with curl against /q/health/live (the UBI images ship curl). Turn off for images without curl."
  type        = bool
  default     = true
}

variable "enable_execute_command" {
  description = "ECS Exec on both services; also enables SSM port forwarding to the scheduler's gRPC port for the tributary CLI."
  type        = bool
  default     = false
}

variable "log_retention_days" {
  description = "CloudWatch log retention in days."
  type        = number
  default     = 30
}

################################################################################
# Iceberg publication (scheduler leader only)
################################################################################

variable "iceberg_catalog" {
  description = "Iceberg catalog the scheduler leader publishes every table to (TRIBUTARY_ICEBERG_CATALOG): glue = a Glue database created here (Athena can query it), rest = an external Iceberg REST catalog (iceberg_rest_*), none = publication off (TRIBUTARY_ICEBERG_CATALOG=none) and no Iceberg permissions."
  type        = string
  default     = "glue"

  validation {
    condition     = contains(["glue", "rest", "none"], var.iceberg_catalog)
    error_message = "iceberg_catalog must be glue, rest or none."
  }
}

variable "iceberg_namespace" {
  description = "Iceberg namespace the tables are published into (TRIBUTARY_ICEBERG_NAMESPACE); with iceberg_catalog = glue also the name of the Glue database created for it (the Athena database)."
  type        = string
  default     = "tributary"

  validation {
    condition     = can(regex("^[a-z][a-z0-9_]{0,254}$", var.iceberg_namespace))
    error_message = "iceberg_namespace must be lower-case letters, digits and '_', starting with a letter (a valid Glue/Athena database name)."
  }
}

variable "iceberg_rest_uri" {
  description = "Base URI of the Iceberg REST catalog (TRIBUTARY_ICEBERG_REST_URI), e.g. https://polaris.example.com/api/catalog. Required when iceberg_catalog = rest."
  type        = string
  default     = null

  validation {
    condition     = var.iceberg_rest_uri == null || can(regex("^https?://", var.iceberg_rest_uri))
    error_message = "iceberg_rest_uri must be an http(s) URI."
  }
}

variable "iceberg_rest_warehouse" {
  description = "Warehouse of the REST catalog (TRIBUTARY_ICEBERG_REST_WAREHOUSE), e.g. the catalog name in Polaris or s3://bucket/prefix. null = the catalog's default."
  type        = string
  default     = null
}

variable "iceberg_rest_credential_secret_arn" {
  description = "ARN of a Secrets Manager secret or SSM SecureString parameter holding the REST catalog's OAuth2 client credential client_id:secret; injected as TRIBUTARY_ICEBERG_REST_CREDENTIAL and readable by the scheduler's execution role only. null = no credential (or pass TRIBUTARY_ICEBERG_REST_TOKEN through scheduler_secrets)."
  type        = string
  default     = null

  validation {
    condition     = var.iceberg_rest_credential_secret_arn == null || can(regex("^arn:[^:]+:(secretsmanager|ssm):", var.iceberg_rest_credential_secret_arn))
    error_message = "iceberg_rest_credential_secret_arn must be a Secrets Manager secret or SSM parameter ARN."
  }
}

variable "iceberg_rest_scope" {
  description = "OAuth2 scope requested with the REST credential (TRIBUTARY_ICEBERG_REST_SCOPE). null = none (the catalog's default), e.g. PRINCIPAL_ROLE:ALL for Apache Polaris."
  type        = string
  default     = null
}
